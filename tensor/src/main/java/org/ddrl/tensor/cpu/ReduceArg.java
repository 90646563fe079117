package org.ddrl.tensor.cpu;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import org.ddrl.kernels.cpu.Parallel;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;

/**
 * argmax and argmin along one dim, as I64 indices. The first index wins ties, and a NaN beats every
 * number (the first NaN wins), as in PyTorch. Floating rows find the extreme value with a vector pass,
 * then scan for its first position.
 */
final class ReduceArg {
    private ReduceArg() {}

    static Tensor apply(boolean max, Attrs a, Tensor x) {
        String name = max ? "argmax" : "argmin";
        int[] shape = x.shape();
        int d = Shapes.dim(name, a.i("dim"), x.dim());
        int[] dims = x.dim() == 0 ? new int[0] : new int[] {d};
        Tensor out = CpuTensors.empty(DType.I64, Shapes.reduced(shape, dims, a.b("keepdim")));
        if (out.numel() == 0) return out;
        if (x.dim() > 0 && shape[d] == 0) {
            throw new IllegalArgumentException(name + ": cannot reduce over dim " + d + " of input " + CpuTensors.desc(x)
                    + ": it has size 0");
        }
        DType cdt = x.dtype().isFloatingPoint() ? ReductionKernels.floatCompute(x.dtype()) : DType.I64;
        ReducePlan p = ReducePlan.of(name, x, dims, cdt, false);
        MemorySegment s = p.seg(), o = CpuTensors.seg(out);
        long len = p.len();
        int n = Math.toIntExact(len);
        Parallel.forRange(p.outer(), Math.max(1, ReduceParallel.CHUNK / len), (lo, hi) -> {
            for (long r = lo; r < hi; r++) {
                long off = p.base() + r * len;
                long idx = switch (cdt) {
                    case F32 -> argF32(max, s, off, n);
                    case F64 -> argF64(max, s, off, n);
                    default -> argLong(max, s, off, n);
                };
                o.setAtIndex(JAVA_LONG, r, idx);
            }
        });
        return out;
    }

    private static int argF32(boolean max, MemorySegment s, long off, int n) {
        float m = max ? ReduceF32.max(s, off, n) : ReduceF32.min(s, off, n);
        int i = 0;
        if (Float.isNaN(m)) {
            while (!Float.isNaN(s.getAtIndex(JAVA_FLOAT, off + i))) i++;
        } else {
            while (s.getAtIndex(JAVA_FLOAT, off + i) != m) i++;
        }
        return i;
    }

    private static int argF64(boolean max, MemorySegment s, long off, int n) {
        double m = max ? ReduceF64.max(s, off, n) : ReduceF64.min(s, off, n);
        int i = 0;
        if (Double.isNaN(m)) {
            while (!Double.isNaN(s.getAtIndex(JAVA_DOUBLE, off + i))) i++;
        } else {
            while (s.getAtIndex(JAVA_DOUBLE, off + i) != m) i++;
        }
        return i;
    }

    private static int argLong(boolean max, MemorySegment s, long off, int n) {
        long best = s.getAtIndex(JAVA_LONG, off);
        int at = 0;
        for (int i = 1; i < n; i++) {
            long v = s.getAtIndex(JAVA_LONG, off + i);
            if (max ? v > best : v < best) {
                best = v;
                at = i;
            }
        }
        return at;
    }
}
