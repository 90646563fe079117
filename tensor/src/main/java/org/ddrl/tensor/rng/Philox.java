package org.ddrl.tensor.rng;

import org.ddrl.tensor.DType;

/**
 * Philox 4x32-10, the counter-based generator of Salmon et al., "Parallel random numbers: as easy as
 * 1, 2, 3" (SC'11), exactly as the Random123 library defines it, plus the stream layout every backend's
 * random ops follow. Any backend that reproduces this layout gives bit-identical random tensors (for
 * uniform and randint; normal within the last bit, see below).
 *
 * <h2>The block function</h2>
 * A 128-bit counter (c0, c1, c2, c3) and a 64-bit key (k0, k1) give four 32-bit words. Ten rounds; one
 * round, with {@code mulhilo(a, b)} the 64-bit product of two unsigned 32-bit words split into its high
 * and low halves:
 * <pre>
 *   (hi0, lo0) = mulhilo(0xD2511F53, c0)      (hi1, lo1) = mulhilo(0xCD9E8D57, c2)
 *   (c0, c1, c2, c3) = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0)
 * </pre>
 * and between rounds the key takes a Weyl step: k0 += 0x9E3779B9, k1 += 0xBB67AE85 (mod 2^32), so
 * round r (0-based) uses key + r * (0x9E3779B9, 0xBB67AE85). The output is (c0, c1, c2, c3) after round 10.
 *
 * <h2>The stream of a random op</h2>
 * <ul>
 *   <li>Key: k0 = low 32 bits of the generator's seed, k1 = its high 32 bits.
 *   <li>A random op gets a first counter block {@code offset} from {@link Generator#reserve} and owns the
 *       blocks offset, offset + 1, ... (as many as {@link #uniformBlocks}, {@link #normalBlocks} or
 *       {@link #randintBlocks} say). Block b has counter words (b low 32 bits, b high 32 bits, 0, 0).
 *   <li>The op's words W[0], W[1], ... are the outputs of its blocks in order: W[k] is word k % 4 of block
 *       offset + k / 4 (words 0..3 are c0..c3 of the output above). Everything below is unsigned.
 *   <li>A 32-bit draw is one word: draw j is W[j]. A 64-bit draw j is the pair
 *       {@code W[2j] | W[2j + 1] << 32} (low word first).
 *   <li>Elements are numbered i = 0, 1, ... in row-major order of the output shape.
 * </ul>
 *
 * <h2>Uniform in [low, high)</h2>
 * Element i uses draw i: a 64-bit draw for F64, a 32-bit draw for F32, F16 and BF16. With m the number
 * of significand bits of the dtype (53 for F64, 24 for F32, 11 for F16, 8 for BF16) and v the draw's
 * width in bits, {@code u = (draw >>> (v - m)) * 2^-m}, so u lies in [0, 1) and is exact in the dtype.
 * Then, in F64 arithmetic with no fused multiply-add, {@code x = low + (high - low) * u}, stored to the
 * dtype (rounded to nearest even; F16 and BF16 by way of F32, as every store of a double does). Should
 * rounding make the stored x reach high, the element is low (stored) instead, so results stay in [low, high).
 *
 * <h2>Normal (Box-Muller)</h2>
 * Elements pair up as (2p, 2p + 1); both use the same two uniforms. For F64 they come from the 64-bit
 * draws 2p and 2p + 1 (so pair p reads exactly block offset + p); for the other dtypes from the 32-bit
 * draws 2p and 2p + 1. With v the draw's width, n = min(v, 53) and d = the draw's top n bits
 * ({@code draw >>> (v - n)}):
 * <pre>
 *   u1 = (d1 + 1) * 2^-n   in (0, 1], so log never sees 0        (d1 from draw 2p)
 *   u2 = d2 * 2^-n         in [0, 1)                             (d2 from draw 2p + 1)
 *   r = sqrt(-2 * log(u1)),  t = 2 * PI * u2   (PI the double nearest pi, products left to right)
 *   z = r * cos(t) for element 2p,  r * sin(t) for element 2p + 1
 *   x = mean + std * z, stored to the dtype
 * </pre>
 * all in F64. On the CPU log, sin and cos are {@link StrictMath}'s (fdlibm, correctly rounded in most
 * cases and always within one ulp); another backend's F64 log, sin and cos may differ from them in the
 * last bit of the double, which after rounding to F32 or a half type almost never shows.
 *
 * <h2>Integers in [low, high)</h2>
 * Element i uses the 64-bit draw i for every dtype. With range = high - low taken as an unsigned 64-bit
 * number, {@code x = low + floor(draw * range / 2^64)} (the high half of the unsigned 128-bit product,
 * added with 64-bit wrap-around), stored to the dtype. Every value in [low, high) is hit by either
 * floor(2^64 / range) or that plus one of the 2^64 draws, a bias below range / 2^64.
 *
 * <h2>Counter blocks per op</h2>
 * uniform: ceil(n / 4) for 32-bit draws, ceil(n / 2) for F64; normal: ceil(n / 4), ceil(n / 2) for F64
 * (an odd n still uses the pair's second draw); randint: ceil(n / 2).
 */
