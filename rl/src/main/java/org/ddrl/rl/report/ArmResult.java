package org.ddrl.rl.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.ddrl.rl.judge.Metric;
import org.ddrl.rl.judge.SeedSummary;

/** Every seed's run of one arm, with the arm's config (the settings that make it this arm). */
public record ArmResult(String arm, Map<String, Object> config, List<SeedRun> runs) {
    public ArmResult {
        if (arm == null || arm.isBlank()) throw new IllegalArgumentException("ArmResult: an arm needs a name");
        if (runs.isEmpty()) throw new IllegalArgumentException("ArmResult: arm '" + arm + "' has no runs");
        config = Collections.unmodifiableMap(new LinkedHashMap<>(config));
        runs = List.copyOf(runs);
    }

    public long[] seeds() {
        return runs.stream().mapToLong(SeedRun::seed).toArray();
    }

    /** The metric's final value of each seed, in run order (NaN where not measured). */
    public double[] perSeed(Metric metric) {
        return runs.stream().mapToDouble(r -> metric.of(r.metrics())).toArray();
    }

    public SeedSummary summary(Metric metric) {
        return SeedSummary.of(perSeed(metric));
    }

    public double[] wallSeconds() {
        return runs.stream().mapToDouble(SeedRun::wallSeconds).toArray();
    }

    /**
     * The metric over training, averaged over the seeds that measured it at each step: {steps, means}, only steps where
     * at least one seed measured it, in step order.
     */
    public double[][] meanCurve(Metric metric) {
        TreeMap<Integer, double[]> sums = new TreeMap<>(); // step -> {sum, count}
        for (SeedRun r : runs) {
            for (CurvePoint p : r.curve()) {
                double v = metric.of(p.metrics());
                if (Double.isNaN(v)) continue;
                double[] s = sums.computeIfAbsent(p.step(), k -> new double[2]);
                s[0] += v;
                s[1]++;
            }
        }
        List<Integer> steps = new ArrayList<>(sums.keySet());
        double[][] out = new double[2][steps.size()];
        for (int i = 0; i < steps.size(); i++) {
            double[] s = sums.get(steps.get(i));
            out[0][i] = steps.get(i);
            out[1][i] = s[0] / s[1];
        }
        return out;
    }
}
