package org.ddrl.tensor.cpu;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Map;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.ddrl.kernels.cpu.Parallel;
import org.ddrl.kernels.cpu.SpecialMath;
import org.ddrl.kernels.cpu.VectorMath;
import org.ddrl.tensor.ActivationGrads;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Kernel;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Tensor;

/**
 * gelu_backward and silu_backward: gradOut * f'(x) in one pass over both inputs, where the derivative
 * rules used to chain a dozen elementwise ops. F32, BF16 and F16 compute in F32 with the deterministic
 * VectorMath functions (the same bits interpreted and compiled), F64 in double; the result has x's dtype.
 * As in UnaryF32, each function has its own loop and the last partial vector runs masked through it.
 */
final class ActivationBackwardKernels {
    private ActivationBackwardKernels() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final ByteOrder NO = ByteOrder.nativeOrder();
    private static final long GRAIN = 16384;

    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
    private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
    private static final double INV_SQRT2 = 1 / Math.sqrt(2);
    /** u = x (C + K1 x^2) and du/dx = C + K3 x^2 for u = sqrt(2 / pi) (x + 0.044715 x^3). */
    private static final double K1 = SQRT_2_OVER_PI * 0.044715, K3 = 3 * SQRT_2_OVER_PI * 0.044715;

    private enum Fn { GELU, GELU_TANH, SILU }

    static void register(Map<Op, Kernel> k) {
        k.put(Op.GELU_BACKWARD, (a, in) -> run(Op.GELU_BACKWARD, a, in[0], in[1]));
        k.put(Op.SILU_BACKWARD, (a, in) -> run(Op.SILU_BACKWARD, a, in[0], in[1]));
    }

    private static Tensor run(Op op, Attrs a, Tensor g, Tensor x) {
        boolean tanh = ActivationGrads.check(op, a, g, x);
        Fn fn = op == Op.SILU_BACKWARD ? Fn.SILU : tanh ? Fn.GELU_TANH : Fn.GELU;
        DType cdt = ReductionKernels.floatCompute(x.dtype());
        Tensor out = CpuTensors.empty(x.dtype(), x.shape());
        long n = out.numel();
        if (n == 0) return out;
        Tensor gd = ReductionKernels.contiguousIn(g, cdt), xd = ReductionKernels.contiguousIn(x, cdt);
        Tensor dst = out.dtype() == cdt ? out : CpuTensors.empty(cdt, x.shape());
        MemorySegment gs = CpuTensors.seg(gd), xs = CpuTensors.seg(xd), ys = CpuTensors.seg(dst);
        long go = gd.offset(), xo = xd.offset();
        if (cdt == DType.F32) {
            Parallel.forRange(n, GRAIN, (lo, hi) -> {
                switch (fn) {
                    case GELU -> geluF32(gs, go, xs, xo, ys, lo, hi);
                    case GELU_TANH -> geluTanhF32(gs, go, xs, xo, ys, lo, hi);
                    case SILU -> siluF32(gs, go, xs, xo, ys, lo, hi);
                }
            });
        } else {
            Parallel.forRange(n, GRAIN, (lo, hi) -> {
                switch (fn) {
                    case GELU -> geluF64(gs, go, xs, xo, ys, lo, hi);
                    case GELU_TANH -> geluTanhF64(gs, go, xs, xo, ys, lo, hi);
                    case SILU -> siluF64(gs, go, xs, xo, ys, lo, hi);
                }
            });
        }
        if (dst != out) CpuTensors.copyCast(dst, out);
        return out;
    }

    // ------------------------------------------------------------------ F32 loops: y[i] = g[go + i] * f'(x[xo + i])

    private static FloatVector ld(MemorySegment s, long i) {
        return FloatVector.fromMemorySegment(S, s, i * 4, NO);
    }

    private static FloatVector ld(MemorySegment s, long i, VectorMask<Float> m) {
        return FloatVector.fromMemorySegment(S, s, i * 4, NO, m);
    }

