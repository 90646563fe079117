package org.ddrl.rl.judge;

import java.util.function.DoubleUnaryOperator;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.MatrixUtils;
import org.apache.commons.math3.linear.RealMatrix;

/** Functions of symmetric matrices through their eigen-decomposition: f(V diag(l) V^T) = V diag(f(l)) V^T. */
final class SymmetricMatrices {
    private SymmetricMatrices() {}

    /** f applied to the eigenvalues of a decomposed symmetric matrix; eigenvalues below zero by rounding are taken as 0. */
    static RealMatrix apply(EigenDecomposition eig, DoubleUnaryOperator f) {
        double[] values = eig.getRealEigenvalues();
        double[] mapped = new double[values.length];
        for (int i = 0; i < values.length; i++) mapped[i] = f.applyAsDouble(Math.max(0, values[i]));
        RealMatrix v = eig.getV();
        return v.multiply(MatrixUtils.createRealDiagonalMatrix(mapped)).multiply(v.transpose());
    }

    /** The symmetric part (m + m^T) / 2, which removes the asymmetry rounding leaves in a product like A B A. */
    static RealMatrix symmetrize(RealMatrix m) {
        return m.add(m.transpose()).scalarMultiply(0.5);
    }
}
