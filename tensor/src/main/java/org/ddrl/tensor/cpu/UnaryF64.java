package org.ddrl.tensor.cpu;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.ddrl.tensor.Op;

/** Unary ops on dense F64 memory: Vector API loops, and a scalar loop for exact GELU (no vector erf). */
final class UnaryF64 {
    private UnaryF64() {}

    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ByteOrder NO = ByteOrder.nativeOrder();

    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

    /** y[i] = f(x[xo + i]) for i in [lo, hi); y is a fresh output starting at element 0. */
    static void run(UnarySpec spec, MemorySegment x, long xo, MemorySegment y, long lo, long hi) {
        Op op = spec.op();
        if (op == Op.GELU && !spec.tanhGelu()) {
            for (long i = lo; i < hi; i++) y.setAtIndex(JAVA_DOUBLE, i, ElementwiseMath.gelu(x.getAtIndex(JAVA_DOUBLE, xo + i)));
            return;
        }
        double p = spec.p(), q = spec.q();
        long i = lo;
        for (long end = lo + S.loopBound(hi - lo); i < end; i += L) {
            DoubleVector v = DoubleVector.fromMemorySegment(S, x, (xo + i) * 8, NO);
            apply(op, v, p, q).intoMemorySegment(y, i * 8, NO);
        }
        if (i < hi) {
            VectorMask<Double> m = S.indexInRange(i, hi);
            DoubleVector v = DoubleVector.fromMemorySegment(S, x, (xo + i) * 8, NO, m);
            apply(op, v, p, q).intoMemorySegment(y, i * 8, NO, m);
        }
    }

    /** See UnaryF32.apply: operators are literal constants so that they compile to vector code. */
    private static DoubleVector apply(Op op, DoubleVector x, double p, double q) {
        return switch (op) {
            case NEG -> x.neg();
            case ABS -> x.abs();
            case SQRT -> x.sqrt();
            case RSQRT -> x.broadcast(1).div(x.sqrt());
            case EXP -> x.lanewise(VectorOperators.EXP);
            case LOG -> x.lanewise(VectorOperators.LOG);
            case SIN -> x.lanewise(VectorOperators.SIN);
            case COS -> x.lanewise(VectorOperators.COS);
            case TANH -> x.lanewise(VectorOperators.TANH);
            case SIGMOID -> x.broadcast(1).div(x.neg().lanewise(VectorOperators.EXP).add(1));
            case RELU -> x.max(0);
            case GELU -> {
                DoubleVector u = x.mul(x).mul(0.044715).add(1).mul(x).mul(SQRT_2_OVER_PI);
                yield x.div(u.mul(-2).lanewise(VectorOperators.EXP).add(1));
            }
            case SILU -> x.div(x.neg().lanewise(VectorOperators.EXP).add(1));
            case SOFTPLUS -> {
                DoubleVector bx = x.mul(p);
                yield bx.lanewise(VectorOperators.EXP).lanewise(VectorOperators.LOG1P).div(p)
                        .blend(x, bx.compare(VectorOperators.GT, q));
            }
            case CLAMP -> x.max(p).min(q);
            default -> throw new IllegalStateException("no F64 unary loop for " + op.opName());
        };
    }
}
