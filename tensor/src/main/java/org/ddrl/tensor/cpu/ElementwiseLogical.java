package org.ddrl.tensor.cpu;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;
import org.ddrl.kernels.cpu.Parallel;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Tensor;

/**
 * logical_not, logical_and, logical_or on any dtypes. Inputs are first read as BOOL, which is exactly
 * "nonzero" (casting to BOOL stores v != 0, so NaN counts as true, as in PyTorch).
 */
final class ElementwiseLogical {
    private ElementwiseLogical() {}

    private static final long GRAIN = 1 << 16;

    static Tensor not(Tensor x) {
        int[] shape = x.shape();
        Tensor res = CpuTensors.empty(DType.BOOL, shape);
        if (res.numel() == 0) return res;
        ElementwiseOperand m = ElementwiseOperand.of(x, DType.BOOL, shape);
        MemorySegment s = m.seg(), o = CpuTensors.seg(res);
        long off = m.off();
        Parallel.forRange(res.numel(), GRAIN, (lo, hi) -> {
            for (long i = lo; i < hi; i++) o.set(JAVA_BYTE, i, (byte) (s.get(JAVA_BYTE, off + i) ^ 1));
        });
        m.done();
        return res;
    }

    static Tensor andOr(Op op, Tensor a, Tensor b, int[] shape) {
        Tensor res = CpuTensors.empty(DType.BOOL, shape);
        if (res.numel() == 0) return res;
        ElementwiseOperand x = ElementwiseOperand.of(a, DType.BOOL, shape), y = ElementwiseOperand.of(b, DType.BOOL, shape);
        MemorySegment xs = x.seg(), ys = y.seg(), o = CpuTensors.seg(res);
        long xo = x.off(), yo = y.off(), xi = x.scalar() ? 0 : 1, yi = y.scalar() ? 0 : 1;
        boolean and = op == Op.LOGICAL_AND;
        Parallel.forRange(res.numel(), GRAIN, (lo, hi) -> {
            for (long i = lo; i < hi; i++) {
                byte u = xs.get(JAVA_BYTE, xo + i * xi), v = ys.get(JAVA_BYTE, yo + i * yi);
                o.set(JAVA_BYTE, i, and ? (byte) (u & v) : (byte) (u | v));
            }
        });
        x.done();
        y.done();
        return res;
    }
}
