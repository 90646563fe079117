package org.ddrl.tensor.cpu;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import org.ddrl.kernels.cpu.VectorMath;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Unary ops on dense F64 memory: one Vector API loop per op (see UnaryF32 for why), and a scalar loop
 * for exact GELU, which needs an erf the Vector API does not have.
 */
final class UnaryF64 {
    private UnaryF64() {}

    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ByteOrder NO = ByteOrder.nativeOrder();

    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

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
                else for (long i = lo; i < hi; i++) y.setAtIndex(JAVA_DOUBLE, i, ElementwiseMath.gelu(x.getAtIndex(JAVA_DOUBLE, xo + i)));
            }
            case SILU -> silu(x, xo, y, lo, hi);
            case SOFTPLUS -> softplus(x, xo, y, lo, hi, spec.p(), spec.q());
            case CLAMP -> clamp(x, xo, y, lo, hi, spec.p(), spec.q());
            default -> throw new IllegalStateException("no F64 loop for " + spec.op().opName());
        }
    }

    private static DoubleVector ld(MemorySegment s, long i) {
        return DoubleVector.fromMemorySegment(S, s, i * 8, NO);
    }

    private static DoubleVector ld(MemorySegment s, long i, VectorMask<Double> m) {
        return DoubleVector.fromMemorySegment(S, s, i * 8, NO, m);
    }

    // ------------------------------------------------------------------ one loop per op

    private static void neg(MemorySegment x, long xo, MemorySegment y, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) ld(x, xo + i).neg().intoMemorySegment(y, i * 8, NO);
        if (i < hi) { VectorMask<Double> m = S.indexInRange(i, hi); ld(x, xo + i, m).neg().intoMemorySegment(y, i * 8, NO, m); }
    }

    private static void abs(MemorySegment x, long xo, MemorySegment y, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) ld(x, xo + i).abs().intoMemorySegment(y, i * 8, NO);
        if (i < hi) { VectorMask<Double> m = S.indexInRange(i, hi); ld(x, xo + i, m).abs().intoMemorySegment(y, i * 8, NO, m); }
    }

    private static void sqrt(MemorySegment x, long xo, MemorySegment y, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) ld(x, xo + i).sqrt().intoMemorySegment(y, i * 8, NO);
        if (i < hi) { VectorMask<Double> m = S.indexInRange(i, hi); ld(x, xo + i, m).sqrt().intoMemorySegment(y, i * 8, NO, m); }
    }

    private static void rsqrt(MemorySegment x, long xo, MemorySegment y, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) rsqrt(ld(x, xo + i)).intoMemorySegment(y, i * 8, NO);
        if (i < hi) { VectorMask<Double> m = S.indexInRange(i, hi); rsqrt(ld(x, xo + i, m)).intoMemorySegment(y, i * 8, NO, m); }
    }

    private static void exp(MemorySegment x, long xo, MemorySegment y, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) exp(ld(x, xo + i)).intoMemorySegment(y, i * 8, NO);
        if (i < hi) { VectorMask<Double> m = S.indexInRange(i, hi); exp(ld(x, xo + i, m)).intoMemorySegment(y, i * 8, NO, m); }
    }

    private static void log(MemorySegment x, long xo, MemorySegment y, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) {
            VectorMath.log(ld(x, xo + i)).intoMemorySegment(y, i * 8, NO);
        }
        if (i < hi) {
            VectorMask<Double> m = S.indexInRange(i, hi);
            VectorMath.log(ld(x, xo + i, m)).intoMemorySegment(y, i * 8, NO, m);
        }
    }

    private static void sin(MemorySegment x, long xo, MemorySegment y, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) {
            VectorMath.sin(ld(x, xo + i)).intoMemorySegment(y, i * 8, NO);
        }
        if (i < hi) {
            VectorMask<Double> m = S.indexInRange(i, hi);
            VectorMath.sin(ld(x, xo + i, m)).intoMemorySegment(y, i * 8, NO, m);
        }
    }

    private static void cos(MemorySegment x, long xo, MemorySegment y, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) {
            VectorMath.cos(ld(x, xo + i)).intoMemorySegment(y, i * 8, NO);
        }
        if (i < hi) {
            VectorMask<Double> m = S.indexInRange(i, hi);
            VectorMath.cos(ld(x, xo + i, m)).intoMemorySegment(y, i * 8, NO, m);
        }
    }

    private static void tanh(MemorySegment x, long xo, MemorySegment y, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) {
            VectorMath.tanh(ld(x, xo + i)).intoMemorySegment(y, i * 8, NO);
        }
        if (i < hi) {
            VectorMask<Double> m = S.indexInRange(i, hi);
            VectorMath.tanh(ld(x, xo + i, m)).intoMemorySegment(y, i * 8, NO, m);
        }
    }

    private static void sigmoid(MemorySegment x, long xo, MemorySegment y, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) sigmoid(ld(x, xo + i)).intoMemorySegment(y, i * 8, NO);
        if (i < hi) { VectorMask<Double> m = S.indexInRange(i, hi); sigmoid(ld(x, xo + i, m)).intoMemorySegment(y, i * 8, NO, m); }
    }

    private static void relu(MemorySegment x, long xo, MemorySegment y, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) ld(x, xo + i).max(0).intoMemorySegment(y, i * 8, NO);
        if (i < hi) { VectorMask<Double> m = S.indexInRange(i, hi); ld(x, xo + i, m).max(0).intoMemorySegment(y, i * 8, NO, m); }
    }

    private static void geluTanh(MemorySegment x, long xo, MemorySegment y, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) geluTanh(ld(x, xo + i)).intoMemorySegment(y, i * 8, NO);
        if (i < hi) { VectorMask<Double> m = S.indexInRange(i, hi); geluTanh(ld(x, xo + i, m)).intoMemorySegment(y, i * 8, NO, m); }
    }

    private static void silu(MemorySegment x, long xo, MemorySegment y, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) silu(ld(x, xo + i)).intoMemorySegment(y, i * 8, NO);
        if (i < hi) { VectorMask<Double> m = S.indexInRange(i, hi); silu(ld(x, xo + i, m)).intoMemorySegment(y, i * 8, NO, m); }
    }

    private static void softplus(MemorySegment x, long xo, MemorySegment y, long lo, long hi, double beta, double threshold) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) {
            softplus(ld(x, xo + i), beta, threshold).intoMemorySegment(y, i * 8, NO);
        }
        if (i < hi) {
            VectorMask<Double> m = S.indexInRange(i, hi);
            softplus(ld(x, xo + i, m), beta, threshold).intoMemorySegment(y, i * 8, NO, m);
        }
    }

    private static void clamp(MemorySegment x, long xo, MemorySegment y, long lo, long hi, double min, double max) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) ld(x, xo + i).max(min).min(max).intoMemorySegment(y, i * 8, NO);
        if (i < hi) {
            VectorMask<Double> m = S.indexInRange(i, hi);
            ld(x, xo + i, m).max(min).min(max).intoMemorySegment(y, i * 8, NO, m);
        }
    }

    // ------------------------------------------------------------------ the functions on one vector

    private static DoubleVector rsqrt(DoubleVector x) {
        return x.broadcast(1).div(x.sqrt());
    }

    private static DoubleVector exp(DoubleVector x) {
        return VectorMath.exp(x);
    }

    private static DoubleVector sigmoid(DoubleVector x) {
        return VectorMath.sigmoid(x);
    }

    private static DoubleVector silu(DoubleVector x) {
        return x.div(exp(x.neg()).add(1));
    }

    /** See UnaryF32.geluTanh. */
    private static DoubleVector geluTanh(DoubleVector x) {
        DoubleVector u = x.mul(x).mul(0.044715).add(1).mul(x).mul(SQRT_2_OVER_PI);
        return x.div(exp(u.mul(-2)).add(1));
    }

    private static DoubleVector softplus(DoubleVector x, double beta, double threshold) {
        DoubleVector bx = x.mul(beta);
        return VectorMath.log1p(exp(bx)).div(beta).blend(x, bx.compare(VectorOperators.GT, threshold));
    }
}
