package org.ddrl.tensor.cpu;

import org.ddrl.kernels.cpu.LaneSums;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import org.ddrl.kernels.cpu.VectorMath;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import org.ddrl.kernels.cpu.Parallel;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;

/**
 * softmax and log_softmax along one dim, stable by subtracting the row max: a max pass, an exp-sum pass
 * and a scale (or shift) pass per row. A row of all -inf gives NaN, as in PyTorch. A dim other than the
 * last is moved last by one copy in, and the result moved back by one copy out.
 */
final class SoftmaxKernels {
    private SoftmaxKernels() {}

    static Tensor apply(boolean log, Attrs a, Tensor x) {
        String name = log ? "log_softmax" : "softmax";
        ReductionKernels.requireFloating(name, x);
        int rank = x.dim();
        int d = Shapes.dim(name, a.i("dim"), rank);
        int[] shape = x.shape();
        Tensor out = CpuTensors.empty(x.dtype(), shape);
        if (out.numel() == 0) return out;
        DType cdt = ReductionKernels.floatCompute(x.dtype());
        if (rank == 0 || d == rank - 1) {
            Tensor src = ReductionKernels.contiguousIn(x, cdt);
            Tensor dst = out.dtype() == cdt ? out : CpuTensors.empty(cdt, shape);
            rows(log, src, dst, rank == 0 ? 1 : shape[d]);
            if (dst != out) CpuTensors.copyCast(dst, out);
            return out;
        }
        int[] perm = new int[rank], back = new int[rank];
        for (int i = 0, j = 0; i < rank; i++) if (i != d) perm[j++] = i;
        perm[rank - 1] = d;
        for (int i = 0; i < rank; i++) back[perm[i]] = i;
        Tensor moved = x.permute(perm);
        Tensor src = CpuTensors.dense(moved, cdt, moved.shape());
        // The copy can be overwritten in place; the input itself (when it already was dense) cannot.
        Tensor dst = src.storage() == x.storage() ? CpuTensors.empty(cdt, moved.shape()) : src;
        rows(log, src, dst, shape[d]);
        CpuTensors.copyCast(dst.permute(back), out);
        return out;
    }

    /** Every row of len elements of the contiguous src into the dense dst (which may be src itself). */
    private static void rows(boolean log, Tensor src, Tensor dst, int len) {
        MemorySegment s = CpuTensors.seg(src), o = CpuTensors.seg(dst);
        long sb = src.offset(), ob = dst.offset();
        boolean f32 = src.dtype() == DType.F32;
        Parallel.forRange(src.numel() / len, Math.max(1, ReduceParallel.CHUNK / len), (lo, hi) -> {
            for (long r = lo; r < hi; r++) {
                long so = sb + r * len, oo = ob + r * len;
                if (f32 && log) logSoftmaxF32(s, so, o, oo, len);
                else if (f32) softmaxF32(s, so, o, oo, len);
                else if (log) logSoftmaxF64(s, so, o, oo, len);
                else softmaxF64(s, so, o, oo, len);
            }
        });
    }

    private static void softmaxF32(MemorySegment s, long so, MemorySegment o, long oo, int n) {
        int l = ReduceF32.L;
        float m = ReduceF32.max(s, so, n);
        FloatVector mv = FloatVector.broadcast(ReduceF32.S, m);
        // exp(x - max) is stored and summed in float vectors over blocks, the block totals in double, so
        // long rows (a large vocabulary) keep F32 accuracy.
        double sum = 0;
        int i = 0;
        while (i <= n - l) {
            FloatVector acc = FloatVector.zero(ReduceF32.S);
            for (int end = Math.min(n - l, i + ReduceF32.BLOCK - l); i <= end; i += l) {
                FloatVector e = VectorMath.exp(ReduceF32.load(s, so + i).sub(mv));
                e.intoMemorySegment(o, (oo + i) * 4, ReduceF32.NATIVE);
                acc = acc.add(e);
            }
            sum += LaneSums.sum(acc);
        }
        for (; i < n; i++) {
            float e = VectorMath.exp(s.getAtIndex(JAVA_FLOAT, so + i) - m);
            o.setAtIndex(JAVA_FLOAT, oo + i, e);
            sum += e;
        }
        float inv = (float) (1 / sum);
        FloatVector iv = FloatVector.broadcast(ReduceF32.S, inv);
        for (i = 0; i <= n - l; i += l) ReduceF32.load(o, oo + i).mul(iv).intoMemorySegment(o, (oo + i) * 4, ReduceF32.NATIVE);
        for (; i < n; i++) o.setAtIndex(JAVA_FLOAT, oo + i, o.getAtIndex(JAVA_FLOAT, oo + i) * inv);
    }

