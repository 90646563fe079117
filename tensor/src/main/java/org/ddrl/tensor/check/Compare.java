package org.ddrl.tensor.check;

import java.util.Arrays;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.reference.RefTensor;

/**
 * Agreement between a backend's result and the reference. An element agrees when
 * |actual - expected| <= tol * (1 + |expected|), tol by the result dtype (times a per-op scale for ops that
 * sum many terms):
 * <pre>
 *   F64   1e-9      F32   1e-5      F16   2e-3 (11-bit mantissa)      BF16  1.6e-2 (8-bit mantissa)
 *   I32, I64, BOOL: exact
 * </pre>
 * NaN must match NaN and infinities must match exactly.
 */
public final class Compare {
    private Compare() {}

    public static double tolerance(DType dt) {
        return switch (dt) {
            case F64 -> 1e-9;
            case F32 -> 1e-5;
            case F16 -> 2e-3;
            case BF16 -> 1.6e-2;
            case I32, I64, BOOL -> 0;
        };
    }

    /**
     * The largest |actual - expected| / (tol * (1 + |expected|)) over all elements: at most 1 means within
     * tolerance. Infinite on a NaN/inf mismatch; a shape or dtype mismatch throws with both named.
     */
    public static double maxScaledError(RefTensor expected, Tensor actual, double tolScale) {
        if (!Arrays.equals(expected.shape(), actual.shape())) {
            throw new AssertionError("shape " + Arrays.toString(actual.shape()) + ", expected " + Arrays.toString(expected.shape()));
        }
        if (expected.dtype() != actual.dtype()) {
            throw new AssertionError("dtype " + actual.dtype() + ", expected " + expected.dtype());
        }
        double tol = tolerance(actual.dtype()) * tolScale;
        double[] a = actual.toDoubleArray();
        double[] e = expected.data();
        double worst = 0;
        for (int i = 0; i < e.length; i++) {
            double x = a[i], y = e[i];
            double err;
            if (Double.isNaN(y) || Double.isNaN(x) || Double.isInfinite(y) || Double.isInfinite(x)) {
                err = (Double.isNaN(y) && Double.isNaN(x)) || x == y ? 0 : Double.POSITIVE_INFINITY;
            } else if (tol == 0) {
                err = x == y ? 0 : Double.POSITIVE_INFINITY;
            } else {
                err = Math.abs(x - y) / (tol * (1 + Math.abs(y)));
            }
            worst = Math.max(worst, err);
        }
        return worst;
    }
}
