package org.ddrl.rl.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FrechetDistanceTest {
    @Test
    void diagonalGaussiansMatchTheClosedForm() {
        // With commuting covariances the distance is |m1 - m2|^2 + sum (sqrt(a_i) - sqrt(b_i))^2.
        double[] a = {4, 1, 0.25}, b = {1, 9, 0.25};
        GaussianFit p = GaussianFit.of(new double[] {1, 2, 3}, diag(a));
        GaussianFit q = GaussianFit.of(new double[] {0, 2, 5}, diag(b));
        double want = 1 + 4 + Math.pow(2 - 1, 2) + Math.pow(1 - 3, 2) + 0;
        assertEquals(want, FrechetDistance.between(p, q), 1e-5);
        assertEquals(want, FrechetDistance.between(q, p), 1e-5);
    }

    @Test
    void nonCommutingCovariancesMatchTheClosedForm() {
        // For 2x2 covariances the eigenvalues of S1 S2 are real and non-negative, and the sum of their square roots is
        // sqrt(tr(S1 S2) + 2 sqrt(det S1 det S2)); S1 and S2 below do not commute.
        double[][] s1 = {{2, 0.8}, {0.8, 1}}, s2 = {{1, -0.3}, {-0.3, 3}};
        double trProduct = 2 * 1 + 0.8 * -0.3 + 0.8 * -0.3 + 1 * 3;
        double det1 = 2 * 1 - 0.8 * 0.8, det2 = 1 * 3 - 0.3 * 0.3;
        double traceRoot = Math.sqrt(trProduct + 2 * Math.sqrt(det1 * det2));
        double want = (0.5 * 0.5 + 1.5 * 1.5) + 3 + 4 - 2 * traceRoot;
        double got = FrechetDistance.between(GaussianFit.of(new double[] {0.5, 0}, s1), GaussianFit.of(new double[] {0, 1.5}, s2));
        assertEquals(want, got, 1e-5);
    }

    @Test
    void aGaussianIsAtDistanceZeroFromItself() {
        double[][] s = {{2, 0.8, 0.1}, {0.8, 1, -0.2}, {0.1, -0.2, 0.5}};
        GaussianFit p = GaussianFit.of(new double[] {1, -1, 0}, s);
        assertEquals(0, FrechetDistance.between(p, p), 1e-6);
    }

    @Test
    void sampleFitsApproachTheDistanceOfTheirGaussians() {
        // Two large samples of N(0, I) and N(m, 4 I) in 4 dims: d^2 = |m|^2 + 4 (2 - 1)^2 = 1 + 4.
        SplittableRandom r = new SplittableRandom(3);
        double[][] x = gaussianRows(r, 20000, 4, 0, 1), y = gaussianRows(r, 20000, 4, 0.5, 2);
        assertEquals(5, FrechetDistance.between(x, y), 0.15);
    }

    @Test
    void fewerSamplesThanDimensionsGiveAFiniteDistance() {
        // Singular covariances (rank 2 in 6 dims): the ridge keeps the square roots real.
        SplittableRandom r = new SplittableRandom(5);
        double d = FrechetDistance.between(gaussianRows(r, 3, 6, 0, 1), gaussianRows(r, 3, 6, 0, 1));
        assertTrue(Double.isFinite(d) && d >= 0, "distance " + d);
    }

    @Test
    void mismatchedDimensionsAreRefused() {
        GaussianFit p = GaussianFit.of(new double[] {0, 0}, diag(new double[] {1, 1}));
        GaussianFit q = GaussianFit.of(new double[] {0, 0, 0}, diag(new double[] {1, 1, 1}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FrechetDistance.between(p, q));
        assertEquals("FrechetDistance: fits of 2 and 3 dims", e.getMessage());
    }

    static double[][] diag(double[] v) {
        double[][] m = new double[v.length][v.length];
        for (int i = 0; i < v.length; i++) m[i][i] = v[i];
        return m;
    }

    static double[][] gaussianRows(SplittableRandom r, int n, int d, double mean, double std) {
        double[][] rows = new double[n][d];
        for (double[] row : rows) {
            for (int j = 0; j < d; j++) row[j] = mean + std * gaussian(r);
        }
        return rows;
    }

    private static double gaussian(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }
}
