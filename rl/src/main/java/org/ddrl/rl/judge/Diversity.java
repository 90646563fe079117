package org.ddrl.rl.judge;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How different the videos of one prompt are: the mean Euclidean distance between the feature vectors of every pair
 * of videos generated for the same prompt, averaged over prompts (each prompt weighs the same, however many videos it
 * has). Prompts with a single video have no pair and are skipped. A policy that collapses onto one video per prompt
 * scores near 0.
 */
public final class Diversity {
    private Diversity() {}

    /** Features [n][d] and the prompt of each row (any key; equal keys are one prompt). NaN when no prompt has two rows. */
    public static double of(double[][] features, List<?> prompts) {
        if (features.length != prompts.size()) {
            throw new IllegalArgumentException("Diversity: " + features.length + " feature vectors for " + prompts.size() + " prompts");
        }
        Map<Object, List<double[]>> byPrompt = new LinkedHashMap<>();
        for (int i = 0; i < features.length; i++) byPrompt.computeIfAbsent(prompts.get(i), k -> new ArrayList<>()).add(features[i]);
        double total = 0;
        int counted = 0;
        for (List<double[]> group : byPrompt.values()) {
            if (group.size() < 2) continue;
            double sum = 0;
            int pairs = 0;
            for (int i = 0; i < group.size(); i++) {
                for (int j = i + 1; j < group.size(); j++) {
                    sum += distance(group.get(i), group.get(j));
                    pairs++;
                }
            }
            total += sum / pairs;
            counted++;
        }
        return counted == 0 ? Double.NaN : total / counted;
    }

    static double distance(double[] a, double[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("Diversity: feature vectors of " + a.length + " and " + b.length + " values");
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (a[i] - b[i]) * (a[i] - b[i]);
        return Math.sqrt(s);
    }
}
