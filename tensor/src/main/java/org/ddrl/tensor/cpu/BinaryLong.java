package org.ddrl.tensor.cpu;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Op;

/**
 * Binary ops on integer (and BOOL) operands in exact long arithmetic: overflow wraps as in Java, and
 * storing into I32 keeps the low 32 bits, as PyTorch's integer kernels do.
 */
final class BinaryLong {
    private BinaryLong() {}

    /** o[i] = a[i] op b[i] for i in [lo, hi); operands hold I64, o is a fresh output of dtype out. */
    static void arith(Op op, MemorySegment x, long xo, boolean xScalar, MemorySegment y, long yo, boolean yScalar,
                      MemorySegment o, DType out, long lo, long hi, String what) {
        long xs = xScalar ? 0 : 1, ys = yScalar ? 0 : 1;
        for (long i = lo; i < hi; i++) {
            long u = x.getAtIndex(JAVA_LONG, xo + i * xs), v = y.getAtIndex(JAVA_LONG, yo + i * ys);
            long r = switch (op) {
                case ADD -> u + v;
                case SUB -> u - v;
                case MUL -> u * v;
                case POW -> pow(u, v, what);
                case MAXIMUM -> Math.max(u, v);
                case MINIMUM -> Math.min(u, v);
                default -> throw new IllegalStateException("no integer arithmetic loop for " + op.opName());
            };
            Elements.setL(o, out, i, r);
        }
    }

    /** base^exp by repeated squaring, wrapping on overflow like the products it is made of. */
    static long pow(long base, long exp, String what) {
        if (exp < 0) {
            throw new IllegalArgumentException("pow: integer base to the negative power " + exp + " is not defined for " + what
                    + "; cast to a floating dtype first");
        }
        long r = 1;
        while (exp != 0) {
            if ((exp & 1) != 0) r *= base;
            exp >>>= 1;
            if (exp != 0) base *= base;
        }
        return r;
    }

    /** o[i] = (a[i] op b[i]) as BOOL bytes for i in [lo, hi). */
    static void compare(Op op, MemorySegment x, long xo, boolean xScalar, MemorySegment y, long yo, boolean yScalar,
                        MemorySegment o, long lo, long hi) {
        long xs = xScalar ? 0 : 1, ys = yScalar ? 0 : 1;
        for (long i = lo; i < hi; i++) {
            long u = x.getAtIndex(JAVA_LONG, xo + i * xs), v = y.getAtIndex(JAVA_LONG, yo + i * ys);
            boolean r = switch (op) {
                case EQ -> u == v;
                case NE -> u != v;
                case LT -> u < v;
                case LE -> u <= v;
                case GT -> u > v;
                case GE -> u >= v;
                default -> throw new IllegalStateException("no integer comparison loop for " + op.opName());
            };
            o.set(JAVA_BYTE, i, (byte) (r ? 1 : 0));
        }
    }
}
