package org.ddrl.tensor.cpu;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Op;

/** The unary ops that keep an integer dtype (neg, abs, relu, clamp), exactly in long arithmetic. */
final class UnaryLong {
    private UnaryLong() {}

    /** y[i] = f(x[xo + i]) for i in [lo, hi), x holding I64, y a fresh output of dtype out. */
    static void run(UnarySpec spec, MemorySegment x, long xo, MemorySegment y, DType out, long lo, long hi) {
        Op op = spec.op();
        // the bounds are whole numbers or infinities here; the casts saturate infinities to the long range
        long min = (long) spec.p(), max = (long) spec.q();
        for (long i = lo; i < hi; i++) {
            long v = x.getAtIndex(JAVA_LONG, xo + i);
            long r = switch (op) {
                case NEG -> -v;
                case ABS -> Math.abs(v);
                case RELU -> Math.max(v, 0);
                case CLAMP -> Math.min(Math.max(v, min), max);
                default -> throw new IllegalStateException("no integer unary loop for " + op.opName());
            };
            Elements.setL(y, out, i, r);
        }
    }
}
