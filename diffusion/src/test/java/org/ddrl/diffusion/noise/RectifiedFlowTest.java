package org.ddrl.diffusion.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ddrl.tensor.Tensor;
import org.junit.jupiter.api.Test;

class RectifiedFlowTest {
    private final Tensor x0 = Tensor.of(new double[] {1, 2, 3, -1, 0, 4}, 2, 3);
    private final Tensor eps = Tensor.of(new double[] {0, 1, -1, 2, 2, 2}, 2, 3);

    @Test
    void interpolateAndVelocityByHand() {
        Tensor t = Tensor.of(new double[] {0.25, 1}, 2);
        // row 0: 0.75 x0 + 0.25 eps; row 1: eps
        assertArrayEquals(new double[] {0.75, 1.75, 2.0, 2, 2, 2}, RectifiedFlow.interpolate(x0, eps, t).toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {0.5, 1.5, 1.0, 0.5, 1, 3}, RectifiedFlow.interpolate(x0, eps, 0.5).toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {-1, -1, -4, 3, 2, -2}, RectifiedFlow.velocity(x0, eps).toDoubleArray(), 0);
        // x_t - t v recovers x0 and x_t + (1 - t) v recovers eps.
        Tensor xt = RectifiedFlow.interpolate(x0, eps, 0.3);
        Tensor v = RectifiedFlow.velocity(x0, eps);
        assertArrayEquals(x0.toDoubleArray(), xt.sub(v.mul(0.3)).toDoubleArray(), 1e-15);
        assertArrayEquals(eps.toDoubleArray(), xt.add(v.mul(0.7)).toDoubleArray(), 1e-15);
    }

    @Test
    void timestepShift() {
        assertEquals(0.75, RectifiedFlow.shift(0.5, 3), 1e-15);
        assertEquals(0, RectifiedFlow.shift(0, 3));
        assertEquals(1, RectifiedFlow.shift(1, 3));
        assertEquals(0.3, RectifiedFlow.shift(0.3, 1), 0);
        assertEquals(0.1, RectifiedFlow.shift(0.25, 1.0 / 3), 1e-15); // (0.25 / 3) / (1 - 0.5 / 3)
        // Shifts compose multiplicatively: shift(shift(t, a), b) = shift(t, a b).
        assertEquals(RectifiedFlow.shift(0.2, 6), RectifiedFlow.shift(RectifiedFlow.shift(0.2, 2), 3), 1e-15);
        Tensor t = Tensor.of(new double[] {0, 0.1, 0.5, 0.9, 1}, 5);
        double[] shifted = RectifiedFlow.shift(t, 3).toDoubleArray();
        for (int i = 0; i < 5; i++) assertEquals(RectifiedFlow.shift(t.toDoubleArray()[i], 3), shifted[i], 1e-15);
        assertSame(t, RectifiedFlow.shift(t, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RectifiedFlow.shift(0.5, 0));
        assertTrue(e.getMessage().contains("shift"), e.getMessage());
    }

    @Test
    void sigmaAndTimeRoundTrip() {
        assertEquals(0.5, RectifiedFlow.tFromSigma(1), 0);
        assertEquals(200.0 / 201, RectifiedFlow.tFromSigma(200), 1e-15);
        assertEquals(1, RectifiedFlow.tFromSigma(Double.POSITIVE_INFINITY));
        assertEquals(Double.POSITIVE_INFINITY, RectifiedFlow.sigmaFromT(1));
        assertEquals(0, RectifiedFlow.sigmaFromT(0));
        for (double sigma : new double[] {0, 0.01, 0.5, 1, 7.16, 200, 1e5}) {
            assertEquals(sigma, RectifiedFlow.sigmaFromT(RectifiedFlow.tFromSigma(sigma)), 1e-12 * Math.max(1, sigma * sigma), "sigma " + sigma);
        }
        for (double t : new double[] {0, 0.0099, 0.3, 0.5, 0.995}) {
            assertEquals(t, RectifiedFlow.tFromSigma(RectifiedFlow.sigmaFromT(t)), 1e-15, "t " + t);
        }
        // The EDM state x0 + sigma eps is the RF state scaled by 1 / (1 - t).
        double sigma = 3, t = RectifiedFlow.tFromSigma(sigma);
        assertArrayEquals(x0.add(eps.mul(sigma)).mul(1 - t).toDoubleArray(), RectifiedFlow.interpolate(x0, eps, t).toDoubleArray(), 1e-14);
        Tensor sigmas = Tensor.of(new double[] {0.01, 1, 200}, 3);
        assertArrayEquals(sigmas.toDoubleArray(), RectifiedFlow.sigmaFromT(RectifiedFlow.tFromSigma(sigmas)).toDoubleArray(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> RectifiedFlow.tFromSigma(-1));
        assertThrows(IllegalArgumentException.class, () -> RectifiedFlow.sigmaFromT(1.5));
    }

    @Test
    void shapeErrorsNameTheOp() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RectifiedFlow.interpolate(x0, Tensor.zeros(3, 2), 0.5));
        assertTrue(e.getMessage().contains("interpolate") && e.getMessage().contains("[2, 3]") && e.getMessage().contains("[3, 2]"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RectifiedFlow.interpolate(x0, eps, Tensor.ones(3)));
        assertTrue(e.getMessage().contains("per-sample") && e.getMessage().contains("B = 2"), e.getMessage());
    }
}
