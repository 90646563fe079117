package org.ddrl.tensor.cpu;

/** Scalar double-precision special functions the JDK lacks. */
final class ElementwiseMath {
    private ElementwiseMath() {}

    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
    private static final double INV_SQRT_PI = 1 / Math.sqrt(Math.PI);
    private static final double INV_SQRT2 = 1 / Math.sqrt(2);

    /**
     * erfc(x) to within about 1e-14 relative. Below 2, 1 - erf from the all-positive series
     * erf(z) = 2/sqrt(pi) z exp(-z^2) sum (2z^2)^n / (1*3*...*(2n+1)), which has no cancellation; from 2
     * on, the Laplace continued fraction erfc(z) = exp(-z^2)/sqrt(pi) / (z + (1/2)/(z + 1/(z + (3/2)/(z + ...)))),
     * which 60 levels make converge to double precision there (and better for larger z).
     */
    static double erfc(double x) {
        if (Double.isNaN(x)) return x;
        if (x < 0) return 2 - erfc(-x);
        if (x < 2) return 1 - erfSeries(x);
        if (x > 27) return 0; // exp(-z^2) underflows
        double f = x;
        for (int k = 60; k >= 1; k--) f = x + (k * 0.5) / f;
        return Math.exp(-x * x) * INV_SQRT_PI / f;
    }

    private static double erfSeries(double z) {
        double z2 = z * z, term = 1, sum = 1;
        for (int n = 0; term > 1e-17 * sum; n++) {
            term *= 2 * z2 / (2 * n + 3);
            sum += term;
        }
        return TWO_OVER_SQRT_PI * z * Math.exp(-z2) * sum;
    }

    /** Exact GELU x * Phi(x), Phi the standard normal CDF, from erfc so that negative x stay accurate. */
    static double gelu(double x) {
        double halfErfc = 0.5 * erfc(Math.abs(x) * INV_SQRT2);
        return x * (x < 0 ? halfErfc : 1 - halfErfc);
    }
}
