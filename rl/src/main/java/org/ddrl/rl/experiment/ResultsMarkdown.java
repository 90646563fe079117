package org.ddrl.rl.experiment;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.commons.math3.stat.StatUtils;
import org.ddrl.rl.judge.Metric;
import org.ddrl.rl.judge.SeedSummary;
import org.ddrl.rl.report.ArmResult;
import org.ddrl.rl.report.ExperimentResult;

/**
 * results.md: the results table in Markdown, to paste into a write-up. One row per arm, one column per metric, each
 * cell "mean ± half-width of the 95% interval over seeds" (the mean alone with one seed), then the wall times.
 */
public final class ResultsMarkdown {
    public static final String FILE = "results.md";

    private ResultsMarkdown() {}

    public static String render(ExperimentResult result, String setup) {
        StringBuilder md = new StringBuilder();
        md.append("## ").append(result.title()).append("\n\n");
        if (setup != null && !setup.isBlank()) md.append(setup).append("\n\n");
        md.append("| arm |");
        for (Metric m : Metric.values()) md.append(' ').append(m.key()).append(" |");
        md.append("\n|---|");
        for (int i = 0; i < Metric.values().length; i++) md.append("---:|");
        md.append('\n');
        for (ArmResult arm : result.arms()) {
            md.append("| ").append(arm.arm()).append(" |");
            for (Metric m : Metric.values()) md.append(' ').append(cell(arm.summary(m))).append(" |");
            md.append('\n');
        }
        md.append("\nDirections: ");
        List<String> dirs = new ArrayList<>();
        for (Metric m : Metric.values()) {
            dirs.add(m.key() + " " + switch (m.better()) {
                case HIGHER -> "higher";
                case LOWER -> "lower";
                case NEAR_ZERO -> "nearer 0";
            });
        }
        md.append(String.join(", ", dirs)).append(" is better. judge_vote_vs_ddrl is against ").append(result.referenceArm()).append(".\n\n");
        md.append("| arm | seeds | wall time per seed (s) |\n|---|---|---:|\n");
        for (ArmResult arm : result.arms()) {
            String seeds = java.util.Arrays.stream(arm.seeds()).mapToObj(Long::toString).collect(Collectors.joining(", "));
            md.append("| ").append(arm.arm()).append(" | ").append(seeds).append(" | ")
                    .append(String.format(Locale.ROOT, "%.1f", StatUtils.mean(arm.wallSeconds()))).append(" |\n");
        }
        return md.toString();
    }

    static String cell(SeedSummary s) {
        if (Double.isNaN(s.mean())) return "n/a";
        if (s.n() < 2 || Double.isNaN(s.ciHalfWidth())) return num(s.mean());
        return num(s.mean()) + " ± " + num(s.ciHalfWidth());
    }

    private static String num(double v) {
        if (v == 0) return "0";
        double a = Math.abs(v);
        return a >= 1e-3 && a < 1e5 ? String.format(Locale.ROOT, "%.4g", v) : String.format(Locale.ROOT, "%.3e", v);
    }
}
