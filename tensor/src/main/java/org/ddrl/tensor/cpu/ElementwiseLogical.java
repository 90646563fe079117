package org.ddrl.tensor.cpu;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;
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
        ElementwisePlan plan = ElementwisePlan.of(shape, res, x);
        ElementwiseOperand o = new ElementwiseOperand(plan, 0, res, DType.BOOL, false);
        ElementwiseOperand m = new ElementwiseOperand(plan, 1, x, DType.BOOL, false);
        int maxRun = m.inPlace(false) ? ElementwisePlan.DENSE_RUN : ElementwisePlan.SCRATCH_RUN;
        plan.forEachRun(GRAIN, maxRun, r -> {
            o.target(r);
            m.load(r, false);
            MemorySegment s = r.seg[1], out = r.seg[0];
            long off = r.rel(1), lo = r.pos[0], hi = lo + r.n;
            for (long i = lo; i < hi; i++) out.set(JAVA_BYTE, i, (byte) (s.get(JAVA_BYTE, off + i) ^ 1));
        }, m);
        m.done();
        return res;
    }

    static Tensor andOr(Op op, Tensor a, Tensor b, int[] shape) {
        Tensor res = CpuTensors.empty(DType.BOOL, shape);
        if (res.numel() == 0) return res;
        ElementwisePlan plan = ElementwisePlan.of(shape, res, a, b);
        ElementwiseOperand o = new ElementwiseOperand(plan, 0, res, DType.BOOL, false);
        ElementwiseOperand x = new ElementwiseOperand(plan, 1, a, DType.BOOL, true), y = new ElementwiseOperand(plan, 2, b, DType.BOOL, true);
        boolean xs = x.scalarRuns(), ys = y.scalarRuns(), and = op == Op.LOGICAL_AND;
        int maxRun = x.inPlace(xs) && y.inPlace(ys) ? ElementwisePlan.DENSE_RUN : ElementwisePlan.SCRATCH_RUN;
        plan.forEachRun(GRAIN, maxRun, r -> {
            o.target(r);
            x.load(r, xs);
            y.load(r, ys);
            MemorySegment u = r.seg[1], v = r.seg[2], out = r.seg[0];
            long uo = r.rel(1), vo = r.rel(2), ui = xs ? 0 : 1, vi = ys ? 0 : 1, lo = r.pos[0], hi = lo + r.n;
            for (long i = lo; i < hi; i++) {
                byte p = u.get(JAVA_BYTE, uo + i * ui), q = v.get(JAVA_BYTE, vo + i * vi);
                out.set(JAVA_BYTE, i, and ? (byte) (p & q) : (byte) (p | q));
            }
        }, x, y);
        x.done();
        y.done();
        return res;
    }
}
