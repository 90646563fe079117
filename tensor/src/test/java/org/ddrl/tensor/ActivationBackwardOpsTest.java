package org.ddrl.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.ddrl.tensor.testing.OpCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The fused activation gradients gelu_backward (both forms) and silu_backward against the F64 reference,
 * against closed forms at a few points, over the whole range (no NaN from an overflowing exp), and bit for
 * bit the same on their first (interpreted) run as after the JIT has compiled them.
 */
class ActivationBackwardOpsTest {
    private final Random rnd = new Random(43);

    private static final Attrs EXACT = Attrs.of("approximate", "none"), TANH = Attrs.of("approximate", "tanh");

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64", "BF16", "F16"})
    void matchesReference(DType dt) {
        // 1, less than a vector, and sizes with a masked last vector
        for (int[] shape : new int[][] {{1}, {7}, {3, 33}, {2, 5, 17}, {1001}}) {
            Tensor x = OpCheck.random(rnd, dt, -6, 6, shape), g = OpCheck.random(rnd, dt, shape);
            // a few units in the last place: the derivative is itself a sum of two terms
            OpCheck.checkLayouts(4, Op.GELU_BACKWARD, EXACT, g, x);
            OpCheck.checkLayouts(4, Op.GELU_BACKWARD, TANH, g, x);
            OpCheck.checkLayouts(4, Op.SILU_BACKWARD, Attrs.NONE, g, x);
        }
    }

    @Test
    void closedForms() {
        Tensor x = Tensor.of(new double[] {0, 40, -40, 1}, 4), one = Tensor.ones(DType.F64, Device.CPU, 4);
        double c = Math.sqrt(2 / Math.PI);
        double t1 = Math.tanh(c * 1.044715);
        double[] exact = ActivationGrads.gelu(one, x, "none").toDoubleArray();
        // Phi(1) + phi(1)
        assertArrayEquals(new double[] {0.5, 1, 0, 0.8413447460685429 + Math.exp(-0.5) / Math.sqrt(2 * Math.PI)}, exact, 1e-12);
        double[] tanh = ActivationGrads.gelu(one, x, "tanh").toDoubleArray();
        assertArrayEquals(new double[] {0.5, 1, 0, 0.5 * (1 + t1) + 0.5 * (1 - t1 * t1) * c * (1 + 3 * 0.044715)}, tanh, 1e-12);
        double s1 = 1 / (1 + Math.exp(-1));
        assertArrayEquals(new double[] {0.5, 1, 0, s1 * (1 + (1 - s1))}, ActivationGrads.silu(one, x).toDoubleArray(), 1e-12);
    }

    /** Far tails in F32, where exp(-2u) and exp(-x) overflow: finite, and the limits 1 and 0. */
    @Test
    void tailsAreFinite() {
        Tensor x = Tensor.of(new float[] {-1e4f, -200, -90, 90, 200, 1e4f, Float.MAX_VALUE, -Float.MAX_VALUE}, 8);
        Tensor one = Tensor.ones(DType.F32, Device.CPU, 8);
        for (Tensor d : new Tensor[] {ActivationGrads.gelu(one, x, "none"), ActivationGrads.gelu(one, x, "tanh"), ActivationGrads.silu(one, x)}) {
            float[] v = d.toFloatArray();
            for (int i = 0; i < 3; i++) assertEquals(0, v[i], 1e-30, "left tail at " + i);
            for (int i = 3; i < 6; i++) assertEquals(1, v[i], 0, "right tail at " + i);
        }
    }

    @Test
    void firstRunEqualsCompiled() {
        Tensor x = OpCheck.random(new Random(3), DType.F32, -8.0, 8.0, 1001), g = OpCheck.random(new Random(4), DType.F32, 1001);
        for (Attrs a : new Attrs[] {EXACT, TANH}) {
            float[] cold = Dispatch.call(Op.GELU_BACKWARD, a, g, x).toFloatArray();
            for (int i = 0; i < 5000; i++) Dispatch.call(Op.GELU_BACKWARD, a, g, x);
            assertArrayEquals(cold, Dispatch.call(Op.GELU_BACKWARD, a, g, x).toFloatArray(), "gelu_backward " + a);
        }
        float[] cold = ActivationGrads.silu(g, x).toFloatArray();
        for (int i = 0; i < 5000; i++) ActivationGrads.silu(g, x);
        assertArrayEquals(cold, ActivationGrads.silu(g, x).toFloatArray(), "silu_backward");
    }

    @Test
    void badArgumentsAreNamed() {
        Tensor x = OpCheck.random(rnd, DType.F32, 3, 4);
        var e = assertThrows(IllegalArgumentException.class, () -> ActivationGrads.silu(x.reshape(4, 3), x));
        assertTrue(e.getMessage().contains("silu_backward") && e.getMessage().contains("[4, 3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ActivationGrads.gelu(x, x, "fast"));
        assertTrue(e.getMessage().contains("gelu_backward") && e.getMessage().contains("fast"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ActivationGrads.gelu(x, x.to(DType.I32), "none"));
        assertTrue(e.getMessage().contains("floating") && e.getMessage().contains("i32"), e.getMessage());
    }
}
