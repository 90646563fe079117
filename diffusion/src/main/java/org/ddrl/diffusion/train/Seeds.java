package org.ddrl.diffusion.train;

/** Independent seeds for the random streams of one run, all derived from the run's seed. */
final class Seeds {
    /** The stream of the initial weights. */
    static final int INIT = 0;
    /** The stream of the training noise: text dropout, noise levels and Gaussian noise, drawn in that order each step. */
    static final int NOISE = 1;

    private Seeds() {}

    /** SplitMix64 of the seed and the stream: nearby seeds and streams give unrelated Philox keys. */
    static long derive(long seed, int stream) {
        long z = seed + 0x9E3779B97F4A7C15L * (stream + 1L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
