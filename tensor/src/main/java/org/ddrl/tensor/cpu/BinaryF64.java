package org.ddrl.tensor.cpu;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import org.ddrl.kernels.cpu.VectorMath;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.ddrl.tensor.Op;

/** Binary ops on F64 operands: Vector API arithmetic laid out as in BinaryF32, scalar comparisons into BOOL bytes. */
final class BinaryF64 {
    private BinaryF64() {}

    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ByteOrder NO = ByteOrder.nativeOrder();

    private static DoubleVector ld(MemorySegment s, long i) {
        return DoubleVector.fromMemorySegment(S, s, i * 8, NO);
    }

    private static DoubleVector ld(MemorySegment s, long i, VectorMask<Double> m) {
        return DoubleVector.fromMemorySegment(S, s, i * 8, NO, m);
    }

    // ------------------------------------------------------------------ arithmetic

    /** o[i] = a[i] op b[i] for i in [lo, hi); o is a fresh F64 output. */
    static void arith(Op op, MemorySegment as, long ao, boolean aScalar, MemorySegment bs, long bo, boolean bScalar,
                      MemorySegment o, long lo, long hi) {
        if (bScalar) {
            double s = bs.getAtIndex(JAVA_DOUBLE, bo);
            switch (op) {
                case ADD -> addVS(as, ao, s, o, lo, hi);
                case SUB -> subVS(as, ao, s, o, lo, hi);
                case MUL -> mulVS(as, ao, s, o, lo, hi);
                case DIV -> divVS(as, ao, s, o, lo, hi);
                // x * x for x^2, as in BinaryF32
                case POW -> {
                    if (s == 2) mulVV(as, ao, as, ao, o, lo, hi);
                    else powVS(as, ao, s, o, lo, hi);
                }
                case MAXIMUM -> maxVS(as, ao, s, o, lo, hi);
                case MINIMUM -> minVS(as, ao, s, o, lo, hi);
                default -> throw new IllegalStateException("no F64 loop for " + op.opName());
            }
        } else if (aScalar) {
            double s = as.getAtIndex(JAVA_DOUBLE, ao);
            switch (op) {
                case ADD -> addVS(bs, bo, s, o, lo, hi);
                case SUB -> subSV(s, bs, bo, o, lo, hi);
                case MUL -> mulVS(bs, bo, s, o, lo, hi);
                case DIV -> divSV(s, bs, bo, o, lo, hi);
                case POW -> powSV(s, bs, bo, o, lo, hi);
                case MAXIMUM -> maxVS(bs, bo, s, o, lo, hi);
                case MINIMUM -> minVS(bs, bo, s, o, lo, hi);
                default -> throw new IllegalStateException("no F64 loop for " + op.opName());
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
                default -> throw new IllegalStateException("no F64 loop for " + op.opName());
            }
        }
    }

