package org.ddrl.rl.judge;

import java.util.Arrays;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.MatrixUtils;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.stat.correlation.Covariance;
import org.apache.commons.math3.stat.descriptive.moment.Mean;

/**
 * A Gaussian fitted to feature vectors: their mean and their unbiased sample covariance (Commons Math), the model
 * behind the Frechet distance and the per-sample realism distance.
 */
public final class GaussianFit {
    /**
     * The Mahalanobis ridge, relative to the mean variance: with fewer samples than dimensions, or features that barely
     * vary on real videos, the covariance is (nearly) singular; a ridge of a thousandth of the average variance keeps
     * its inverse bounded while still charging steps along directions real videos do not vary in far more than steps
     * along the directions they do.
     */
    public static final double MAHALANOBIS_RIDGE = 1e-3;

    private final double[] mean;
    private final RealMatrix covariance;
    private final int count;
    private RealMatrix precision;

    private GaussianFit(double[] mean, RealMatrix covariance, int count) {
        this.mean = mean;
        this.covariance = covariance;
        this.count = count;
    }

    /** The fit of feature rows [n][d], n >= 2, all rows of one length. */
    public static GaussianFit of(double[][] rows) {
        if (rows.length < 2) {
            throw new IllegalArgumentException("GaussianFit: needs at least 2 feature vectors for a covariance, got " + rows.length);
        }
        int d = rows[0].length;
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != d || d == 0) {
                throw new IllegalArgumentException("GaussianFit: feature vector " + i + " has " + rows[i].length
                        + " values, the first has " + d + "; all must have the same positive length");
            }
            for (double v : rows[i]) {
                if (!Double.isFinite(v)) throw new IllegalArgumentException("GaussianFit: feature vector " + i + " holds " + v);
            }
        }
        RealMatrix data = new Array2DRowRealMatrix(rows, false);
        double[] mean = new double[d];
        for (int j = 0; j < d; j++) mean[j] = new Mean().evaluate(data.getColumn(j));
        return new GaussianFit(mean, new Covariance(data, true).getCovarianceMatrix(), rows.length);
    }

    /** A Gaussian given by its parameters (for known distributions); {@code covariance} must be symmetric. */
    public static GaussianFit of(double[] mean, double[][] covariance) {
        RealMatrix c = MatrixUtils.createRealMatrix(covariance);
        if (!c.isSquare() || c.getRowDimension() != mean.length || !MatrixUtils.isSymmetric(c, 1e-12)) {
            throw new IllegalArgumentException("GaussianFit: covariance " + c.getRowDimension() + "x" + c.getColumnDimension()
                    + " must be symmetric and match the mean's " + mean.length + " dims");
        }
        return new GaussianFit(mean.clone(), c, 0);
    }

    public int dims() {
        return mean.length;
    }

    /** How many vectors were fitted; 0 for a Gaussian given by its parameters. */
    public int count() {
        return count;
    }

    public double[] mean() {
        return mean.clone();
    }

    public RealMatrix covariance() {
        return covariance.copy();
    }

    /** The mean variance, tr(S) / d: the scale the ridges are relative to. */
    double meanVariance() {
        return covariance.getTrace() / dims();
    }

    /**
     * sqrt((x - mean)^T (S + r I)^-1 (x - mean)) with r = {@link #MAHALANOBIS_RIDGE} times the mean variance: how far a
     * feature vector lies from this distribution, in its own standard deviations.
     */
    public double mahalanobis(double[] x) {
        if (x.length != dims()) {
            throw new IllegalArgumentException("GaussianFit.mahalanobis: a vector of " + x.length + " values for a " + dims() + "-dim fit");
        }
        double[] diff = new double[x.length];
        for (int i = 0; i < x.length; i++) diff[i] = x[i] - mean[i];
        return Math.sqrt(Math.max(0, MatrixUtils.createRealVector(diff).dotProduct(precision().operate(MatrixUtils.createRealVector(diff)))));
    }

    private synchronized RealMatrix precision() {
        if (precision == null) {
            double ridge = MAHALANOBIS_RIDGE * meanVariance() + Double.MIN_NORMAL;
            EigenDecomposition eig = new EigenDecomposition(withRidge(covariance, ridge));
            precision = SymmetricMatrices.apply(eig, v -> 1 / v);
        }
        return precision;
    }

    /** {@code m + ridge I}, a new matrix. */
    static RealMatrix withRidge(RealMatrix m, double ridge) {
        RealMatrix out = m.copy();
        for (int i = 0; i < out.getRowDimension(); i++) out.addToEntry(i, i, ridge);
        return out;
    }

    @Override
    public String toString() {
        return "GaussianFit(" + dims() + " dims, " + count + " vectors, mean " + Arrays.toString(mean) + ")";
    }
}
