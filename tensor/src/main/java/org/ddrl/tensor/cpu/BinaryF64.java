package org.ddrl.tensor.cpu;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.ddrl.tensor.Op;

/** Binary ops on F64 operands: Vector API arithmetic, scalar comparisons into BOOL bytes. */
final class BinaryF64 {
    private BinaryF64() {}

    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ByteOrder NO = ByteOrder.nativeOrder();

    /** o[i] = a[i] op b[i] for i in [lo, hi); o is a fresh F64 output. */
    static void arith(Op op, ElementwiseOperand a, ElementwiseOperand b, MemorySegment o, long lo, long hi) {
        if (b.scalar()) {
            double s = b.seg().getAtIndex(JAVA_DOUBLE, b.off());
            if (op == Op.POW && s == 2) vv(Op.MUL, a.seg(), a.off(), a.seg(), a.off(), o, lo, hi);
            else vs(op, a.seg(), a.off(), s, o, lo, hi);
        } else if (a.scalar()) {
            sv(op, a.seg().getAtIndex(JAVA_DOUBLE, a.off()), b.seg(), b.off(), o, lo, hi);
        } else {
            vv(op, a.seg(), a.off(), b.seg(), b.off(), o, lo, hi);
        }
    }

    private static void vv(Op op, MemorySegment a, long ao, MemorySegment b, long bo, MemorySegment o, long lo, long hi) {
        long i = lo;
        for (long end = lo + S.loopBound(hi - lo); i < end; i += L) {
            DoubleVector x = DoubleVector.fromMemorySegment(S, a, (ao + i) * 8, NO);
            DoubleVector y = DoubleVector.fromMemorySegment(S, b, (bo + i) * 8, NO);
            apply(op, x, y).intoMemorySegment(o, i * 8, NO);
        }
        if (i < hi) {
            VectorMask<Double> m = S.indexInRange(i, hi);
            DoubleVector x = DoubleVector.fromMemorySegment(S, a, (ao + i) * 8, NO, m);
            DoubleVector y = DoubleVector.fromMemorySegment(S, b, (bo + i) * 8, NO, m);
            apply(op, x, y).intoMemorySegment(o, i * 8, NO, m);
        }
    }

    private static void vs(Op op, MemorySegment a, long ao, double s, MemorySegment o, long lo, long hi) {
        DoubleVector y = DoubleVector.broadcast(S, s);
        long i = lo;
        for (long end = lo + S.loopBound(hi - lo); i < end; i += L) {
            apply(op, DoubleVector.fromMemorySegment(S, a, (ao + i) * 8, NO), y).intoMemorySegment(o, i * 8, NO);
        }
        if (i < hi) {
            VectorMask<Double> m = S.indexInRange(i, hi);
            apply(op, DoubleVector.fromMemorySegment(S, a, (ao + i) * 8, NO, m), y).intoMemorySegment(o, i * 8, NO, m);
        }
    }

    private static void sv(Op op, double s, MemorySegment b, long bo, MemorySegment o, long lo, long hi) {
        DoubleVector x = DoubleVector.broadcast(S, s);
        long i = lo;
        for (long end = lo + S.loopBound(hi - lo); i < end; i += L) {
            apply(op, x, DoubleVector.fromMemorySegment(S, b, (bo + i) * 8, NO)).intoMemorySegment(o, i * 8, NO);
        }
        if (i < hi) {
            VectorMask<Double> m = S.indexInRange(i, hi);
            apply(op, x, DoubleVector.fromMemorySegment(S, b, (bo + i) * 8, NO, m)).intoMemorySegment(o, i * 8, NO, m);
        }
    }

    /** See BinaryF32.apply. */
    private static DoubleVector apply(Op op, DoubleVector x, DoubleVector y) {
        return switch (op) {
            case ADD -> x.add(y);
            case SUB -> x.sub(y);
            case MUL -> x.mul(y);
            case DIV -> x.div(y);
            case POW -> x.lanewise(VectorOperators.POW, y);
            case MAXIMUM -> x.max(y);
            case MINIMUM -> x.min(y);
            default -> throw new IllegalStateException("no F64 arithmetic loop for " + op.opName());
        };
    }

    /** o[i] = (a[i] op b[i]) as BOOL bytes for i in [lo, hi). */
    static void compare(Op op, ElementwiseOperand a, ElementwiseOperand b, MemorySegment o, long lo, long hi) {
        MemorySegment x = a.seg(), y = b.seg();
        long xo = a.off(), yo = b.off(), xs = a.scalar() ? 0 : 1, ys = b.scalar() ? 0 : 1;
        for (long i = lo; i < hi; i++) {
            boolean r = ElementwiseKernels.compare(op, x.getAtIndex(JAVA_DOUBLE, xo + i * xs), y.getAtIndex(JAVA_DOUBLE, yo + i * ys));
            o.set(JAVA_BYTE, i, (byte) (r ? 1 : 0));
        }
    }
}
