package org.ddrl.tensor.cpu;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Map;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.ddrl.kernels.cpu.Parallel;
import org.ddrl.kernels.cpu.SpecialMath;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Kernel;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Tensor;

/**
 * Special functions: erf. F32 (and BF16/F16 through F32) runs as a vector loop, because the exact GELU's
 * derivative calls erf on every activation; F64 uses the double-precision series of SpecialMath.
 * Integer inputs give F32.
 */
final class SpecialKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final float TWO_OVER_SQRT_PI = (float) (2 / Math.sqrt(Math.PI));

    private SpecialKernels() {}

    static void register(Map<Op, Kernel> k) {
        k.put(Op.ERF, (a, in) -> erf(in[0]));
    }

    private static Tensor erf(Tensor x) {
        DType dt = x.dtype().isFloatingPoint() ? x.dtype() : DType.F32;
        DType compute = dt == DType.F64 ? DType.F64 : DType.F32;
        Tensor d = CpuTensors.dense(x, compute, x.shape());
        Tensor out = CpuTensors.empty(compute, x.shape());
        MemorySegment s = CpuTensors.seg(d), o = CpuTensors.seg(out);
        if (compute == DType.F64) {
            Parallel.forRange(out.numel(), 4096, (lo, hi) -> {
                for (long i = lo; i < hi; i++) Elements.setD(o, compute, i, SpecialMath.erf(Elements.getD(s, compute, i)));
            });
        } else {
            Parallel.forRange(out.numel(), 16384, (lo, hi) -> erfF32(s, o, lo, hi));
        }
        return dt == compute ? out : out.to(dt);
    }

    private static void erfF32(MemorySegment x, MemorySegment y, long lo, long hi) {
        int l = S.length();
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += l) {
            erf(FloatVector.fromMemorySegment(S, x, i * 4, ByteOrder.nativeOrder())).intoMemorySegment(y, i * 4, ByteOrder.nativeOrder());
        }
        if (i < hi) {
            VectorMask<Float> m = S.indexInRange(i, hi);
            erf(FloatVector.fromMemorySegment(S, x, i * 4, ByteOrder.nativeOrder(), m)).intoMemorySegment(y, i * 4, ByteOrder.nativeOrder(), m);
        }
    }

    /**
     * Near zero the Taylor series 2/sqrt(pi) (x - x^3/3 + x^5/10 - x^7/42 + x^9/216 - x^11/1320), whose next
     * term is below 2e-8 of the value for |x| < 0.5; beyond, 1 - erfc(|x|) with erfc's Chebyshev fit (relative
     * error under 1.2e-7), where no cancellation remains.
     */
    static FloatVector erf(FloatVector x) {
        FloatVector a = x.abs();
        FloatVector x2 = x.mul(x);
        FloatVector series = x2.mul(-1f / 1320).add(1f / 216).mul(x2).add(-1f / 42).mul(x2).add(1f / 10)
                .mul(x2).add(-1f / 3).mul(x2).add(1f).mul(x).mul(TWO_OVER_SQRT_PI);
        FloatVector tail = UnaryF32.erfcNonNegative(a).neg().add(1f);
        tail = tail.blend(tail.neg(), x.compare(VectorOperators.LT, 0f));
        return tail.blend(series, a.compare(VectorOperators.LT, 0.5f));
    }
}
