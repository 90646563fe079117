package org.ddrl.autodiff.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ddrl.tensor.DType;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;
import org.junit.jupiter.api.Test;

/** Initializers: fans, gains, bounds and spreads, determinism, and in-place writes into parameters. */
class InitTest {
    @Test
    void fansAndGainsFollowPyTorch() {
        assertArrayEquals(new int[] {3 * 2 * 5, 4 * 2 * 5}, Init.fans(Tensor.zeros(4, 3, 2, 5)));
        assertArrayEquals(new int[] {7, 9}, Init.fans(Tensor.zeros(9, 7)));
        assertThrows(IllegalArgumentException.class, () -> Init.fans(Tensor.zeros(5)));
        assertEquals(Math.sqrt(2), Init.calculateGain(Init.Nonlinearity.RELU, Double.NaN), 0);
        assertEquals(5.0 / 3, Init.calculateGain(Init.Nonlinearity.TANH, Double.NaN), 0);
        assertEquals(Math.sqrt(2 / 1.0001), Init.calculateGain(Init.Nonlinearity.LEAKY_RELU, Double.NaN), 1e-15);
        assertEquals(Math.sqrt(1.0 / 3), Init.calculateGain(Init.Nonlinearity.LEAKY_RELU, Math.sqrt(5)), 1e-15);
    }

    private static void assertSpread(Tensor t, double bound, double std) {
        if (bound > 0) assertTrue(t.abs().max().item() <= bound, "within +-" + bound);
        assertEquals(0, t.mean().item(), 0.05 * std);
        assertEquals(std, t.std().item(), 0.05 * std);
    }

    @Test
    void distributionsHaveTheirBoundsAndSpread() {
        Generator gen = new Generator(1);
        Tensor w = Tensor.zeros(256, 128);
        double xb = Math.sqrt(6.0 / (128 + 256));
        assertSpread(Init.xavierUniform(w, 1, gen), xb, xb / Math.sqrt(3));
        assertSpread(Init.xavierNormal(w, 2, gen), 0, 2 * Math.sqrt(2.0 / (128 + 256)));
        double kb = Math.sqrt(2) * Math.sqrt(3.0 / 256);
        assertSpread(Init.kaimingUniform(w, 0, Init.FanMode.FAN_OUT, Init.Nonlinearity.RELU, gen), kb, kb / Math.sqrt(3));
        assertSpread(Init.kaimingNormal(w, 0, Init.FanMode.FAN_IN, Init.Nonlinearity.RELU, gen), 0, Math.sqrt(2.0 / 128));
        assertSpread(Init.normal(w, 0, 0.02, gen), 0, 0.02);
        Init.uniform(w, 2, 3, gen);
        assertTrue(w.min().item() >= 2 && w.max().item() < 3);
        assertEquals(0, Init.zeros(w).abs().max().item(), 0);
        assertEquals(256 * 128, Init.ones(w).sum().item(), 0);
    }

    @Test
    void sameSeedSameWeightsAndParametersCanBeFilled() {
        Tensor a = Init.kaimingUniform(Tensor.zeros(DType.BF16, 8, 8), Math.sqrt(5), Init.FanMode.FAN_IN, Init.Nonlinearity.LEAKY_RELU,
                new Generator(9));
        Tensor b = Init.kaimingUniform(Tensor.zeros(DType.BF16, 8, 8), Math.sqrt(5), Init.FanMode.FAN_IN, Init.Nonlinearity.LEAKY_RELU,
                new Generator(9));
        assertArrayEquals(a.toFloatArray(), b.toFloatArray(), 0);
        Tensor p = Parameter.of(Tensor.zeros(3, 3));
        Init.normal(p, 1, 0.5, new Generator(2));
        assertTrue(p.requiresGrad() && p.abs().sum().item() > 0, "filled in place although it requires grad");
        assertThrows(IllegalArgumentException.class, () -> Init.normal(Tensor.zeros(DType.I64, 2, 2), 0, 1, new Generator(1)));
        assertThrows(IllegalArgumentException.class, () -> Parameter.of(Tensor.zeros(DType.I32, 2)));
    }
}
