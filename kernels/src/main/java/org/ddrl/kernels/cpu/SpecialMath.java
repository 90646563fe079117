package org.ddrl.kernels.cpu;

/** Special functions in double precision, accurate to a few units in the last place. */
public final class SpecialMath {
    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;

    private SpecialMath() {}

    /**
     * The error function. For |x| < 3 the series erf x = 2/sqrt(pi) e^{-x^2} sum_n 2^n x^{2n+1} / (2n+1)!!
     * (all terms positive, so no cancellation); beyond, erfc from its continued fraction, evaluated
     * bottom-up with enough terms for double precision; erfc(6) is below 1e-16 so |x| >= 6 gives +-1.
     */
    public static double erf(double x) {
        if (Double.isNaN(x)) return x;
        double a = Math.abs(x);
        if (a >= 6) return Math.copySign(1, x);
        if (a < 3) {
            double x2 = a * a, term = a, sum = a;
            for (int n = 1; n < 200; n++) {
                term *= 2 * x2 / (2 * n + 1);
                sum += term;
                if (term < 1e-17 * sum) break;
            }
            return Math.copySign(TWO_OVER_SQRT_PI * Math.exp(-x2) * sum, x);
        }
        return Math.copySign(1 - erfcLarge(a), x);
    }

    /** erfc(a) for a >= 3: e^{-a^2}/sqrt(pi) * 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + 2/(a + ...))))). */
    private static double erfcLarge(double a) {
        double f = a;
        for (int k = 60; k >= 1; k--) f = a + (k / 2.0) / f;
        return Math.exp(-a * a) / (Math.sqrt(Math.PI) * f);
    }
}