    private static void addVV(MemorySegment a, long ao, MemorySegment b, long bo, MemorySegment o, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) ld(a, ao + i).add(ld(b, bo + i)).intoMemorySegment(o, i * 8, NO);
        if (i < hi) {
            VectorMask<Double> m = S.indexInRange(i, hi);
            ld(a, ao + i, m).add(ld(b, bo + i, m)).intoMemorySegment(o, i * 8, NO, m);
        }
    }

    private static void subVV(MemorySegment a, long ao, MemorySegment b, long bo, MemorySegment o, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) ld(a, ao + i).sub(ld(b, bo + i)).intoMemorySegment(o, i * 8, NO);
        if (i < hi) {
            VectorMask<Double> m = S.indexInRange(i, hi);
            ld(a, ao + i, m).sub(ld(b, bo + i, m)).intoMemorySegment(o, i * 8, NO, m);
        }
    }

    private static void mulVV(MemorySegment a, long ao, MemorySegment b, long bo, MemorySegment o, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) ld(a, ao + i).mul(ld(b, bo + i)).intoMemorySegment(o, i * 8, NO);
        if (i < hi) {
            VectorMask<Double> m = S.indexInRange(i, hi);
            ld(a, ao + i, m).mul(ld(b, bo + i, m)).intoMemorySegment(o, i * 8, NO, m);
        }
    }

    private static void divVV(MemorySegment a, long ao, MemorySegment b, long bo, MemorySegment o, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) ld(a, ao + i).div(ld(b, bo + i)).intoMemorySegment(o, i * 8, NO);
        if (i < hi) {
            VectorMask<Double> m = S.indexInRange(i, hi);
            ld(a, ao + i, m).div(ld(b, bo + i, m)).intoMemorySegment(o, i * 8, NO, m);
        }
    }

    private static void powVV(MemorySegment a, long ao, MemorySegment b, long bo, MemorySegment o, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) {
            VectorMath.pow(ld(a, ao + i), ld(b, bo + i)).intoMemorySegment(o, i * 8, NO);
        }
        if (i < hi) {
            VectorMask<Double> m = S.indexInRange(i, hi);
            VectorMath.pow(ld(a, ao + i, m), ld(b, bo + i, m)).intoMemorySegment(o, i * 8, NO, m);
        }
    }

    private static void maxVV(MemorySegment a, long ao, MemorySegment b, long bo, MemorySegment o, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) ld(a, ao + i).max(ld(b, bo + i)).intoMemorySegment(o, i * 8, NO);
        if (i < hi) {
            VectorMask<Double> m = S.indexInRange(i, hi);
            ld(a, ao + i, m).max(ld(b, bo + i, m)).intoMemorySegment(o, i * 8, NO, m);
        }
    }

    private static void minVV(MemorySegment a, long ao, MemorySegment b, long bo, MemorySegment o, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) ld(a, ao + i).min(ld(b, bo + i)).intoMemorySegment(o, i * 8, NO);
        if (i < hi) {
            VectorMask<Double> m = S.indexInRange(i, hi);
            ld(a, ao + i, m).min(ld(b, bo + i, m)).intoMemorySegment(o, i * 8, NO, m);
        }
    }

    private static void addVS(MemorySegment a, long ao, double s, MemorySegment o, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) ld(a, ao + i).add(s).intoMemorySegment(o, i * 8, NO);
        if (i < hi) { VectorMask<Double> m = S.indexInRange(i, hi); ld(a, ao + i, m).add(s).intoMemorySegment(o, i * 8, NO, m); }
    }

    private static void subVS(MemorySegment a, long ao, double s, MemorySegment o, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) ld(a, ao + i).sub(s).intoMemorySegment(o, i * 8, NO);
        if (i < hi) { VectorMask<Double> m = S.indexInRange(i, hi); ld(a, ao + i, m).sub(s).intoMemorySegment(o, i * 8, NO, m); }
    }

    private static void mulVS(MemorySegment a, long ao, double s, MemorySegment o, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) ld(a, ao + i).mul(s).intoMemorySegment(o, i * 8, NO);
        if (i < hi) { VectorMask<Double> m = S.indexInRange(i, hi); ld(a, ao + i, m).mul(s).intoMemorySegment(o, i * 8, NO, m); }
    }

    private static void divVS(MemorySegment a, long ao, double s, MemorySegment o, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) ld(a, ao + i).div(s).intoMemorySegment(o, i * 8, NO);
        if (i < hi) { VectorMask<Double> m = S.indexInRange(i, hi); ld(a, ao + i, m).div(s).intoMemorySegment(o, i * 8, NO, m); }
    }

    private static void powVS(MemorySegment a, long ao, double s, MemorySegment o, long lo, long hi) {
        DoubleVector m0 = DoubleVector.broadcast(S, s);
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) {
            VectorMath.pow(ld(a, ao + i), m0).intoMemorySegment(o, i * 8, NO);
        }
        if (i < hi) {
            VectorMask<Double> m = S.indexInRange(i, hi);
            VectorMath.pow(ld(a, ao + i, m), m0).intoMemorySegment(o, i * 8, NO, m);
        }
    }

    private static void maxVS(MemorySegment a, long ao, double s, MemorySegment o, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) ld(a, ao + i).max(s).intoMemorySegment(o, i * 8, NO);
        if (i < hi) { VectorMask<Double> m = S.indexInRange(i, hi); ld(a, ao + i, m).max(s).intoMemorySegment(o, i * 8, NO, m); }
    }

    private static void minVS(MemorySegment a, long ao, double s, MemorySegment o, long lo, long hi) {
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) ld(a, ao + i).min(s).intoMemorySegment(o, i * 8, NO);
        if (i < hi) { VectorMask<Double> m = S.indexInRange(i, hi); ld(a, ao + i, m).min(s).intoMemorySegment(o, i * 8, NO, m); }
    }

    private static void subSV(double s, MemorySegment b, long bo, MemorySegment o, long lo, long hi) {
        DoubleVector x = DoubleVector.broadcast(S, s);
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) x.sub(ld(b, bo + i)).intoMemorySegment(o, i * 8, NO);
        if (i < hi) { VectorMask<Double> m = S.indexInRange(i, hi); x.sub(ld(b, bo + i, m)).intoMemorySegment(o, i * 8, NO, m); }
    }

    private static void divSV(double s, MemorySegment b, long bo, MemorySegment o, long lo, long hi) {
        DoubleVector x = DoubleVector.broadcast(S, s);
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) x.div(ld(b, bo + i)).intoMemorySegment(o, i * 8, NO);
        if (i < hi) { VectorMask<Double> m = S.indexInRange(i, hi); x.div(ld(b, bo + i, m)).intoMemorySegment(o, i * 8, NO, m); }
    }

    private static void powSV(double s, MemorySegment b, long bo, MemorySegment o, long lo, long hi) {
        DoubleVector x = DoubleVector.broadcast(S, s);
        long i = lo;
        for (long e = lo + S.loopBound(hi - lo); i < e; i += L) {
            VectorMath.pow(x, ld(b, bo + i)).intoMemorySegment(o, i * 8, NO);
        }
        if (i < hi) {
            VectorMask<Double> m = S.indexInRange(i, hi);
            VectorMath.pow(x, ld(b, bo + i, m)).intoMemorySegment(o, i * 8, NO, m);
        }
    }

    // ------------------------------------------------------------------ comparisons

    /** o[i] = (a[i] op b[i]) as BOOL bytes for i in [lo, hi). */
    static void compare(Op op, MemorySegment x, long xo, boolean xScalar, MemorySegment y, long yo, boolean yScalar,
                        MemorySegment o, long lo, long hi) {
        long xs = xScalar ? 0 : 1, ys = yScalar ? 0 : 1;
        for (long i = lo; i < hi; i++) {
            boolean r = ElementwiseKernels.compare(op, x.getAtIndex(JAVA_DOUBLE, xo + i * xs), y.getAtIndex(JAVA_DOUBLE, yo + i * ys));
            o.set(JAVA_BYTE, i, (byte) (r ? 1 : 0));
        }
    }
}
