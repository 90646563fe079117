package org.ddrl.rl.judge;

import java.util.EnumMap;
import java.util.Map;

/**
 * One evaluation of one arm (one seed, or one training step for a curve), with the experiment's metrics (see
 * {@link Metric} for their results.json names). NaN marks a metric that was not measured: a curve point may carry only
 * the proxy reward, and reverse KL exists only where the trainer computes it.
 */
public record Metrics(double proxyReward, double judgeAccuracy, double fvdMini, double diversity, double saturationDrift,
                      double heldoutDiffusionLoss, double reverseKl, double judgeVoteVsDdrl) {
    /** Every metric unmeasured. */
    public static final Metrics NONE = new Metrics(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
            Double.NaN, Double.NaN);

    /** The metrics given, NaN for the others. */
    public static Metrics of(Map<Metric, Double> values) {
        EnumMap<Metric, Double> v = new EnumMap<>(Metric.class);
        for (Metric m : Metric.values()) v.put(m, Double.NaN);
        v.putAll(values);
        return new Metrics(v.get(Metric.PROXY_REWARD), v.get(Metric.JUDGE_ACCURACY), v.get(Metric.FVD_MINI), v.get(Metric.DIVERSITY),
                v.get(Metric.SATURATION_DRIFT), v.get(Metric.HELDOUT_DIFFUSION_LOSS), v.get(Metric.REVERSE_KL),
                v.get(Metric.JUDGE_VOTE_VS_DDRL));
    }

    /** The value of one metric. */
    public double get(Metric m) {
        return m.of(this);
    }

    /** Every metric by name, in {@link Metric} order. */
    public Map<Metric, Double> asMap() {
        EnumMap<Metric, Double> out = new EnumMap<>(Metric.class);
        for (Metric m : Metric.values()) out.put(m, m.of(this));
        return out;
    }

    /** A copy with one metric set. */
    public Metrics with(Metric metric, double value) {
        Map<Metric, Double> v = asMap();
        v.put(metric, value);
        return of(v);
    }
}
