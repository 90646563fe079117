package org.ddrl.autodiff.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.GradMode;
import org.ddrl.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmaTest {
    @TempDir
    Path dir;

    static final double[][] TRAJECTORY = {{1, -2, 0.5}, {2, 0, 1.5}, {-1, 4, 0.25}, {0.5, 0.5, 0.5}};

    static Tensor param(DType dtype) {
        return Tensor.of(new double[] {0, 1, -1}).to(dtype).requiresGrad(true);
    }

    static void set(Tensor p, double[] v) {
        try (var g = GradMode.noGrad()) {
            p.copyFrom(Tensor.of(v));
        }
    }

    /** Runs the trajectory through an EMA and, in doubles, through ema = beta(t) ema + (1 - beta(t)) p. */
    static double[][] both(EmaProfile profile, DType dtype) {
        Tensor p = param(dtype);
        double[] want = p.toDoubleArray();
        Ema ema = new Ema(Map.of("p", p), profile);
        for (int t = 1; t <= TRAJECTORY.length; t++) {
            set(p, TRAJECTORY[t - 1]);
            ema.update();
            double beta = profile.beta(t);
            for (int i = 0; i < 3; i++) want[i] = beta * want[i] + (1 - beta) * TRAJECTORY[t - 1][i];
        }
        return new double[][] {want, ema.averaged(0).get("p").toDoubleArray()};
    }

    @Test
    void plainDecayAfterAFewSteps() {
        EmaProfile d = EmaProfile.decay(0.9);
        assertEquals(0.9, d.beta(1));
        assertEquals(0.9, d.beta(1000));
        // ema_4 written out: it starts from the initial weights (0, 1, -1)
        double[] e = {0, 1, -1};
        for (double[] x : TRAJECTORY) for (int i = 0; i < 3; i++) e[i] = 0.9 * e[i] + 0.1 * x[i];
        double[][] r = both(d, DType.F64);
        assertArrayEquals(e, r[1], 1e-15);
        assertArrayEquals(r[0], both(d, DType.F32)[1], 1e-6);
    }

    @Test
    void warmupDecayFollowsTheTensorFlowRule() {
        EmaProfile w = EmaProfile.warmupDecay(0.5);
        assertEquals(2.0 / 11, w.beta(1), 1e-15);
        assertEquals(3.0 / 12, w.beta(2), 1e-15);
        assertEquals(0.5, w.beta(8), 1e-15); // (1 + 8) / 18 = 0.5 reaches the decay
        assertEquals(0.5, w.beta(100), 1e-15);
        double[][] r = both(w, DType.F64);
        assertArrayEquals(r[0], r[1], 1e-15);
    }

    @Test
    void gammaSolvesTheSigmaRelRelation() {
        // EDM2's std_to_exp: numpy.roots([1, 7, 16 - s^-2, 12 - s^-2]).real.max()
        assertEquals(16.972198602303447, PowerFunction.gamma(0.05), 1e-9);
        assertEquals(6.937203937601809, PowerFunction.gamma(0.10), 1e-9);
        assertEquals(-1.0 / 3, PowerFunction.gamma(0.3), 1e-9); // (2/3) / ((5/3)^2 (8/3)) = 0.09 exactly
        for (double s = 0.001; s < PowerFunction.MAX_SIGMA_REL; s *= 1.37) {
            double g = PowerFunction.gamma(s);
            assertEquals(s, PowerFunction.sigmaRel(g), s * 1e-12, "sigma_rel " + s);
            double inv = 1 / (s * s);
            double cubic = g * g * g + 7 * g * g + (16 - inv) * g + (12 - inv);
            assertEquals(0, cubic, 1e-9 * inv * Math.max(1, g), "cubic residual at sigma_rel " + s);
        }
        assertEquals(0.3003, PowerFunction.MAX_SIGMA_REL, 1e-4);
    }

    @Test
    void impossibleSigmaRelIsRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> PowerFunction.gamma(0.31));
        assertTrue(e.getMessage().contains("0.31") && e.getMessage().contains("0.30028"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PowerFunction.gamma(0));
        assertThrows(IllegalArgumentException.class, () -> PowerFunction.sigmaRel(-1));
    }

    @Test
    void powerBetaMatchesTheFormula() {
        double g = PowerFunction.gamma(0.05);
        EmaProfile p = EmaProfile.power(0.05);
        assertEquals(0, p.beta(1), "the first update copies the weights");
        for (long t : new long[] {2, 3, 10, 1000, 123456}) {
            assertEquals(Math.pow(1 - 1.0 / t, g + 1), p.beta(t), 1e-15);
        }
        assertEquals("sigma_rel_0.05", p.name());
        double[][] r = both(p, DType.F64);
        assertArrayEquals(r[0], r[1], 1e-15);
    }

    @Test
    void severalProfilesAtOnce() {
        Tensor p = param(DType.F32);
        Ema ema = Ema.power(Map.of("p", p), 0.05, 0.10);
        double g1 = PowerFunction.gamma(0.05), g2 = PowerFunction.gamma(0.10);
        double[] e1 = p.toDoubleArray(), e2 = p.toDoubleArray();
        for (int t = 1; t <= TRAJECTORY.length; t++) {
            set(p, TRAJECTORY[t - 1]);
            ema.update();
            double b1 = Math.pow(1 - 1.0 / t, g1 + 1), b2 = Math.pow(1 - 1.0 / t, g2 + 1);
            for (int i = 0; i < 3; i++) {
                e1[i] = b1 * e1[i] + (1 - b1) * TRAJECTORY[t - 1][i];
                e2[i] = b2 * e2[i] + (1 - b2) * TRAJECTORY[t - 1][i];
            }
        }
        assertArrayEquals(e1, ema.averaged(0).get("p").toDoubleArray(), 1e-6);
        assertArrayEquals(e2, ema.averaged(1).get("p").toDoubleArray(), 1e-6);
        assertTrue(Math.abs(e1[1] - e2[1]) > 1e-3, "the profiles differ");
        assertEquals(4, ema.updates());
    }

    @Test
    void halfPrecisionParametersAreAveragedInF32() {
        Tensor p = param(DType.BF16);
        Ema ema = new Ema(Map.of("p", p), EmaProfile.decay(0.999));
        assertEquals(DType.F32, ema.averaged(0).get("p").dtype());
        set(p, new double[] {1, 1, 1});
        ema.update();
        // 0.001 of a step: invisible in BF16 next to 1, kept in F32
        assertEquals(0.001, ema.averaged(0).get("p").toDoubleArray()[0], 1e-9);
    }

    @Test
    void swapInUsesTheAverageAndSwapOutRestores() {
        Tensor p = param(DType.F32);
        Ema ema = new Ema(Map.of("p", p), EmaProfile.decay(0.5));
        set(p, new double[] {2, 3, 4});
        ema.update(); // average: (1, 2, 1.5)
        try (Ema.Swap s = ema.swapIn(0)) {
            assertArrayEquals(new float[] {1, 2, 1.5f}, p.toFloatArray(), 0);
            var e = assertThrows(IllegalStateException.class, ema::update);
            assertTrue(e.getMessage().contains("swapped in"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> ema.swapIn(0));
        }
        assertArrayEquals(new float[] {2, 3, 4}, p.toFloatArray(), 0);
        ema.update();
        assertArrayEquals(new float[] {1.5f, 2.5f, 2.75f}, ema.averaged(0).get("p").toFloatArray(), 0);
        assertThrows(IndexOutOfBoundsException.class, () -> ema.swapIn(1));
    }

    @Test
    void stateRoundTripContinuesIdentically() throws IOException {
        Tensor pa = param(DType.F32), pb = param(DType.F32);
        Ema a = Ema.power(Map.of("w", pa), 0.05, 0.1);
        set(pa, TRAJECTORY[0]);
        a.update();
        a.update();
        Path file = dir.resolve("ema.safetensors");
        a.save(file);

        Ema b = Ema.power(Map.of("w", pb), 0.05, 0.1);
        b.load(file);
        assertEquals(2, b.updates());
        for (double[] x : new double[][] {TRAJECTORY[1], TRAJECTORY[2]}) {
            set(pa, x);
            set(pb, x);
            a.update();
            b.update();
        }
        for (int k = 0; k < 2; k++) {
            assertArrayEquals(a.averaged(k).get("w").toFloatArray(), b.averaged(k).get("w").toFloatArray(), 0f);
        }
    }

    @Test
    void mismatchedStatesAreNamed() throws IOException {
        Ema a = Ema.power(Map.of("w", param(DType.F32)), 0.05, 0.1);
        a.update();
        Path file = dir.resolve("ema.safetensors");
        a.save(file);
        var e = assertThrows(IllegalArgumentException.class, () -> Ema.power(Map.of("w", param(DType.F32)), 0.05).load(file));
        assertTrue(e.getMessage().contains("[sigma_rel_0.05, sigma_rel_0.1]") && e.getMessage().contains("[sigma_rel_0.05]"), e.getMessage());
        Tensor wide = Tensor.zeros(DType.F32, 4).requiresGrad(true);
        e = assertThrows(IllegalArgumentException.class, () -> Ema.power(Map.of("w", wide), 0.05, 0.1).load(file));
        assertTrue(e.getMessage().contains("'sigma_rel_0.05/w' has shape [3] but parameter 'w' has shape [4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Ema.power(Map.of("v", param(DType.F32)), 0.05, 0.1).load(file));
        assertTrue(e.getMessage().contains("no 'sigma_rel_0.05/v'"), e.getMessage());
        Map<String, Tensor> two = new LinkedHashMap<>();
        two.put("w", param(DType.F32));
        Ema fewer = Ema.power(two, 0.05, 0.1);
        two.put("v", param(DType.F32));
        e = assertThrows(IllegalArgumentException.class, () -> fewer.loadStateDict(Ema.power(two, 0.05, 0.1).stateDict()));
        assertTrue(e.getMessage().contains("unexpected entries") && e.getMessage().contains("sigma_rel_0.1/v"), e.getMessage());
    }
}
