package org.ddrl.tensor.cpu;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.ddrl.tensor.Op;

/**
 * Unary ops on dense F32 memory with the Vector API. The last partial vector runs masked through the
 * same code, so every element gets exactly the same arithmetic whatever its position.
 */
final class UnaryF32 {
    private UnaryF32() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ByteOrder NO = ByteOrder.nativeOrder();

    private static final float INV_SQRT2 = (float) (1 / Math.sqrt(2));
    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2 / Math.PI);

    /** y[i] = f(x[xo + i]) for i in [lo, hi); y is a fresh output starting at element 0. */
    static void run(UnarySpec spec, MemorySegment x, long xo, MemorySegment y, long lo, long hi) {
        Op op = spec.op();
        float p = (float) spec.p(), q = (float) spec.q();
        boolean tanh = spec.tanhGelu();
        long i = lo;
        for (long end = lo + S.loopBound(hi - lo); i < end; i += L) {
            FloatVector v = FloatVector.fromMemorySegment(S, x, (xo + i) * 4, NO);
            apply(op, v, p, q, tanh).intoMemorySegment(y, i * 4, NO);
        }
        if (i < hi) {
            VectorMask<Float> m = S.indexInRange(i, hi);
            FloatVector v = FloatVector.fromMemorySegment(S, x, (xo + i) * 4, NO, m);
            apply(op, v, p, q, tanh).intoMemorySegment(y, i * 4, NO, m);
        }
    }

    /**
     * The op on one vector. Each case names its VectorOperators constant literally: the Vector API only
     * compiles lanewise calls to machine instructions when the operator is a constant.
     */
    private static FloatVector apply(Op op, FloatVector x, float p, float q, boolean tanh) {
        return switch (op) {
            case NEG -> x.neg();
            case ABS -> x.abs();
            case SQRT -> x.sqrt();
            case RSQRT -> x.broadcast(1f).div(x.sqrt());
            case EXP -> x.lanewise(VectorOperators.EXP);
            case LOG -> x.lanewise(VectorOperators.LOG);
            case SIN -> x.lanewise(VectorOperators.SIN);
            case COS -> x.lanewise(VectorOperators.COS);
            case TANH -> x.lanewise(VectorOperators.TANH);
            case SIGMOID -> x.broadcast(1f).div(x.neg().lanewise(VectorOperators.EXP).add(1f));
            // max follows Math.max, so NaN stays NaN as in PyTorch
            case RELU -> x.max(0f);
            case GELU -> tanh ? geluTanh(x) : geluErf(x);
            case SILU -> x.div(x.neg().lanewise(VectorOperators.EXP).add(1f));
            case SOFTPLUS -> softplus(x, p, q);
            case CLAMP -> x.max(p).min(q);
            default -> throw new IllegalStateException("no F32 unary loop for " + op.opName());
        };
    }

    /** x * Phi(x) = x * erfc(-x / sqrt 2) / 2, using erfc of |x| / sqrt 2 so negative x keep their relative accuracy. */
    private static FloatVector geluErf(FloatVector x) {
        FloatVector z = x.abs().mul(INV_SQRT2);
        FloatVector halfErfc = erfcNonNegative(z).mul(0.5f);
        FloatVector phi = halfErfc.neg().add(1f).blend(halfErfc, x.compare(VectorOperators.LT, 0f));
        return x.mul(phi);
    }

    /**
     * erfc(z) for z >= 0 from the Chebyshev fit erfc(z) = t exp(-z^2 + P(t)), t = 1 / (1 + z / 2)
     * (Numerical Recipes, section 6.2), whose relative error is below 1.2e-7 for every z >= 0; the
     * relative accuracy matters because GELU of a negative input is a small multiple of erfc.
     */
    static FloatVector erfcNonNegative(FloatVector z) {
        FloatVector t = z.mul(0.5f).add(1f);
        t = t.broadcast(1f).div(t);
        FloatVector poly = t.mul(0.17087277f).add(-0.82215223f)
                .mul(t).add(1.48851587f)
                .mul(t).add(-1.13520398f)
                .mul(t).add(0.27886807f)
                .mul(t).add(-0.18628806f)
                .mul(t).add(0.09678418f)
                .mul(t).add(0.37409196f)
                .mul(t).add(1.00002368f)
                .mul(t).add(-1.26551223f);
        return t.mul(poly.sub(z.mul(z)).lanewise(VectorOperators.EXP));
    }

    /** The tanh form 0.5 x (1 + tanh(u)), written as x / (1 + exp(-2u)) which avoids cancellation for negative x. */
    private static FloatVector geluTanh(FloatVector x) {
        FloatVector u = x.mul(x).mul(0.044715f).add(1f).mul(x).mul(SQRT_2_OVER_PI);
        return x.div(u.mul(-2f).lanewise(VectorOperators.EXP).add(1f));
    }

    /** log(1 + exp(beta x)) / beta, and x itself where beta x > threshold (as PyTorch). */
    private static FloatVector softplus(FloatVector x, float beta, float threshold) {
        FloatVector bx = x.mul(beta);
        FloatVector soft = bx.lanewise(VectorOperators.EXP).lanewise(VectorOperators.LOG1P).div(beta);
        return soft.blend(x, bx.compare(VectorOperators.GT, threshold));
    }
}