    private static void geluF32(MemorySegment g, long go, MemorySegment x, long xo, MemorySegment y, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += S.length()) {
            ld(g, go + i).mul(geluDerivative(ld(x, xo + i))).intoMemorySegment(y, i * 4, NO);
        }
        if (i < hi) {
            VectorMask<Float> m = S.indexInRange(i, hi);
            ld(g, go + i, m).mul(geluDerivative(ld(x, xo + i, m))).intoMemorySegment(y, i * 4, NO, m);
        }
    }

    private static void geluTanhF32(MemorySegment g, long go, MemorySegment x, long xo, MemorySegment y, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += S.length()) {
            ld(g, go + i).mul(geluTanhDerivative(ld(x, xo + i))).intoMemorySegment(y, i * 4, NO);
        }
        if (i < hi) {
            VectorMask<Float> m = S.indexInRange(i, hi);
            ld(g, go + i, m).mul(geluTanhDerivative(ld(x, xo + i, m))).intoMemorySegment(y, i * 4, NO, m);
        }
    }

    private static void siluF32(MemorySegment g, long go, MemorySegment x, long xo, MemorySegment y, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += S.length()) {
            ld(g, go + i).mul(siluDerivative(ld(x, xo + i))).intoMemorySegment(y, i * 4, NO);
        }
        if (i < hi) {
            VectorMask<Float> m = S.indexInRange(i, hi);
            ld(g, go + i, m).mul(siluDerivative(ld(x, xo + i, m))).intoMemorySegment(y, i * 4, NO, m);
        }
    }

    /** Phi(x) + x phi(x); Phi from erfc of |x| / sqrt 2 (as the forward) so the negative tail keeps its relative accuracy. */
    static FloatVector geluDerivative(FloatVector x) {
        FloatVector halfErfc = UnaryF32.erfcNonNegative(x.abs().mul((float) INV_SQRT2)).mul(0.5f);
        FloatVector cdf = halfErfc.neg().add(1f).blend(halfErfc, x.compare(VectorOperators.LT, 0f));
        FloatVector pdf = VectorMath.exp(x.mul(x).mul(-0.5f)).mul((float) INV_SQRT_2PI);
        return x.fma(pdf, cdf);
    }

    /**
     * d/dx of x sigmoid(2u) (the tanh form 0.5 x (1 + tanh u)): s + 2 x s (1 - s) u'. With e = exp(-2|u|) and
     * r = 1 / (1 + e): s = r (u >= 0) or e r (u < 0), and s (1 - s) = e r^2 either way, so one exp serves
     * both and nothing overflows or cancels.
     */
    static FloatVector geluTanhDerivative(FloatVector x) {
        FloatVector x2 = x.mul(x);
        FloatVector u = x2.fma((float) K1, (float) SQRT_2_OVER_PI).mul(x);
        FloatVector du = x2.fma((float) K3, (float) SQRT_2_OVER_PI);
        FloatVector e = VectorMath.exp(u.abs().mul(-2f));
        FloatVector r = x.broadcast(1f).div(e.add(1f));
        FloatVector s = r.blend(e.mul(r), u.compare(VectorOperators.LT, 0f));
        FloatVector ss = e.mul(r).mul(r);
        return x.mul(2f).mul(du).fma(ss, s);
    }

    /** s (1 + x (1 - s)), s = sigmoid(x). */
    private static FloatVector siluDerivative(FloatVector x) {
        FloatVector s = VectorMath.sigmoid(x);
        return x.fma(s.neg().add(1f), s.broadcast(1f)).mul(s);
    }

    // ------------------------------------------------------------------ F64 loops

    private static DoubleVector ldd(MemorySegment s, long i) {
        return DoubleVector.fromMemorySegment(D, s, i * 8, NO);
    }

    private static DoubleVector ldd(MemorySegment s, long i, VectorMask<Double> m) {
        return DoubleVector.fromMemorySegment(D, s, i * 8, NO, m);
    }

    /** Scalar: the Vector API has no erfc, and SpecialMath's double series is what the F64 forward uses. */
    private static void geluF64(MemorySegment g, long go, MemorySegment x, long xo, MemorySegment y, long lo, long hi) {
        for (long i = lo; i < hi; i++) {
            double v = x.getAtIndex(JAVA_DOUBLE, xo + i);
            double halfErfc = 0.5 * SpecialMath.erfc(Math.abs(v) * INV_SQRT2);
            double cdf = v < 0 ? halfErfc : 1 - halfErfc;
            double pdf = VectorMath.exp(-0.5 * v * v) * INV_SQRT_2PI;
            y.setAtIndex(JAVA_DOUBLE, i, g.getAtIndex(JAVA_DOUBLE, go + i) * (cdf + v * pdf));
        }
    }

    private static void geluTanhF64(MemorySegment g, long go, MemorySegment x, long xo, MemorySegment y, long lo, long hi) {
        long i = lo;
        for (long e = lo + D.loopBound(hi - lo); i < e; i += D.length()) {
            ldd(g, go + i).mul(geluTanhDerivative(ldd(x, xo + i))).intoMemorySegment(y, i * 8, NO);
        }
        if (i < hi) {
            VectorMask<Double> m = D.indexInRange(i, hi);
            ldd(g, go + i, m).mul(geluTanhDerivative(ldd(x, xo + i, m))).intoMemorySegment(y, i * 8, NO, m);
        }
    }

    private static void siluF64(MemorySegment g, long go, MemorySegment x, long xo, MemorySegment y, long lo, long hi) {
        long i = lo;
        for (long e = lo + D.loopBound(hi - lo); i < e; i += D.length()) {
            ldd(g, go + i).mul(siluDerivative(ldd(x, xo + i))).intoMemorySegment(y, i * 8, NO);
        }
        if (i < hi) {
            VectorMask<Double> m = D.indexInRange(i, hi);
            ldd(g, go + i, m).mul(siluDerivative(ldd(x, xo + i, m))).intoMemorySegment(y, i * 8, NO, m);
        }
    }

    /** See the F32 twin. */
    private static DoubleVector geluTanhDerivative(DoubleVector x) {
        DoubleVector x2 = x.mul(x);
        DoubleVector u = x2.fma(K1, SQRT_2_OVER_PI).mul(x);
        DoubleVector du = x2.fma(K3, SQRT_2_OVER_PI);
        DoubleVector e = VectorMath.exp(u.abs().mul(-2));
        DoubleVector r = x.broadcast(1).div(e.add(1));
        DoubleVector s = r.blend(e.mul(r), u.compare(VectorOperators.LT, 0));
        DoubleVector ss = e.mul(r).mul(r);
        return x.mul(2).mul(du).fma(ss, s);
    }

    private static DoubleVector siluDerivative(DoubleVector x) {
        DoubleVector s = VectorMath.sigmoid(x);
        return x.fma(s.neg().add(1), s.broadcast(1)).mul(s);
    }
}
