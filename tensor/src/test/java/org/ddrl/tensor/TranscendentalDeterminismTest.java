package org.ddrl.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import java.util.function.UnaryOperator;
import org.ddrl.kernels.cpu.VectorMath;
import org.junit.jupiter.api.Test;

/**
 * CPU exp, tanh, sin, log, softmax and log_softmax give the same bits on their first run (interpreted,
 * when this class runs first in its JVM) as after 20,000 runs (C2-compiled): what lets an RL step
 * recompute a log-prob with unchanged weights and get a ratio of exactly 1. The elementwise results
 * must also equal the scalar VectorMath twins element by element, which holds whatever ran before.
 */
class TranscendentalDeterminismTest {
    private static final int WARM = 20_000;

    private static float[] data(long seed, int n, boolean positive) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = positive ? (float) Math.exp(r.nextGaussian() * 5) : (float) (r.nextGaussian() * 4);
        return v;
    }

    /** The op once cold, then WARM times, then once more: all three bit-identical. */
    private static float[] coldEqualsWarm(String name, Tensor x, UnaryOperator<Tensor> op) {
        float[] cold = op.apply(x).toFloatArray();
        for (int i = 0; i < WARM; i++) op.apply(x);
        float[] warm = op.apply(x).toFloatArray();
        assertArrayEquals(cold, warm, name + ": different bits after " + WARM + " runs");
        return cold;
    }

    private static void equalsTwin(String name, float[] in, float[] out, UnaryOperator<Float> twin) {
        for (int i = 0; i < in.length; i++) {
            assertEquals(Float.floatToIntBits(twin.apply(in[i])), Float.floatToIntBits(out[i]), name + "(" + in[i] + ") at " + i);
        }
    }

    @Test
    void elementwiseF32() {
        // 1001 elements: full vectors and a masked last one
        float[] v = data(1, 1001, false), p = data(2, 1001, true);
        Tensor x = Tensor.of(v, v.length), xp = Tensor.of(p, p.length);
        equalsTwin("exp", v, coldEqualsWarm("exp", x, Tensor::exp), VectorMath::exp);
        equalsTwin("tanh", v, coldEqualsWarm("tanh", x, Tensor::tanh), VectorMath::tanh);
        equalsTwin("sin", v, coldEqualsWarm("sin", x, Tensor::sin), VectorMath::sin);
        equalsTwin("log", p, coldEqualsWarm("log", xp, Tensor::log), VectorMath::log);
    }

    @Test
    void softmaxF32() {
        // rows of 37: vector part and scalar tail
        float[] v = data(3, 13 * 37, false);
        Tensor x = Tensor.of(v, 13, 37);
        float[] s = coldEqualsWarm("softmax", x, t -> t.softmax(-1));
        coldEqualsWarm("log_softmax", x, t -> t.logSoftmax(-1));
        coldEqualsWarm("logsumexp", x, t -> t.logsumexp(-1));
        for (int r = 0; r < 13; r++) {
            double sum = 0;
            for (int j = 0; j < 37; j++) sum += s[r * 37 + j];
            assertEquals(1.0, sum, 1e-5, "softmax row " + r + " sums to 1");
        }
    }

    @Test
    void elementwiseAndSoftmaxF64() {
        float[] v = data(4, 1001, false);
        Tensor x = Tensor.of(v, v.length).to(DType.F64);
        for (String op : new String[] {"exp", "tanh", "sin", "softmax"}) {
            UnaryOperator<Tensor> f = switch (op) {
                case "exp" -> Tensor::exp;
                case "tanh" -> Tensor::tanh;
                case "sin" -> Tensor::sin;
                default -> t -> t.softmax(-1);
            };
            double[] cold = f.apply(x).toDoubleArray();
            for (int i = 0; i < WARM / 2; i++) f.apply(x);
            assertArrayEquals(cold, f.apply(x).toDoubleArray(), op + " F64: different bits after warm-up");
            if (op.equals("exp")) for (int i = 0; i < v.length; i++) assertEquals(VectorMath.exp((double) v[i]), cold[i], "exp twin");
        }
    }
}
