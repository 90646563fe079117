package org.ddrl.autodiff.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ClipGradTest {
    static Tensor withGrad(double[] value, double[] grad) {
        Tensor p = Tensor.of(value).requiresGrad(true);
        p.setGrad(Tensor.of(grad));
        return p;
    }

    @Test
    void scalesAllGradientsTogetherToTheMaxNorm() {
        // grads (3, 4) and (12): global 2-norm sqrt(9 + 16 + 144) = 13
        Tensor a = withGrad(new double[] {0, 0}, new double[] {3, 4});
        Tensor b = withGrad(new double[] {0}, new double[] {12});
        double total = ClipGrad.clipGradNorm(List.of(a, b), 6.5);
        assertEquals(13, total, 1e-15);
        double c = 6.5 / (13 + 1e-6);
        assertArrayEquals(new double[] {3 * c, 4 * c}, a.grad().toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {12 * c}, b.grad().toDoubleArray(), 1e-15);
        assertEquals(6.5, ClipGrad.clipGradNorm(List.of(a, b), 100), 1e-6, "the new norm is maxNorm");
    }

    @Test
    void belowTheMaxNothingChanges() {
        Tensor a = withGrad(new double[] {0, 0}, new double[] {0.3, -0.4});
        assertEquals(0.5, ClipGrad.clipGradNorm(List.of(a), 0.5 + 1e-3), 1e-15);
        assertArrayEquals(new double[] {0.3, -0.4}, a.grad().toDoubleArray(), 0);
    }

    @Test
    void parametersWithoutGradientsAreIgnored() {
        Tensor a = withGrad(new double[] {0}, new double[] {-2});
        Tensor none = Tensor.of(new double[] {7}).requiresGrad(true);
        assertEquals(2, ClipGrad.clipGradNorm(List.of(a, none), 1), 0);
        assertEquals(-1, a.grad().item(), 1e-6);
    }

    @Test
    void otherNormTypes() {
        Tensor a = withGrad(new double[] {0, 0}, new double[] {3, -4});
        Tensor b = withGrad(new double[] {0}, new double[] {-12});
        assertEquals(12, ClipGrad.clipGradNorm(List.of(a, b), 100, Double.POSITIVE_INFINITY, true), 0);
        assertEquals(19, ClipGrad.clipGradNorm(List.of(a, b), 100, 1, true), 1e-12);
        assertEquals(Math.cbrt(27 + 64 + 1728), ClipGrad.clipGradNorm(List.of(a, b), 100, 3, true), 1e-12);
        ClipGrad.clipGradNorm(List.of(a, b), 6, Double.POSITIVE_INFINITY, true);
        assertArrayEquals(new double[] {-6}, b.grad().toDoubleArray(), 1e-6);
    }

    @Test
    void theNormIsAccumulatedInF64() {
        // 1e20^2 overflows F32; the norm of 4 such F32 gradients is still 2e20
        Tensor p = Tensor.zeros(DType.F32, 4).requiresGrad(true);
        p.setGrad(Tensor.full(1e20, DType.F32, 4));
        double total = ClipGrad.clipGradNorm(List.of(p), 1);
        assertEquals(2e20, total, 2e20 * 1e-7);
        assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f, 0.5f}, p.grad().toFloatArray(), 1e-6f);
    }

    @Test
    void bf16GradientsAreScaledInF32() {
        Tensor p = Tensor.zeros(DType.BF16, 1).requiresGrad(true);
        p.setGrad(Tensor.full(3, DType.BF16, 1));
        ClipGrad.clipGradNorm(List.of(p), 0.9);
        // 3 * 0.2999999 = 0.8999997 rounds to the BF16 0.8984375; the factor rounded to BF16 first (0.30078125)
        // would give 0.90234375
        assertEquals(0.8984375, p.grad().item(), 0);
    }

    @Test
    void nonFiniteNormsErrorOrComeBackUnscaled() {
        Map<String, Tensor> params = new LinkedHashMap<>();
        params.put("ok", withGrad(new double[] {0}, new double[] {100}));
        params.put("bad", withGrad(new double[] {0, 0}, new double[] {1, Double.NaN}));
        var e = assertThrows(IllegalStateException.class, () -> ClipGrad.clipGradNorm(params, 1, 2, true));
        assertTrue(e.getMessage().contains("is NaN") && e.getMessage().contains("[bad]"), e.getMessage());
        assertTrue(Double.isNaN(ClipGrad.clipGradNorm(params, 1)));
        assertArrayEquals(new double[] {100}, params.get("ok").grad().toDoubleArray(), 0);
        params.put("bad", withGrad(new double[] {0}, new double[] {Double.NEGATIVE_INFINITY}));
        assertEquals(Double.POSITIVE_INFINITY, ClipGrad.clipGradNorm(params, 1, Double.POSITIVE_INFINITY, false));
    }

    @Test
    void badArgumentsAreRefused() {
        Tensor a = withGrad(new double[] {0}, new double[] {1});
        assertThrows(IllegalArgumentException.class, () -> ClipGrad.clipGradNorm(List.of(a), -1));
        var e = assertThrows(IllegalArgumentException.class, () -> ClipGrad.clipGradNorm(List.of(a), 1, 0, false));
        assertTrue(e.getMessage().contains("normType"), e.getMessage());
    }
}
