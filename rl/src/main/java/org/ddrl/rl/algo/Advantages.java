package org.ddrl.rl.algo;

import java.util.Arrays;

/**
 * Advantages from rewards, in double precision on the host (a rollout batch has at most a few thousand rewards).
 * Rewards are laid out group by group: the {@code groupSize} rollouts of one prompt are contiguous.
 *
 * <p>The references differ only in details, all covered here: the group z-score {@code (r - mean_g) / (std_g + eps)}
 * with the unbiased (n - 1) std and eps 1e-4 (DDRL/cosmos-rl; DanceGRPO uses eps 1e-8), the optional
 * transform {@code A -> -exp(-A)} (the DDRL paper's lambda, off in the released presets), and a final clip to
 * [-5, 5] applied after the transform. A group of one is not centred (cosmos-rl: A = r). A group whose rewards are all
 * equal gets A = 0 (only the regularizer trains on it).
 */
public final class Advantages {
    private Advantages() {}

    /** Per-group z-scores; {@code unbiased} picks the n - 1 std (torch.std) over the population std (np.std). */
    public static double[] groupZScore(double[] rewards, int groupSize, double eps, boolean unbiased) {
        checkGroups(rewards.length, groupSize);
        if (!(eps >= 0) || Double.isInfinite(eps)) throw new IllegalArgumentException("Advantages.groupZScore: eps must be finite and >= 0, got " + eps);
        double[] a = new double[rewards.length];
        if (groupSize == 1) return rewards.clone();
        for (int g = 0; g < rewards.length; g += groupSize) {
            double[] group = Arrays.copyOfRange(rewards, g, g + groupSize);
            double mean = mean(group);
            double std = std(group, mean, unbiased);
            for (int i = 0; i < groupSize; i++) a[g + i] = (group[i] - mean) / (std + eps);
        }
        return a;
    }

    /**
     * Flow-GRPO's default (global_std): each reward minus its group's mean, over the population std of the whole batch
     * plus eps. A group of one gets A = 0.
     */
    public static double[] groupMeanGlobalStd(double[] rewards, int groupSize, double eps) {
        checkGroups(rewards.length, groupSize);
        if (!(eps >= 0) || Double.isInfinite(eps)) throw new IllegalArgumentException("Advantages.groupMeanGlobalStd: eps must be finite and >= 0, got " + eps);
        double std = std(rewards, mean(rewards), false);
        double[] a = new double[rewards.length];
        for (int g = 0; g < rewards.length; g += groupSize) {
            double m = mean(Arrays.copyOfRange(rewards, g, g + groupSize));
            for (int i = 0; i < groupSize; i++) a[g + i] = (rewards[g + i] - m) / (std + eps);
        }
        return a;
    }

    /** The DDRL paper's lambda applied elementwise: A -> -exp(-A). */
    public static double[] expTransform(double[] advantages) {
        double[] out = new double[advantages.length];
        for (int i = 0; i < out.length; i++) out[i] = -Math.exp(-advantages[i]);
        return out;
    }

    /** Clamps every advantage to [-limit, limit]. */
    public static double[] clip(double[] advantages, double limit) {
        if (!(limit > 0)) throw new IllegalArgumentException("Advantages.clip: limit must be > 0, got " + limit);
        double[] out = new double[advantages.length];
        for (int i = 0; i < out.length; i++) out[i] = Math.clamp(advantages[i], -limit, limit);
        return out;
    }

    static double mean(double[] x) {
        double s = 0;
        for (double v : x) s += v;
        return s / x.length;
    }

    /** The std about {@code mean}: divided by n - 1 when unbiased (0 for a single value), else by n. */
    static double std(double[] x, double mean, boolean unbiased) {
        if (unbiased && x.length < 2) return 0;
        double s = 0;
        for (double v : x) s += (v - mean) * (v - mean);
        return Math.sqrt(s / (unbiased ? x.length - 1 : x.length));
    }

    private static void checkGroups(int n, int groupSize) {
        if (groupSize < 1 || n % groupSize != 0) {
            throw new IllegalArgumentException("Advantages: " + n + " rewards do not split into groups of " + groupSize);
        }
    }
}
