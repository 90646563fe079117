package org.ddrl.tensor.cpu;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import org.ddrl.kernels.cpu.VectorMath;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.ddrl.tensor.Op;

/**
 * Binary ops on F32 operands with the Vector API: arithmetic into F32, comparisons into BOOL bytes.
 * One loop per op and operand kind (both dense, or one a scalar broadcast into a register), for the
 * reason given in UnaryF32; the last partial vector runs masked.
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

    private static FloatVector ld(MemorySegment s, long i) {
        return FloatVector.fromMemorySegment(S, s, i * 4, NO);
    }

    private static FloatVector ld(MemorySegment s, long i, VectorMask<Float> m) {
        return FloatVector.fromMemorySegment(S, s, i * 4, NO, m);
    }

    // ------------------------------------------------------------------ arithmetic

    /** o[i] = a[i] op b[i] for i in [lo, hi); o is a fresh F32 output. */
    static void arith(Op op, MemorySegment as, long ao, boolean aScalar, MemorySegment bs, long bo, boolean bScalar,
                      MemorySegment o, long lo, long hi) {
        if (bScalar) {
            float s = bs.getAtIndex(JAVA_FLOAT, bo);
            switch (op) {
                case ADD -> addVS(as, ao, s, o, lo, hi);
                case SUB -> subVS(as, ao, s, o, lo, hi);
                case MUL -> mulVS(as, ao, s, o, lo, hi);
                case DIV -> divVS(as, ao, s, o, lo, hi);
                // x^2 is common (squared errors, variances), and x * x is exact where pow need not be
                case POW -> {
                    if (s == 2f) mulVV(as, ao, as, ao, o, lo, hi);
                    else powVS(as, ao, s, o, lo, hi);
                }
                case MAXIMUM -> maxVS(as, ao, s, o, lo, hi);
                case MINIMUM -> minVS(as, ao, s, o, lo, hi);
                default -> throw new IllegalStateException("no F32 loop for " + op.opName());
            }
        } else if (aScalar) {
            float s = as.getAtIndex(JAVA_FLOAT, ao);
            switch (op) {
                case ADD -> addVS(bs, bo, s, o, lo, hi);
                case SUB -> subSV(s, bs, bo, o, lo, hi);
                case MUL -> mulVS(bs, bo, s, o, lo, hi);
                case DIV -> divSV(s, bs, bo, o, lo, hi);
                case POW -> powSV(s, bs, bo, o, lo, hi);
                case MAXIMUM -> maxVS(bs, bo, s, o, lo, hi);
                case MINIMUM -> minVS(bs, bo, s, o, lo, hi);
                default -> throw new IllegalStateException("no F32 loop for " + op.opName());
            }
        } else {
            switch (op) {
                case ADD -> addVV(as, ao, bs, bo, o, lo, hi);
                case SUB -> subVV(as, ao, bs, bo, o, lo, hi);
                case MUL -> mulVV(as, ao, bs, bo, o, lo, hi);
                case DIV -> divVV(as, ao, bs, bo, o, lo, hi);
                case POW -> powVV(as, ao, bs, bo, o, lo, hi);
                case MAXIMUM -> maxVV(as, ao, bs, bo, o, lo, hi);
                case MINIMUM -> minVV(as, ao, bs, bo, o, lo, hi);
                default -> throw new IllegalStateException("no F32 loop for " + op.opName());
            }
        }
    }

    private static void addVV(MemorySegment a, long ao, MemorySegment b, long bo, MemorySegment o, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) ld(a, ao + i).add(ld(b, bo + i)).intoMemorySegment(o, i * 4, NO);
        if (i < hi) {
            VectorMask<Float> m = S.indexInRange(i, hi);
            ld(a, ao + i, m).add(ld(b, bo + i, m)).intoMemorySegment(o, i * 4, NO, m);
        }
    }

    private static void subVV(MemorySegment a, long ao, MemorySegment b, long bo, MemorySegment o, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) ld(a, ao + i).sub(ld(b, bo + i)).intoMemorySegment(o, i * 4, NO);
        if (i < hi) {
            VectorMask<Float> m = S.indexInRange(i, hi);
            ld(a, ao + i, m).sub(ld(b, bo + i, m)).intoMemorySegment(o, i * 4, NO, m);
        }
    }

    private static void mulVV(MemorySegment a, long ao, MemorySegment b, long bo, MemorySegment o, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) ld(a, ao + i).mul(ld(b, bo + i)).intoMemorySegment(o, i * 4, NO);
        if (i < hi) {
            VectorMask<Float> m = S.indexInRange(i, hi);
            ld(a, ao + i, m).mul(ld(b, bo + i, m)).intoMemorySegment(o, i * 4, NO, m);
        }
    }

    private static void divVV(MemorySegment a, long ao, MemorySegment b, long bo, MemorySegment o, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) ld(a, ao + i).div(ld(b, bo + i)).intoMemorySegment(o, i * 4, NO);
        if (i < hi) {
            VectorMask<Float> m = S.indexInRange(i, hi);
            ld(a, ao + i, m).div(ld(b, bo + i, m)).intoMemorySegment(o, i * 4, NO, m);
        }
    }

    private static void powVV(MemorySegment a, long ao, MemorySegment b, long bo, MemorySegment o, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) {
            VectorMath.pow(ld(a, ao + i), ld(b, bo + i)).intoMemorySegment(o, i * 4, NO);
        }
        if (i < hi) {
            VectorMask<Float> m = S.indexInRange(i, hi);
            VectorMath.pow(ld(a, ao + i, m), ld(b, bo + i, m)).intoMemorySegment(o, i * 4, NO, m);
        }
    }

    /** max and min follow Math.max and Math.min: NaN propagates and -0 < +0, as in PyTorch. */
    private static void maxVV(MemorySegment a, long ao, MemorySegment b, long bo, MemorySegment o, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) ld(a, ao + i).max(ld(b, bo + i)).intoMemorySegment(o, i * 4, NO);
        if (i < hi) {
            VectorMask<Float> m = S.indexInRange(i, hi);
            ld(a, ao + i, m).max(ld(b, bo + i, m)).intoMemorySegment(o, i * 4, NO, m);
        }
    }

    private static void minVV(MemorySegment a, long ao, MemorySegment b, long bo, MemorySegment o, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) ld(a, ao + i).min(ld(b, bo + i)).intoMemorySegment(o, i * 4, NO);
        if (i < hi) {
            VectorMask<Float> m = S.indexInRange(i, hi);
            ld(a, ao + i, m).min(ld(b, bo + i, m)).intoMemorySegment(o, i * 4, NO, m);
        }
    }

    private static void addVS(MemorySegment a, long ao, float s, MemorySegment o, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) ld(a, ao + i).add(s).intoMemorySegment(o, i * 4, NO);
        if (i < hi) { VectorMask<Float> m = S.indexInRange(i, hi); ld(a, ao + i, m).add(s).intoMemorySegment(o, i * 4, NO, m); }
    }

    private static void subVS(MemorySegment a, long ao, float s, MemorySegment o, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) ld(a, ao + i).sub(s).intoMemorySegment(o, i * 4, NO);
        if (i < hi) { VectorMask<Float> m = S.indexInRange(i, hi); ld(a, ao + i, m).sub(s).intoMemorySegment(o, i * 4, NO, m); }
    }

    private static void mulVS(MemorySegment a, long ao, float s, MemorySegment o, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) ld(a, ao + i).mul(s).intoMemorySegment(o, i * 4, NO);
        if (i < hi) { VectorMask<Float> m = S.indexInRange(i, hi); ld(a, ao + i, m).mul(s).intoMemorySegment(o, i * 4, NO, m); }
    }

    private static void divVS(MemorySegment a, long ao, float s, MemorySegment o, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) ld(a, ao + i).div(s).intoMemorySegment(o, i * 4, NO);
        if (i < hi) { VectorMask<Float> m = S.indexInRange(i, hi); ld(a, ao + i, m).div(s).intoMemorySegment(o, i * 4, NO, m); }
    }

    private static void powVS(MemorySegment a, long ao, float s, MemorySegment o, long lo, long hi) {
        FloatVector m0 = FloatVector.broadcast(S, s);
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) {
            VectorMath.pow(ld(a, ao + i), m0).intoMemorySegment(o, i * 4, NO);
        }
        if (i < hi) {
            VectorMask<Float> m = S.indexInRange(i, hi);
            VectorMath.pow(ld(a, ao + i, m), m0).intoMemorySegment(o, i * 4, NO, m);
        }
    }

    private static void maxVS(MemorySegment a, long ao, float s, MemorySegment o, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) ld(a, ao + i).max(s).intoMemorySegment(o, i * 4, NO);
        if (i < hi) { VectorMask<Float> m = S.indexInRange(i, hi); ld(a, ao + i, m).max(s).intoMemorySegment(o, i * 4, NO, m); }
    }

    private static void minVS(MemorySegment a, long ao, float s, MemorySegment o, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) ld(a, ao + i).min(s).intoMemorySegment(o, i * 4, NO);
        if (i < hi) { VectorMask<Float> m = S.indexInRange(i, hi); ld(a, ao + i, m).min(s).intoMemorySegment(o, i * 4, NO, m); }
    }

    private static void subSV(float s, MemorySegment b, long bo, MemorySegment o, long lo, long hi) {
        FloatVector x = FloatVector.broadcast(S, s);
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) x.sub(ld(b, bo + i)).intoMemorySegment(o, i * 4, NO);
        if (i < hi) { VectorMask<Float> m = S.indexInRange(i, hi); x.sub(ld(b, bo + i, m)).intoMemorySegment(o, i * 4, NO, m); }
    }

    private static void divSV(float s, MemorySegment b, long bo, MemorySegment o, long lo, long hi) {
        FloatVector x = FloatVector.broadcast(S, s);
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) x.div(ld(b, bo + i)).intoMemorySegment(o, i * 4, NO);
        if (i < hi) { VectorMask<Float> m = S.indexInRange(i, hi); x.div(ld(b, bo + i, m)).intoMemorySegment(o, i * 4, NO, m); }
    }

    private static void powSV(float s, MemorySegment b, long bo, MemorySegment o, long lo, long hi) {
        FloatVector x = FloatVector.broadcast(S, s);
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) {
            VectorMath.pow(x, ld(b, bo + i)).intoMemorySegment(o, i * 4, NO);
        }
        if (i < hi) {
            VectorMask<Float> m = S.indexInRange(i, hi);
            VectorMath.pow(x, ld(b, bo + i, m)).intoMemorySegment(o, i * 4, NO, m);
        }
    }

    // ------------------------------------------------------------------ comparisons

    /** o[i] = (a[i] op b[i]) as BOOL bytes for i in [lo, hi). */
    static void compare(Op op, MemorySegment x, long xo, boolean xScalar, MemorySegment y, long yo, boolean yScalar,
                        MemorySegment o, long lo, long hi) {
        if (B == null || (xScalar && yScalar)) {
            compareScalar(op, x, xo, xScalar, y, yo, yScalar, o, lo, hi);
        } else if (xScalar) {
            // s op v is v op' s with the comparison mirrored
            Op mirrored = switch (op) {
                case LT -> Op.GT;
                case LE -> Op.GE;
                case GT -> Op.LT;
                case GE -> Op.LE;
                default -> op;
            };
            compareVS(mirrored, y, yo, x.getAtIndex(JAVA_FLOAT, xo), o, lo, hi);
        } else if (yScalar) {
            compareVS(op, x, xo, y.getAtIndex(JAVA_FLOAT, yo), o, lo, hi);
        } else {
            switch (op) {
                case EQ -> eqVV(x, xo, y, yo, o, lo, hi);
                case NE -> neVV(x, xo, y, yo, o, lo, hi);
                case LT -> ltVV(x, xo, y, yo, o, lo, hi);
                case LE -> leVV(x, xo, y, yo, o, lo, hi);
                case GT -> ltVV(y, yo, x, xo, o, lo, hi);
                case GE -> leVV(y, yo, x, xo, o, lo, hi);
                default -> throw new IllegalStateException("no F32 loop for " + op.opName());
            }
        }
    }

    private static void compareVS(Op op, MemorySegment a, long ao, float s, MemorySegment o, long lo, long hi) {
        switch (op) {
            case EQ -> eqVS(a, ao, s, o, lo, hi);
            case NE -> neVS(a, ao, s, o, lo, hi);
            case LT -> ltVS(a, ao, s, o, lo, hi);
            case LE -> leVS(a, ao, s, o, lo, hi);
            case GT -> gtVS(a, ao, s, o, lo, hi);
            case GE -> geVS(a, ao, s, o, lo, hi);
            default -> throw new IllegalStateException("no F32 loop for " + op.opName());
        }
    }

    private static void store(VectorMask<Float> r, MemorySegment o, long i) {
        ByteVector.zero(B).blend((byte) 1, r.cast(B)).intoMemorySegment(o, i, NO);
    }

    private static void store(VectorMask<Float> r, MemorySegment o, long i, VectorMask<Float> m) {
        ByteVector.zero(B).blend((byte) 1, r.cast(B)).intoMemorySegment(o, i, NO, m.cast(B));
    }

    private static void eqVV(MemorySegment a, long ao, MemorySegment b, long bo, MemorySegment o, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) store(ld(a, ao + i).eq(ld(b, bo + i)), o, i);
        if (i < hi) { VectorMask<Float> m = S.indexInRange(i, hi); store(ld(a, ao + i, m).eq(ld(b, bo + i, m)), o, i, m); }
    }

    private static void neVV(MemorySegment a, long ao, MemorySegment b, long bo, MemorySegment o, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) {
            store(ld(a, ao + i).compare(VectorOperators.NE, ld(b, bo + i)), o, i);
        }
        if (i < hi) {
            VectorMask<Float> m = S.indexInRange(i, hi);
            store(ld(a, ao + i, m).compare(VectorOperators.NE, ld(b, bo + i, m)), o, i, m);
        }
    }

    private static void ltVV(MemorySegment a, long ao, MemorySegment b, long bo, MemorySegment o, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) store(ld(a, ao + i).lt(ld(b, bo + i)), o, i);
        if (i < hi) { VectorMask<Float> m = S.indexInRange(i, hi); store(ld(a, ao + i, m).lt(ld(b, bo + i, m)), o, i, m); }
    }

    private static void leVV(MemorySegment a, long ao, MemorySegment b, long bo, MemorySegment o, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) {
            store(ld(a, ao + i).compare(VectorOperators.LE, ld(b, bo + i)), o, i);
        }
        if (i < hi) {
            VectorMask<Float> m = S.indexInRange(i, hi);
            store(ld(a, ao + i, m).compare(VectorOperators.LE, ld(b, bo + i, m)), o, i, m);
        }
    }

    private static void eqVS(MemorySegment a, long ao, float s, MemorySegment o, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) store(ld(a, ao + i).eq(s), o, i);
        if (i < hi) { VectorMask<Float> m = S.indexInRange(i, hi); store(ld(a, ao + i, m).eq(s), o, i, m); }
    }

    private static void neVS(MemorySegment a, long ao, float s, MemorySegment o, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) store(ld(a, ao + i).compare(VectorOperators.NE, s), o, i);
        if (i < hi) { VectorMask<Float> m = S.indexInRange(i, hi); store(ld(a, ao + i, m).compare(VectorOperators.NE, s), o, i, m); }
    }

    private static void ltVS(MemorySegment a, long ao, float s, MemorySegment o, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) store(ld(a, ao + i).lt(s), o, i);
        if (i < hi) { VectorMask<Float> m = S.indexInRange(i, hi); store(ld(a, ao + i, m).lt(s), o, i, m); }
    }

    private static void leVS(MemorySegment a, long ao, float s, MemorySegment o, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) store(ld(a, ao + i).compare(VectorOperators.LE, s), o, i);
        if (i < hi) { VectorMask<Float> m = S.indexInRange(i, hi); store(ld(a, ao + i, m).compare(VectorOperators.LE, s), o, i, m); }
    }

    private static void gtVS(MemorySegment a, long ao, float s, MemorySegment o, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) store(ld(a, ao + i).compare(VectorOperators.GT, s), o, i);
        if (i < hi) { VectorMask<Float> m = S.indexInRange(i, hi); store(ld(a, ao + i, m).compare(VectorOperators.GT, s), o, i, m); }
    }

    private static void geVS(MemorySegment a, long ao, float s, MemorySegment o, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) store(ld(a, ao + i).compare(VectorOperators.GE, s), o, i);
        if (i < hi) { VectorMask<Float> m = S.indexInRange(i, hi); store(ld(a, ao + i, m).compare(VectorOperators.GE, s), o, i, m); }
    }

    /** For vector shapes with no matching byte vector (fewer than 8 lanes), and for a one-element result. */
    private static void compareScalar(Op op, MemorySegment x, long xo, boolean xScalar, MemorySegment y, long yo, boolean yScalar,
                                      MemorySegment o, long lo, long hi) {
        long xs = xScalar ? 0 : 1, ys = yScalar ? 0 : 1;
        for (long i = lo; i < hi; i++) {
            boolean r = ElementwiseKernels.compare(op, x.getAtIndex(JAVA_FLOAT, xo + i * xs), y.getAtIndex(JAVA_FLOAT, yo + i * ys));
            o.set(JAVA_BYTE, i, (byte) (r ? 1 : 0));
        }
    }
}