public final class Philox {
    /** Round multipliers. */
    public static final int M0 = 0xD2511F53, M1 = 0xCD9E8D57;
    /** Weyl increments of the key. */
    public static final int W0 = 0x9E3779B9, W1 = 0xBB67AE85;
    /** Rounds of Philox 4x32-10. */
    public static final int ROUNDS = 10;

    private static final long MASK = 0xFFFF_FFFFL;

    private Philox() {}

    /** Writes the four output words of block (c0, c1, c2, c3) under key (k0, k1) to out[at .. at + 3]. */
    public static void block(int c0, int c1, int c2, int c3, int k0, int k1, int[] out, int at) {
        for (int r = 0; r < ROUNDS; r++) {
            long p0 = (M0 & MASK) * (c0 & MASK);
            long p1 = (M1 & MASK) * (c2 & MASK);
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            c1 = (int) p1;
            c3 = (int) p0;
            c0 = n0;
            c2 = n2;
            k0 += W0;
            k1 += W1;
        }
        out[at] = c0;
        out[at + 1] = c1;
        out[at + 2] = c2;
        out[at + 3] = c3;
    }

    /** The four words of counter block {@code b} of the stream keyed by {@code seed}, into out[at .. at + 3]. */
    public static void streamBlock(long seed, long b, int[] out, int at) {
        block((int) b, (int) (b >>> 32), 0, 0, (int) seed, (int) (seed >>> 32), out, at);
    }

    /** Word {@code k} (as an unsigned value) of the stream that starts at block {@code offset}. */
    public static long word(long seed, long offset, long k) {
        int[] w = new int[4];
        streamBlock(seed, offset + k / 4, w, 0);
        return w[(int) (k % 4)] & MASK;
    }

    /** 64-bit draw {@code j} of the stream that starts at block {@code offset}: words 2j (low) and 2j + 1 (high). */
    public static long draw64(long seed, long offset, long j) {
        int[] w = new int[4];
        streamBlock(seed, offset + j / 2, w, 0);
        int at = (int) (j % 2) * 2;
        return (w[at] & MASK) | (long) w[at + 1] << 32;
    }

    /** Counter blocks a uniform tensor of n elements of dtype uses. */
    public static long uniformBlocks(DType dtype, long n) {
        return dtype == DType.F64 ? ceilDiv(n, 2) : ceilDiv(n, 4);
    }

    /** Counter blocks a normal tensor of n elements of dtype uses. */
    public static long normalBlocks(DType dtype, long n) {
        return dtype == DType.F64 ? ceilDiv(n, 2) : ceilDiv(n, 4);
    }

    /** Counter blocks a randint tensor of n elements uses (any dtype). */
    public static long randintBlocks(long n) {
        return ceilDiv(n, 2);
    }

    /** Significand bits (with the implicit one) of a floating dtype: the bits a uniform of that dtype uses. */
    public static int uniformBits(DType dtype) {
        return switch (dtype) {
            case F64 -> 53;
            case F32 -> 24;
            case F16 -> 11;
            case BF16 -> 8;
            default -> throw new IllegalArgumentException("uniform: needs a floating dtype, got " + dtype);
        };
    }

    private static long ceilDiv(long n, long d) {
        return (n + d - 1) / d;
    }
}