    /** (x - max) - log(sum(exp(x - max))): subtracting the max first keeps large inputs exact. */
    private static void logSoftmaxF32(MemorySegment s, long so, MemorySegment o, long oo, int n) {
        int l = ReduceF32.L;
        float m = ReduceF32.max(s, so, n);
        float lse = (float) VectorMath.log(ReduceF32.sumExp(s, so, n, m));
        FloatVector mv = FloatVector.broadcast(ReduceF32.S, m), lv = FloatVector.broadcast(ReduceF32.S, lse);
        int i = 0;
        for (; i <= n - l; i += l) ReduceF32.load(s, so + i).sub(mv).sub(lv).intoMemorySegment(o, (oo + i) * 4, ReduceF32.NATIVE);
        for (; i < n; i++) o.setAtIndex(JAVA_FLOAT, oo + i, (s.getAtIndex(JAVA_FLOAT, so + i) - m) - lse);
    }

    private static void softmaxF64(MemorySegment s, long so, MemorySegment o, long oo, int n) {
        int l = ReduceF64.L;
        double m = ReduceF64.max(s, so, n);
        DoubleVector mv = DoubleVector.broadcast(ReduceF64.S, m);
        DoubleVector acc = DoubleVector.zero(ReduceF64.S);
        int i = 0;
        for (; i <= n - l; i += l) {
            DoubleVector e = VectorMath.exp(ReduceF64.load(s, so + i).sub(mv));
            e.intoMemorySegment(o, (oo + i) * 8, ReduceF64.NATIVE);
            acc = acc.add(e);
        }
        double sum = LaneSums.sum(acc);
        for (; i < n; i++) {
            double e = VectorMath.exp(s.getAtIndex(JAVA_DOUBLE, so + i) - m);
            o.setAtIndex(JAVA_DOUBLE, oo + i, e);
            sum += e;
        }
        double inv = 1 / sum;
        DoubleVector iv = DoubleVector.broadcast(ReduceF64.S, inv);
        for (i = 0; i <= n - l; i += l) ReduceF64.load(o, oo + i).mul(iv).intoMemorySegment(o, (oo + i) * 8, ReduceF64.NATIVE);
        for (; i < n; i++) o.setAtIndex(JAVA_DOUBLE, oo + i, o.getAtIndex(JAVA_DOUBLE, oo + i) * inv);
    }

    private static void logSoftmaxF64(MemorySegment s, long so, MemorySegment o, long oo, int n) {
        int l = ReduceF64.L;
        double m = ReduceF64.max(s, so, n);
        double lse = VectorMath.log(ReduceF64.sumExp(s, so, n, m));
        DoubleVector mv = DoubleVector.broadcast(ReduceF64.S, m), lv = DoubleVector.broadcast(ReduceF64.S, lse);
        int i = 0;
        for (; i <= n - l; i += l) ReduceF64.load(s, so + i).sub(mv).sub(lv).intoMemorySegment(o, (oo + i) * 8, ReduceF64.NATIVE);
        for (; i < n; i++) o.setAtIndex(JAVA_DOUBLE, oo + i, (s.getAtIndex(JAVA_DOUBLE, so + i) - m) - lse);
    }
}
