package org.ddrl.tensor.cpu;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
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
    private static final ByteOrder NO = ByteOrder.nativeOrder();
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    /** Condition bytes with as many lanes as I; null when no such vector shape exists. */
    private static final VectorSpecies<Byte> IB = byteSpecies();

    private static VectorSpecies<Byte> byteSpecies() {
        try {
            return VectorSpecies.of(byte.class, VectorShape.forBitSize(I.length() * 8));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

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
        select(shape, res, cond, a, b);
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
        select(shape, res, mask, fill, input);
        fill.storage().release();
        return res;
    }

    /**
     * res = cond ? a : b over the plan of the four. Inputs that are constant along a run (a broadcast mask
     * row, the fill value) are read as one value there; the others in place or, for another dtype or
     * stride, through the per-thread scratch.
     */
    private static void select(int[] shape, Tensor res, Tensor cond, Tensor a, Tensor b) {
        ElementwisePlan plan = ElementwisePlan.of(shape, res, cond, a, b);
        DType dt = res.dtype();
        ElementwiseOperand o = new ElementwiseOperand(plan, 0, res, dt, false);
        ElementwiseOperand c = new ElementwiseOperand(plan, 1, cond, DType.BOOL, true);
        ElementwiseOperand x = new ElementwiseOperand(plan, 2, a, dt, true), y = new ElementwiseOperand(plan, 3, b, dt, true);
        boolean cs = c.scalarRuns(), xs = x.scalarRuns(), ys = y.scalarRuns();
        boolean inPlace = o.inPlace(false) && c.inPlace(cs) && x.inPlace(xs) && y.inPlace(ys);
        int width = dt.byteSize();
        plan.forEachRun(GRAIN, inPlace ? ElementwisePlan.DENSE_RUN : ElementwisePlan.SCRATCH_RUN, r -> {
            o.target(r);
            c.load(r, cs);
            x.load(r, xs);
            y.load(r, ys);
            long ci = cs ? 0 : 1, ai = xs ? 0 : 1, bi = ys ? 0 : 1, lo = r.pos[0], hi = lo + r.n;
            switch (width) {
                case 8 -> select8(r.seg[1], r.rel(1), ci, r.seg[2], r.rel(2), ai, r.seg[3], r.rel(3), bi, r.seg[0], lo, hi);
                case 4 -> select4(r.seg[1], r.rel(1), ci, r.seg[2], r.rel(2), ai, r.seg[3], r.rel(3), bi, r.seg[0], lo, hi);
                case 2 -> select2(r.seg[1], r.rel(1), ci, r.seg[2], r.rel(2), ai, r.seg[3], r.rel(3), bi, r.seg[0], lo, hi);
                default -> select1(r.seg[1], r.rel(1), ci, r.seg[2], r.rel(2), ai, r.seg[3], r.rel(3), bi, r.seg[0], lo, hi);
            }
        }, c, x, y);
        c.done();
        x.done();
        y.done();
    }

    // One loop per element width, reading both candidates so that the choice compiles to a branch-free select.
    // Each input is read at offset + i * step for output index i, step 1 for a run and 0 for a single value.

    private static void select8(MemorySegment cs, long co, long ci, MemorySegment as, long ao, long ai, MemorySegment bs, long bo,
                                long bi, MemorySegment o, long lo, long hi) {
        for (long i = lo; i < hi; i++) {
            long x = as.getAtIndex(JAVA_LONG, ao + i * ai), y = bs.getAtIndex(JAVA_LONG, bo + i * bi);
            o.setAtIndex(JAVA_LONG, i, cs.get(JAVA_BYTE, co + i * ci) != 0 ? x : y);
        }
    }

    private static void select4(MemorySegment cs, long co, long ci, MemorySegment as, long ao, long ai, MemorySegment bs, long bo,
                                long bi, MemorySegment o, long lo, long hi) {
        long i = lo;
        if (IB != null && ci == 1 && (ai == 1 || bi == 1)) {
            // F32 and I32, the common case (attention masks, masked_fill): whole vectors of lanes at a time
            long end = lo + I.loopBound(hi - lo);
            if (ai == 1 && bi == 1) select4VV(cs, co, as, ao, bs, bo, o, lo, end);
            else if (ai == 1) select4VS(cs, co, as, ao, bs.getAtIndex(JAVA_INT, bo), o, lo, end);
            else select4SV(cs, co, as.getAtIndex(JAVA_INT, ao), bs, bo, o, lo, end);
            i = end;
        }
        for (; i < hi; i++) {
            int x = as.getAtIndex(JAVA_INT, ao + i * ai), y = bs.getAtIndex(JAVA_INT, bo + i * bi);
            o.setAtIndex(JAVA_INT, i, cs.get(JAVA_BYTE, co + i * ci) != 0 ? x : y);
        }
    }

    private static void select2(MemorySegment cs, long co, long ci, MemorySegment as, long ao, long ai, MemorySegment bs, long bo,
                                long bi, MemorySegment o, long lo, long hi) {
        for (long i = lo; i < hi; i++) {
            short x = as.getAtIndex(JAVA_SHORT, ao + i * ai), y = bs.getAtIndex(JAVA_SHORT, bo + i * bi);
            o.setAtIndex(JAVA_SHORT, i, cs.get(JAVA_BYTE, co + i * ci) != 0 ? x : y);
        }
    }

    private static void select1(MemorySegment cs, long co, long ci, MemorySegment as, long ao, long ai, MemorySegment bs, long bo,
                                long bi, MemorySegment o, long lo, long hi) {
        for (long i = lo; i < hi; i++) {
            byte x = as.get(JAVA_BYTE, ao + i * ai), y = bs.get(JAVA_BYTE, bo + i * bi);
            o.set(JAVA_BYTE, i, cs.get(JAVA_BYTE, co + i * ci) != 0 ? x : y);
        }
    }

    private static void select4VV(MemorySegment cs, long co, MemorySegment as, long ao, MemorySegment bs, long bo, MemorySegment o,
                                  long lo, long end) {
        for (long i = lo; i < end; i += I.length()) {
            VectorMask<Integer> t = ByteVector.fromMemorySegment(IB, cs, co + i, NO).compare(VectorOperators.NE, 0).cast(I);
            IntVector x = IntVector.fromMemorySegment(I, as, (ao + i) * 4, NO), y = IntVector.fromMemorySegment(I, bs, (bo + i) * 4, NO);
            y.blend(x, t).intoMemorySegment(o, i * 4, NO);
        }
    }

    /** a where the condition holds, else the scalar b. */
    private static void select4VS(MemorySegment cs, long co, MemorySegment as, long ao, int b, MemorySegment o, long lo, long end) {
        IntVector y = IntVector.broadcast(I, b);
        for (long i = lo; i < end; i += I.length()) {
            VectorMask<Integer> t = ByteVector.fromMemorySegment(IB, cs, co + i, NO).compare(VectorOperators.NE, 0).cast(I);
            y.blend(IntVector.fromMemorySegment(I, as, (ao + i) * 4, NO), t).intoMemorySegment(o, i * 4, NO);
        }
    }

    /** The scalar a where the condition holds, else b. */
    private static void select4SV(MemorySegment cs, long co, int a, MemorySegment bs, long bo, MemorySegment o, long lo, long end) {
        IntVector x = IntVector.broadcast(I, a);
        for (long i = lo; i < end; i += I.length()) {
            VectorMask<Integer> t = ByteVector.fromMemorySegment(IB, cs, co + i, NO).compare(VectorOperators.NE, 0).cast(I);
            IntVector.fromMemorySegment(I, bs, (bo + i) * 4, NO).blend(x, t).intoMemorySegment(o, i * 4, NO);
        }
    }
}
