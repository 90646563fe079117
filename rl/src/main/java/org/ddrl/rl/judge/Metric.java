package org.ddrl.rl.judge;

import java.util.function.ToDoubleFunction;

/** The experiment's metrics, under the names results.json uses, with which way is better. */
public enum Metric {
    PROXY_REWARD("proxy_reward", "proxy reward (the training reward)", Better.HIGHER, Metrics::proxyReward),
    JUDGE_ACCURACY("judge_accuracy", "attribute accuracy of the analytic detector", Better.HIGHER, Metrics::judgeAccuracy),
    FVD_MINI("fvd_mini", "FVD-mini to real videos", Better.LOWER, Metrics::fvdMini),
    DIVERSITY("diversity", "mean pairwise feature distance within a prompt", Better.HIGHER, Metrics::diversity),
    SATURATION_DRIFT("saturation_drift", "mean saturation minus that of real videos", Better.NEAR_ZERO, Metrics::saturationDrift),
    HELDOUT_DIFFUSION_LOSS("heldout_diffusion_loss", "diffusion loss on held-out real videos", Better.LOWER, Metrics::heldoutDiffusionLoss),
    REVERSE_KL("reverse_kl", "reverse KL to the base model", Better.LOWER, Metrics::reverseKl),
    JUDGE_VOTE_VS_DDRL("judge_vote_vs_ddrl", "judge vote against DDRL, (wins - losses) / pairs", Better.HIGHER, Metrics::judgeVoteVsDdrl);

    /** Which values of a metric are better. */
    public enum Better { HIGHER, LOWER, NEAR_ZERO }

    private final String key;
    private final String description;
    private final Better better;
    private final ToDoubleFunction<Metrics> getter;

    Metric(String key, String description, Better better, ToDoubleFunction<Metrics> getter) {
        this.key = key;
        this.description = description;
        this.better = better;
        this.getter = getter;
    }

    /** The name in results.json and the report, e.g. "fvd_mini". */
    public String key() {
        return key;
    }

    public String description() {
        return description;
    }

    public Better better() {
        return better;
    }

    /** This metric's value in {@code m}; NaN where it was not measured. */
    public double of(Metrics m) {
        return getter.applyAsDouble(m);
    }

    /** The metric of that results.json name. */
    public static Metric fromKey(String key) {
        for (Metric m : values()) if (m.key.equals(key)) return m;
        throw new IllegalArgumentException("Metric: unknown metric '" + key + "'");
    }
}
