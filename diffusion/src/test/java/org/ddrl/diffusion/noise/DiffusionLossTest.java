package org.ddrl.diffusion.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;
import org.junit.jupiter.api.Test;

/** The losses by hand, and their gradients. */
class DiffusionLossTest {
    @Test
    void velocityMseByHand() {
        Tensor x0 = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2);
        Tensor eps = Tensor.of(new double[] {0, 0, 1, 1}, 2, 2);
        Tensor v = Tensor.of(new double[] {-1, -1, -1, -1}, 2, 2);
        // target eps - x0 = [-1, -2, -2, -3]; errors 0, 1, 1, 2 -> mean of squares 6 / 4
        assertEquals(1.5, DiffusionLoss.velocityMse(v, x0, eps).item(), 1e-15);
        Tensor vp = v.copy().requiresGrad(true);
        DiffusionLoss.velocityMse(vp, x0, eps).backward();
        assertArrayEquals(new double[] {0, 0.5, 0.5, 1}, vp.grad().toDoubleArray(), 1e-15); // 2 err / 4
    }

    @Test
    void edmWeightedX0MseByHand() {
        assertEquals(2, DiffusionLoss.edmWeight(1), 0);
        assertEquals(5, DiffusionLoss.edmWeight(0.5), 1e-15);
        assertEquals(1.000025, DiffusionLoss.edmWeight(200), 1e-15);
        Tensor x0 = Tensor.of(new double[] {1, 1, 0, 0}, 2, 2);
        Tensor pred = Tensor.of(new double[] {0, 1, 2, 0}, 2, 2);
        Tensor sigma = Tensor.of(new double[] {1, 0.5}, 2);
        // row 0: w 2, squares 1, 0; row 1: w 5, squares 4, 0 -> (2 + 20) / 4
        assertEquals(5.5, DiffusionLoss.edmX0Mse(pred, x0, sigma).item(), 1e-15);
        assertEquals((1 + 4) * 5 / 4.0, DiffusionLoss.edmX0Mse(pred, x0, 0.5).item(), 1e-15);
        assertArrayEquals(new double[] {2, 5}, DiffusionLoss.edmWeight(sigma).toDoubleArray(), 1e-15);
    }

    @Test
    void edmWeightOnX0IsALightVelocityWeightUnderRectifiedFlowScaling() {
        // x0_pred = x_t - t v_pred and x0 = x_t - t v, so w(sigma) (x0 - x0_pred)^2 = (1 + sigma^2) / (1 + sigma)^2 (v - v_pred)^2.
        Generator gen = new Generator(3);
        Tensor x0 = Tensor.randn(gen, org.ddrl.tensor.DType.F64, org.ddrl.tensor.Device.CPU, 4, 5);
        Tensor eps = Tensor.randn(gen, org.ddrl.tensor.DType.F64, org.ddrl.tensor.Device.CPU, 4, 5);
        Tensor vPred = Tensor.randn(gen, org.ddrl.tensor.DType.F64, org.ddrl.tensor.Device.CPU, 4, 5);
        for (double sigma : new double[] {0.01, 0.3, 1, 4.61, 200}) {
            double t = RectifiedFlow.tFromSigma(sigma);
            Tensor xt = RectifiedFlow.interpolate(x0, eps, t);
            Tensor x0Pred = xt.sub(vPred.mul(t));
            double lhs = DiffusionLoss.edmX0Mse(x0Pred, x0, sigma).item();
            double factor = (1 + sigma * sigma) / Math.pow(1 + sigma, 2);
            assertTrue(factor >= 0.5 && factor <= 1);
            assertEquals(factor * DiffusionLoss.velocityMse(vPred, x0, eps).item(), lhs, 1e-9 * lhs, "sigma " + sigma);
        }
    }

    @Test
    void badInputsAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DiffusionLoss.velocityMse(Tensor.zeros(2, 3), Tensor.zeros(2, 3), Tensor.zeros(2, 4)));
        assertTrue(e.getMessage().contains("velocity"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> DiffusionLoss.edmX0Mse(Tensor.zeros(2, 3), Tensor.zeros(2, 3), Tensor.ones(4)));
        assertTrue(e.getMessage().contains("edmX0Mse") && e.getMessage().contains("[4]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DiffusionLoss.edmWeight(0));
    }
}
