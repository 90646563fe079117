package org.ddrl.tensor.cpu;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.ddrl.tensor.Op;

/**
 * Binary ops on F32 operands with the Vector API: arithmetic into F32, comparisons into BOOL bytes.
 * A scalar operand is broadcast into a vector once; the last partial vector runs masked.
 */
final class BinaryF32 {
    private BinaryF32() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ByteOrder NO = ByteOrder.nativeOrder();
    /** Bytes with as many lanes as S, to store comparison masks as BOOL; null when no such vector shape exists. */
    private static final VectorSpecies<Byte> B = byteSpecies();

    private static VectorSpecies<Byte> byteSpecies() {
        try {
            return VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** o[i] = a[i] op b[i] for i in [lo, hi); o is a fresh F32 output. */
    static void arith(Op op, ElementwiseOperand a, ElementwiseOperand b, MemorySegment o, long lo, long hi) {
        if (b.scalar()) {
            float s = b.seg().getAtIndex(JAVA_FLOAT, b.off());
            // x^2 is common (squared errors, variances) and x * x is exact where pow need not be
            if (op == Op.POW && s == 2f) vv(Op.MUL, a.seg(), a.off(), a.seg(), a.off(), o, lo, hi);
            else vs(op, a.seg(), a.off(), s, o, lo, hi);
        } else if (a.scalar()) {
            sv(op, a.seg().getAtIndex(JAVA_FLOAT, a.off()), b.seg(), b.off(), o, lo, hi);
        } else {
            vv(op, a.seg(), a.off(), b.seg(), b.off(), o, lo, hi);
        }
    }

    private static void vv(Op op, MemorySegment a, long ao, MemorySegment b, long bo, MemorySegment o, long lo, long hi) {
        long i = lo;
        for (long end = lo + S.loopBound(hi - lo); i < end; i += L) {
            FloatVector x = FloatVector.fromMemorySegment(S, a, (ao + i) * 4, NO);
            FloatVector y = FloatVector.fromMemorySegment(S, b, (bo + i) * 4, NO);
            apply(op, x, y).intoMemorySegment(o, i * 4, NO);
        }
        if (i < hi) {
            VectorMask<Float> m = S.indexInRange(i, hi);
            FloatVector x = FloatVector.fromMemorySegment(S, a, (ao + i) * 4, NO, m);
            FloatVector y = FloatVector.fromMemorySegment(S, b, (bo + i) * 4, NO, m);
            apply(op, x, y).intoMemorySegment(o, i * 4, NO, m);
        }
    }

    private static void vs(Op op, MemorySegment a, long ao, float s, MemorySegment o, long lo, long hi) {
        FloatVector y = FloatVector.broadcast(S, s);
        long i = lo;
        for (long end = lo + S.loopBound(hi - lo); i < end; i += L) {
            apply(op, FloatVector.fromMemorySegment(S, a, (ao + i) * 4, NO), y).intoMemorySegment(o, i * 4, NO);
        }
        if (i < hi) {
            VectorMask<Float> m = S.indexInRange(i, hi);
            apply(op, FloatVector.fromMemorySegment(S, a, (ao + i) * 4, NO, m), y).intoMemorySegment(o, i * 4, NO, m);
        }
    }

    private static void sv(Op op, float s, MemorySegment b, long bo, MemorySegment o, long lo, long hi) {
        FloatVector x = FloatVector.broadcast(S, s);
        long i = lo;
        for (long end = lo + S.loopBound(hi - lo); i < end; i += L) {
            apply(op, x, FloatVector.fromMemorySegment(S, b, (bo + i) * 4, NO)).intoMemorySegment(o, i * 4, NO);
        }
        if (i < hi) {
            VectorMask<Float> m = S.indexInRange(i, hi);
            apply(op, x, FloatVector.fromMemorySegment(S, b, (bo + i) * 4, NO, m)).intoMemorySegment(o, i * 4, NO, m);
        }
    }

    /** Operators are literal constants so that each case compiles to vector instructions. */
    private static FloatVector apply(Op op, FloatVector x, FloatVector y) {
        return switch (op) {
            case ADD -> x.add(y);
            case SUB -> x.sub(y);
            case MUL -> x.mul(y);
            case DIV -> x.div(y);
            case POW -> x.lanewise(VectorOperators.POW, y);
            // min and max follow Math.min and Math.max: NaN propagates and -0 < +0, as PyTorch
            case MAXIMUM -> x.max(y);
            case MINIMUM -> x.min(y);
            default -> throw new IllegalStateException("no F32 arithmetic loop for " + op.opName());
        };
    }

    /** o[i] = (a[i] op b[i]) as BOOL bytes for i in [lo, hi). */
    static void compare(Op op, ElementwiseOperand a, ElementwiseOperand b, MemorySegment o, long lo, long hi) {
        long as = a.scalar() ? 0 : 1, bs = b.scalar() ? 0 : 1;
        long i = lo;
        if (B != null && as == 1 && bs == 1) {
            MemorySegment x = a.seg(), y = b.seg();
            long xo = a.off(), yo = b.off();
            ByteVector zero = ByteVector.zero(B);
            for (long end = lo + S.loopBound(hi - lo); i < end; i += L) {
                VectorMask<Float> r = test(op, FloatVector.fromMemorySegment(S, x, (xo + i) * 4, NO),
                        FloatVector.fromMemorySegment(S, y, (yo + i) * 4, NO));
                zero.blend((byte) 1, r.cast(B)).intoMemorySegment(o, i, NO);
            }
        } else if (B != null) {
            // one side is a single value: broadcast it and walk the other
            boolean left = as == 0;
            ElementwiseOperand v = left ? b : a, s = left ? a : b;
            FloatVector k = FloatVector.broadcast(S, s.seg().getAtIndex(JAVA_FLOAT, s.off()));
            MemorySegment x = v.seg();
            long xo = v.off();
            ByteVector zero = ByteVector.zero(B);
            for (long end = (v.scalar() ? lo : lo + S.loopBound(hi - lo)); i < end; i += L) {
                FloatVector e = FloatVector.fromMemorySegment(S, x, (xo + i) * 4, NO);
                VectorMask<Float> r = left ? test(op, k, e) : test(op, e, k);
                zero.blend((byte) 1, r.cast(B)).intoMemorySegment(o, i, NO);
            }
        }
        for (; i < hi; i++) {
            float x = a.seg().getAtIndex(JAVA_FLOAT, a.off() + i * as), y = b.seg().getAtIndex(JAVA_FLOAT, b.off() + i * bs);
            o.set(JAVA_BYTE, i, (byte) (ElementwiseKernels.compare(op, x, y) ? 1 : 0));
        }
    }

    private static VectorMask<Float> test(Op op, FloatVector x, FloatVector y) {
        return switch (op) {
            case EQ -> x.compare(VectorOperators.EQ, y);
            case NE -> x.compare(VectorOperators.NE, y);
            case LT -> x.compare(VectorOperators.LT, y);
            case LE -> x.compare(VectorOperators.LE, y);
            case GT -> x.compare(VectorOperators.GT, y);
            case GE -> x.compare(VectorOperators.GE, y);
            default -> throw new IllegalStateException("no F32 comparison loop for " + op.opName());
        };
    }
}
