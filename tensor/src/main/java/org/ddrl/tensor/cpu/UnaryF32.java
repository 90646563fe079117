package org.ddrl.tensor.cpu;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import org.ddrl.kernels.cpu.VectorMath;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Unary ops on dense F32 memory with the Vector API. Every op has its own loop: the JIT turns a
 * lanewise call into vector instructions only where the operator is a constant in the compiled loop,
 * and one loop shared by several ops (a switch inside, or a lambda) falls back to slow per-lane Java
 * code once a second op has run through it. The last partial vector runs masked through the same
 * function, so every element gets exactly the same arithmetic whatever its position.
 */
final class UnaryF32 {
    private UnaryF32() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ByteOrder NO = ByteOrder.nativeOrder();

    private static final float INV_SQRT2 = (float) (1 / Math.sqrt(2));
    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2 / Math.PI);

    /** y[i] = f(x[xo + i]) for i in [lo, hi); y is a fresh output starting at element 0. */
    static void run(UnarySpec spec, MemorySegment x, long xo, MemorySegment y, long lo, long hi) {
        switch (spec.op()) {
            case NEG -> neg(x, xo, y, lo, hi);
            case ABS -> abs(x, xo, y, lo, hi);
            case SQRT -> sqrt(x, xo, y, lo, hi);
            case RSQRT -> rsqrt(x, xo, y, lo, hi);
            case EXP -> exp(x, xo, y, lo, hi);
            case LOG -> log(x, xo, y, lo, hi);
            case SIN -> sin(x, xo, y, lo, hi);
            case COS -> cos(x, xo, y, lo, hi);
            case TANH -> tanh(x, xo, y, lo, hi);
            case SIGMOID -> sigmoid(x, xo, y, lo, hi);
            case RELU -> relu(x, xo, y, lo, hi);
            case GELU -> {
                if (spec.tanhGelu()) geluTanh(x, xo, y, lo, hi);
                else geluErf(x, xo, y, lo, hi);
            }
            case SILU -> silu(x, xo, y, lo, hi);
            case SOFTPLUS -> softplus(x, xo, y, lo, hi, (float) spec.p(), (float) spec.q());
            case CLAMP -> clamp(x, xo, y, lo, hi, (float) spec.p(), (float) spec.q());
            default -> throw new IllegalStateException("no F32 loop for " + spec.op().opName());
        }
    }

    private static FloatVector ld(MemorySegment s, long i) {
        return FloatVector.fromMemorySegment(S, s, i * 4, NO);
    }

    private static FloatVector ld(MemorySegment s, long i, VectorMask<Float> m) {
        return FloatVector.fromMemorySegment(S, s, i * 4, NO, m);
    }

    // ------------------------------------------------------------------ one loop per op

    private static void neg(MemorySegment x, long xo, MemorySegment y, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) ld(x, xo + i).neg().intoMemorySegment(y, i * 4, NO);
        if (i < hi) { VectorMask<Float> m = S.indexInRange(i, hi); ld(x, xo + i, m).neg().intoMemorySegment(y, i * 4, NO, m); }
    }

    private static void abs(MemorySegment x, long xo, MemorySegment y, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) ld(x, xo + i).abs().intoMemorySegment(y, i * 4, NO);
        if (i < hi) { VectorMask<Float> m = S.indexInRange(i, hi); ld(x, xo + i, m).abs().intoMemorySegment(y, i * 4, NO, m); }
    }

    private static void sqrt(MemorySegment x, long xo, MemorySegment y, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) ld(x, xo + i).sqrt().intoMemorySegment(y, i * 4, NO);
        if (i < hi) { VectorMask<Float> m = S.indexInRange(i, hi); ld(x, xo + i, m).sqrt().intoMemorySegment(y, i * 4, NO, m); }
    }

    private static void rsqrt(MemorySegment x, long xo, MemorySegment y, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) rsqrt(ld(x, xo + i)).intoMemorySegment(y, i * 4, NO);
        if (i < hi) { VectorMask<Float> m = S.indexInRange(i, hi); rsqrt(ld(x, xo + i, m)).intoMemorySegment(y, i * 4, NO, m); }
    }

    private static void exp(MemorySegment x, long xo, MemorySegment y, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) exp(ld(x, xo + i)).intoMemorySegment(y, i * 4, NO);
        if (i < hi) { VectorMask<Float> m = S.indexInRange(i, hi); exp(ld(x, xo + i, m)).intoMemorySegment(y, i * 4, NO, m); }
    }

    private static void log(MemorySegment x, long xo, MemorySegment y, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) {
            VectorMath.log(ld(x, xo + i)).intoMemorySegment(y, i * 4, NO);
        }
        if (i < hi) {
            VectorMask<Float> m = S.indexInRange(i, hi);
            VectorMath.log(ld(x, xo + i, m)).intoMemorySegment(y, i * 4, NO, m);
        }
    }

    private static void sin(MemorySegment x, long xo, MemorySegment y, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) {
            VectorMath.sin(ld(x, xo + i)).intoMemorySegment(y, i * 4, NO);
        }
        if (i < hi) {
            VectorMask<Float> m = S.indexInRange(i, hi);
            VectorMath.sin(ld(x, xo + i, m)).intoMemorySegment(y, i * 4, NO, m);
        }
    }

    private static void cos(MemorySegment x, long xo, MemorySegment y, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) {
            VectorMath.cos(ld(x, xo + i)).intoMemorySegment(y, i * 4, NO);
        }
        if (i < hi) {
            VectorMask<Float> m = S.indexInRange(i, hi);
            VectorMath.cos(ld(x, xo + i, m)).intoMemorySegment(y, i * 4, NO, m);
        }
    }

    private static void tanh(MemorySegment x, long xo, MemorySegment y, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) {
            VectorMath.tanh(ld(x, xo + i)).intoMemorySegment(y, i * 4, NO);
        }
        if (i < hi) {
            VectorMask<Float> m = S.indexInRange(i, hi);
            VectorMath.tanh(ld(x, xo + i, m)).intoMemorySegment(y, i * 4, NO, m);
        }
    }

    private static void sigmoid(MemorySegment x, long xo, MemorySegment y, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) sigmoid(ld(x, xo + i)).intoMemorySegment(y, i * 4, NO);
        if (i < hi) { VectorMask<Float> m = S.indexInRange(i, hi); sigmoid(ld(x, xo + i, m)).intoMemorySegment(y, i * 4, NO, m); }
    }

    private static void relu(MemorySegment x, long xo, MemorySegment y, long lo, long hi) {
        long i = lo;
        // max follows Math.max, so NaN stays NaN as in PyTorch
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) ld(x, xo + i).max(0f).intoMemorySegment(y, i * 4, NO);
        if (i < hi) { VectorMask<Float> m = S.indexInRange(i, hi); ld(x, xo + i, m).max(0f).intoMemorySegment(y, i * 4, NO, m); }
    }

    private static void geluErf(MemorySegment x, long xo, MemorySegment y, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) geluErf(ld(x, xo + i)).intoMemorySegment(y, i * 4, NO);
        if (i < hi) { VectorMask<Float> m = S.indexInRange(i, hi); geluErf(ld(x, xo + i, m)).intoMemorySegment(y, i * 4, NO, m); }
    }

    private static void geluTanh(MemorySegment x, long xo, MemorySegment y, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) geluTanh(ld(x, xo + i)).intoMemorySegment(y, i * 4, NO);
        if (i < hi) { VectorMask<Float> m = S.indexInRange(i, hi); geluTanh(ld(x, xo + i, m)).intoMemorySegment(y, i * 4, NO, m); }
    }

    private static void silu(MemorySegment x, long xo, MemorySegment y, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) silu(ld(x, xo + i)).intoMemorySegment(y, i * 4, NO);
        if (i < hi) { VectorMask<Float> m = S.indexInRange(i, hi); silu(ld(x, xo + i, m)).intoMemorySegment(y, i * 4, NO, m); }
    }

    private static void softplus(MemorySegment x, long xo, MemorySegment y, long lo, long hi, float beta, float threshold) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) {
            softplus(ld(x, xo + i), beta, threshold).intoMemorySegment(y, i * 4, NO);
        }
        if (i < hi) {
            VectorMask<Float> m = S.indexInRange(i, hi);
            softplus(ld(x, xo + i, m), beta, threshold).intoMemorySegment(y, i * 4, NO, m);
        }
    }

    private static void clamp(MemorySegment x, long xo, MemorySegment y, long lo, long hi, float min, float max) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) ld(x, xo + i).max(min).min(max).intoMemorySegment(y, i * 4, NO);
        if (i < hi) {
            VectorMask<Float> m = S.indexInRange(i, hi);
            ld(x, xo + i, m).max(min).min(max).intoMemorySegment(y, i * 4, NO, m);
        }
    }

    // ------------------------------------------------------------------ the functions on one vector

    private static FloatVector rsqrt(FloatVector x) {
        return x.broadcast(1f).div(x.sqrt());
    }

    private static FloatVector exp(FloatVector x) {
        return VectorMath.exp(x);
    }

    private static FloatVector sigmoid(FloatVector x) {
        return VectorMath.sigmoid(x);
    }

    private static FloatVector silu(FloatVector x) {
        return x.div(exp(x.neg()).add(1f));
    }

    /** x * Phi(x) = x * erfc(-x / sqrt 2) / 2, using erfc of |x| / sqrt 2 so negative x keep their relative accuracy. */
    private static FloatVector geluErf(FloatVector x) {
        FloatVector z = x.abs().mul(INV_SQRT2);
        FloatVector halfErfc = erfcNonNegative(z).mul(0.5f);
        FloatVector phi = halfErfc.neg().add(1f).blend(halfErfc, x.compare(VectorOperators.LT, 0f));
        return x.mul(phi);
    }

    /**
     * erfc(z) for z >= 0 from the Chebyshev fit erfc(z) = t exp(-z^2 + P(t)), t = 1 / (1 + z / 2)
     * (Numerical Recipes, section 6.2), whose relative error is below 1.2e-7 for every z >= 0; the
     * relative accuracy matters because GELU of a negative input is a small multiple of erfc.
     */
    static FloatVector erfcNonNegative(FloatVector z) {
        FloatVector t = z.mul(0.5f).add(1f);
        t = t.broadcast(1f).div(t);
        FloatVector poly = t.mul(0.17087277f).add(-0.82215223f)
                .mul(t).add(1.48851587f)
                .mul(t).add(-1.13520398f)
                .mul(t).add(0.27886807f)
                .mul(t).add(-0.18628806f)
                .mul(t).add(0.09678418f)
                .mul(t).add(0.37409196f)
                .mul(t).add(1.00002368f)
                .mul(t).add(-1.26551223f);
        return t.mul(exp(poly.sub(z.mul(z))));
    }

    /** The tanh form 0.5 x (1 + tanh(u)), written as x / (1 + exp(-2u)) which avoids cancellation for negative x. */
    private static FloatVector geluTanh(FloatVector x) {
        FloatVector u = x.mul(x).mul(0.044715f).add(1f).mul(x).mul(SQRT_2_OVER_PI);
        return x.div(exp(u.mul(-2f)).add(1f));
    }

    /** log(1 + exp(beta x)) / beta, and x itself where beta x > threshold (as PyTorch). */
    private static FloatVector softplus(FloatVector x, float beta, float threshold) {
        FloatVector bx = x.mul(beta);
        FloatVector soft = VectorMath.log1p(exp(bx)).div(beta);
        return soft.blend(x, bx.compare(VectorOperators.GT, threshold));
    }
}
