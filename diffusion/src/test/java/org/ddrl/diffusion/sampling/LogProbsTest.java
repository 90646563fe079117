package org.ddrl.diffusion.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ddrl.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The per-step log-probabilities, by hand. */
class LogProbsTest {
    private static final double C = Math.log(2) + 0.5 * Math.log(2 * Math.PI); // ln std + ln sqrt(2 pi), std = 2

    @Test
    void gaussianIsTheElementMeanOfTheExactLogDensity() {
        Tensor next = Tensor.of(new double[] {1, 2, 0, -1}, 2, 2);
        Tensor lp = LogProbs.gaussian(next, Tensor.zeros(org.ddrl.tensor.DType.F64, 2, 2), 2);
        // row 0: mean(-1/8, -4/8) - C; row 1: mean(0, -1/8) - C
        assertArrayEquals(new double[] {-0.3125 - C, -0.0625 - C}, lp.toDoubleArray(), 1e-15);

        // Over several data dims: the sum over elements of the exact log-density, divided by their count.
        Tensor x = Tensor.of(new double[] {0.3, -1.2, 2.0, 0.1, 0.0, -0.7}, 1, 2, 3);
        Tensor m = Tensor.of(new double[] {0.1, 0.1, 0.1, -0.2, -0.2, -0.2}, 1, 2, 3);
        double exact = 0;
        double[] xs = x.toDoubleArray(), ms = m.toDoubleArray();
        for (int i = 0; i < 6; i++) exact += -Math.pow(xs[i] - ms[i], 2) / (2 * 0.49) - Math.log(0.7) - 0.5 * Math.log(2 * Math.PI);
        assertEquals(exact / 6, LogProbs.gaussian(x, m, 0.7).item(), 1e-14);
    }

    @Test
    void squaredErrorLogRatioIsTheUnnormalisedDifference() {
        Tensor next = Tensor.of(new double[] {1, 2}, 1, 2);
        Tensor mean = Tensor.of(new double[] {0, 1}, 1, 2);
        Tensor old = Tensor.of(new double[] {1, 1}, 1, 2);
        // -mean[(1 - 0)^2 - (1 - 1)^2, (2 - 1)^2 - (2 - 1)^2] = -0.5
        assertEquals(-0.5, LogProbs.squaredErrorLogRatio(next, mean, old).item(), 0);
        assertEquals(0, LogProbs.squaredErrorLogRatio(next, mean, mean).item(), 0);
        // It equals 2 std^2 times the exact Gaussian log-ratio, for any std.
        double std = 0.37;
        double gaussian = LogProbs.gaussian(next, mean, std).sub(LogProbs.gaussian(next, old, std)).item();
        assertEquals(-0.5, 2 * std * std * gaussian, 1e-14);
    }

    @Test
    void gradientsFlowToTheMeanButNotToTheSampledState() {
        Tensor next = Tensor.of(new double[] {1, 2, 3, 5}, 2, 2).requiresGrad(true);
        Tensor mean = Tensor.of(new double[] {0, 0, 1, 1}, 2, 2).requiresGrad(true);
        LogProbs.gaussian(next, mean, 2).sum().backward();
        // d/dmean of mean_D[-(x - mean)^2 / (2 s^2)] = (x - mean) / (s^2 D)
        assertArrayEquals(new double[] {1 / 8.0, 2 / 8.0, 2 / 8.0, 4 / 8.0}, mean.grad().toDoubleArray(), 1e-15);
        assertNull(next.grad());

        Tensor meanB = Tensor.of(new double[] {0, 0, 1, 1}, 2, 2).requiresGrad(true);
        Tensor old = Tensor.of(new double[] {0, 0, 0, 0}, 2, 2).requiresGrad(true);
        LogProbs.squaredErrorLogRatio(next, meanB, old).sum().backward();
        // d/dmean of -mean_D[(x - mean)^2] = 2 (x - mean) / D; the old mean is a constant.
        assertArrayEquals(new double[] {1, 2, 2, 4}, meanB.grad().toDoubleArray(), 1e-15);
        assertNull(old.grad());
        assertNull(next.grad());
    }

    @Test
    void badInputsAreRejected() {
        Tensor a = Tensor.zeros(2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LogProbs.gaussian(a, a, 0));
        assertTrue(e.getMessage().contains("std") && e.getMessage().contains("0.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LogProbs.gaussian(a, Tensor.zeros(2, 4), 1));
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[2, 4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LogProbs.gaussian(Tensor.zeros(3), Tensor.zeros(3), 1));
        assertTrue(e.getMessage().contains("LogProbs.gaussian") && e.getMessage().contains("[3]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LogProbs.squaredErrorLogRatio(a, a, Tensor.zeros(3, 2)));
    }
}
