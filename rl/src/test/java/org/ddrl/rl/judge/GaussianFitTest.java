package org.ddrl.rl.judge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class GaussianFitTest {
    @Test
    void meanAndUnbiasedCovarianceByHand() {
        double[][] rows = {{1, 2}, {3, 6}, {5, 4}};
        GaussianFit fit = GaussianFit.of(rows);
        assertArrayEquals(new double[] {3, 4}, fit.mean(), 1e-12);
        // Deviations (-2, -2), (0, 2), (2, 0): sums of products / (n - 1).
        assertArrayEquals(new double[] {4, 2}, fit.covariance().getRow(0), 1e-12);
        assertArrayEquals(new double[] {2, 4}, fit.covariance().getRow(1), 1e-12);
        assertEquals(3, fit.count());
    }

    @Test
    void mahalanobisCountsStandardDeviations() {
        GaussianFit fit = GaussianFit.of(new double[] {1, 0}, FrechetDistanceTest.diag(new double[] {4, 1}));
        // The ridge (a thousandth of the mean variance 2.5) shrinks distances by about 1e-3 relative.
        assertEquals(1, fit.mahalanobis(new double[] {3, 0}), 2e-3);
        assertEquals(Math.sqrt(2), fit.mahalanobis(new double[] {3, 1}), 3e-3);
        assertEquals(0, fit.mahalanobis(new double[] {1, 0}), 1e-12);
    }

    @Test
    void badInputIsRefusedWithTheReason() {
        assertEquals("GaussianFit: needs at least 2 feature vectors for a covariance, got 1",
                assertThrows(IllegalArgumentException.class, () -> GaussianFit.of(new double[][] {{1, 2}})).getMessage());
        assertEquals("GaussianFit: feature vector 1 has 1 values, the first has 2; all must have the same positive length",
                assertThrows(IllegalArgumentException.class, () -> GaussianFit.of(new double[][] {{1, 2}, {3}})).getMessage());
        assertEquals("GaussianFit: feature vector 0 holds NaN",
                assertThrows(IllegalArgumentException.class, () -> GaussianFit.of(new double[][] {{1, Double.NaN}, {3, 4}})).getMessage());
        assertEquals("GaussianFit.mahalanobis: a vector of 3 values for a 2-dim fit",
                assertThrows(IllegalArgumentException.class, () -> GaussianFit.of(new double[][] {{1, 2}, {3, 4}})
                        .mahalanobis(new double[3])).getMessage());
    }
}
