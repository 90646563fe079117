package org.ddrl.diffusion.data;

import org.ddrl.tensor.rng.Philox;

/**
 * A stream of random numbers of its own: Philox 4x32-10 keyed by a seed, with counter (block low, block high, index,
 * tag). Each (tag, index) pair owns its counters, so, for example, video i of a split is the same whether it is
 * generated first, last or alone, on any thread; and since Philox is defined bit for bit (unlike java.util's
 * generators, whose algorithms a JDK may change) and the maths below is StrictMath, the numbers are the same on
 * every JVM.
 */
final class PhiloxStream {
    private static final double TWO_POW_M53 = 0x1.0p-53;

    private final int k0, k1, index, tag;
    private final int[] words = new int[4];
    private long block;
    private int used = 4;
    private double spareGaussian = Double.NaN;

    PhiloxStream(long seed, int tag, int index) {
        this.k0 = (int) seed;
        this.k1 = (int) (seed >>> 32);
        this.index = index;
        this.tag = tag;
    }

    private long nextWord() {
        if (used == 4) {
            Philox.block((int) block, (int) (block >>> 32), index, tag, k0, k1, words, 0);
            block++;
            used = 0;
        }
        return words[used++] & 0xFFFF_FFFFL;
    }

    /** Uniform in [0, 1) with 53 random bits. */
    double nextDouble() {
        long bits = nextWord() << 21 ^ nextWord() >>> 11;
        return (bits & ((1L << 53) - 1)) * TWO_POW_M53;
    }

    double uniform(double low, double high) {
        return low + (high - low) * nextDouble();
    }

    /** Uniform in [0, bound). */
    int nextInt(int bound) {
        return (int) ((nextWord() * bound) >>> 32);
    }

    /** Standard normal by Box-Muller (both values of a pair are used); StrictMath keeps it identical on every JVM. */
    double gaussian() {
        if (!Double.isNaN(spareGaussian)) {
            double g = spareGaussian;
            spareGaussian = Double.NaN;
            return g;
        }
        double u1 = 1 - nextDouble(); // in (0, 1], so the log is finite
        double u2 = nextDouble();
        double r = StrictMath.sqrt(-2 * StrictMath.log(u1));
        spareGaussian = r * StrictMath.sin(2 * Math.PI * u2);
        return r * StrictMath.cos(2 * Math.PI * u2);
    }
}
