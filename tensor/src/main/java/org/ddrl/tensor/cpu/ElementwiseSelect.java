package org.ddrl.tensor.cpu;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;
import org.ddrl.kernels.cpu.Parallel;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;

/**
 * where and masked_fill: pick, per element, one of two values already converted to the output dtype.
 * Values are moved as raw bits of the element's width, so every dtype is copied exactly.
 */
final class ElementwiseSelect {
    private ElementwiseSelect() {}

    private static final long GRAIN = 1 << 16;

    /** condition ? a : b, all three broadcast together; the result has dtype promote(a, b). */
    static Tensor where(Tensor cond, Tensor a, Tensor b) {
        if (cond.dtype() != DType.BOOL) {
            throw new IllegalArgumentException("where: condition must be bool, got " + cond.dtype().name().toLowerCase()
                    + " (condition " + CpuTensors.desc(cond) + ", a " + CpuTensors.desc(a) + ", b " + CpuTensors.desc(b) + ")");
        }
        int[] shape = Shapes.broadcast("where", Shapes.broadcast("where", cond.shape(), a.shape()), b.shape());
        DType dt = DType.promote(a.dtype(), b.dtype());
        Tensor res = CpuTensors.empty(dt, shape);
        if (res.numel() == 0) return res;
        ElementwiseOperand c = ElementwiseOperand.of(cond, DType.BOOL, shape);
        ElementwiseOperand x = ElementwiseOperand.of(a, dt, shape), y = ElementwiseOperand.of(b, dt, shape);
        select(c, x, y, res);
        c.done();
        x.done();
        y.done();
        return res;
    }

    /** input with value wherever mask (broadcast to the input's shape) is true; keeps the input's dtype. */
    static Tensor maskedFill(Tensor input, Tensor mask, double value) {
        if (mask.dtype() != DType.BOOL) {
            throw new IllegalArgumentException("masked_fill: mask must be bool, got " + mask.dtype().name().toLowerCase()
                    + " (input " + CpuTensors.desc(input) + ", mask " + CpuTensors.desc(mask) + ")");
        }
        int[] shape = input.shape();
        int[] joint = Shapes.broadcast("masked_fill", shape, mask.shape());
        if (!java.util.Arrays.equals(joint, shape)) {
            throw new IllegalArgumentException("masked_fill: mask of shape " + Shapes.str(mask.shape())
                    + " does not broadcast to the input's shape " + Shapes.str(shape) + " (it would give " + Shapes.str(joint) + ")");
        }
        DType dt = input.dtype();
        Tensor res = CpuTensors.empty(dt, shape);
        if (res.numel() == 0) return res;
        Tensor fill = CpuTensors.empty(dt);
        Elements.setD(CpuTensors.seg(fill), dt, 0, value);
        ElementwiseOperand c = ElementwiseOperand.of(mask, DType.BOOL, shape);
        ElementwiseOperand v = ElementwiseOperand.of(fill, dt, shape), x = ElementwiseOperand.of(input, dt, shape);
        select(c, v, x, res);
        c.done();
        x.done();
        fill.storage().release();
        return res;
    }

    private static void select(ElementwiseOperand c, ElementwiseOperand a, ElementwiseOperand b, Tensor res) {
        MemorySegment cs = c.seg(), as = a.seg(), bs = b.seg(), o = CpuTensors.seg(res);
        long co = c.off(), ao = a.off(), bo = b.off();
        long ci = c.scalar() ? 0 : 1, ai = a.scalar() ? 0 : 1, bi = b.scalar() ? 0 : 1;
        int width = res.dtype().byteSize();
        Parallel.forRange(res.numel(), GRAIN, (lo, hi) -> {
            for (long i = lo; i < hi; i++) {
                boolean t = cs.get(JAVA_BYTE, co + i * ci) != 0;
                long src = t ? ao + i * ai : bo + i * bi;
                MemorySegment from = t ? as : bs;
                switch (width) {
                    case 8 -> o.setAtIndex(JAVA_LONG, i, from.getAtIndex(JAVA_LONG, src));
                    case 4 -> o.setAtIndex(JAVA_INT, i, from.getAtIndex(JAVA_INT, src));
                    case 2 -> o.setAtIndex(JAVA_SHORT, i, from.getAtIndex(JAVA_SHORT, src));
                    default -> o.set(JAVA_BYTE, i, from.get(JAVA_BYTE, src));
                }
            }
        });
    }
}
