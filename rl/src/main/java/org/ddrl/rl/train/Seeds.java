package org.ddrl.rl.train;

/** Independent seeds for a run's random streams, derived from its one seed (SplitMix64 finaliser over seed and stream). */
final class Seeds {
    /** Prompt draws. */
    static final int PROMPTS = 1;
    /** Initial noise of the rollouts. */
    static final int NOISE = 2;
    /** Per-step noise inside the sampler. */
    static final int SAMPLER = 3;
    /** Random choice of trained steps. */
    static final int STEPS = 4;
    /** Draws of the regularizers (caption dropout). */
    static final int REGULARIZER = 5;
    /** Synthetic anchor sampling. */
    static final int ANCHORS = 6;

    private Seeds() {}

    static long derive(long seed, int stream) {
        long z = seed + 0x9E3779B97F4A7C15L * (stream + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
