package org.ddrl.rl.judge;

import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.RealMatrix;

/**
 * The Frechet (2-Wasserstein) distance between two Gaussians, squared as FID and FVD report it:
 *
 * <pre>
 * d^2 = |m1 - m2|^2 + tr(S1) + tr(S2) - 2 tr( (S1^(1/2) S2 S1^(1/2))^(1/2) )
 * </pre>
 *
 * The last trace equals tr((S1 S2)^(1/2)), but S1 S2 is not symmetric, and taking its square root as if it were (or
 * by a general matrix square root) loses accuracy or returns complex parts; S1^(1/2) S2 S1^(1/2) is symmetric
 * positive semi-definite, so both square roots come from symmetric eigen-decompositions (Commons Math), and the trace
 * is the sum of the square roots of the second one's eigenvalues.
 *
 * <p>Ridge: both covariances get {@link #RIDGE} times their mean variance added to the diagonal. Covariances of fewer
 * samples than feature dimensions are singular, and the eigen-solver then returns eigenvalues a rounding error below
 * zero; the ridge lifts them clear of zero. Where both covariances agree its effect cancels to first order; where one
 * is singular along a direction in which the other has variance v, that direction's term moves by at most
 * 2 sqrt(r v), for r the absolute ridge: a thousandth of the mean variance at this setting.
 */
public final class FrechetDistance {
    /** Ridge relative to the mean variance of both covariances. */
    public static final double RIDGE = 1e-6;

    private FrechetDistance() {}

    /** The squared Frechet distance between two fits of the same dimension; never negative. */
    public static double between(GaussianFit a, GaussianFit b) {
        if (a.dims() != b.dims()) {
            throw new IllegalArgumentException("FrechetDistance: fits of " + a.dims() + " and " + b.dims() + " dims");
        }
        double ridge = RIDGE * (a.meanVariance() + b.meanVariance()) / 2 + Double.MIN_NORMAL;
        RealMatrix s1 = GaussianFit.withRidge(a.covariance(), ridge), s2 = GaussianFit.withRidge(b.covariance(), ridge);
        RealMatrix root1 = SymmetricMatrices.apply(new EigenDecomposition(s1), Math::sqrt);
        RealMatrix middle = SymmetricMatrices.symmetrize(root1.multiply(s2).multiply(root1));
        double traceRoot = 0;
        for (double v : new EigenDecomposition(middle).getRealEigenvalues()) traceRoot += Math.sqrt(Math.max(0, v));
        double[] m1 = a.mean(), m2 = b.mean();
        double meanTerm = 0;
        for (int i = 0; i < m1.length; i++) meanTerm += (m1[i] - m2[i]) * (m1[i] - m2[i]);
        return Math.max(0, meanTerm + s1.getTrace() + s2.getTrace() - 2 * traceRoot);
    }

    /** The squared Frechet distance between Gaussian fits of two sets of feature rows. */
    public static double between(double[][] a, double[][] b) {
        return between(GaussianFit.of(a), GaussianFit.of(b));
    }
}
