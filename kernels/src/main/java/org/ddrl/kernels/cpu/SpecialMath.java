package org.ddrl.kernels.cpu;

/** Special functions in double precision, accurate to a few units in the last place. */
public final class SpecialMath {
    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;

    private SpecialMath() {}

    /**
     * The error function. For |x| < 3 the series erf x = 2/sqrt(pi) e^{-x^2} sum_n 2^n x^{2n+1} / (2n+1)!!
     * (all terms positive, so no cancellation); beyond, 1 - erfc(|x|) with erfc from its continued fraction;
     * erfc(6) is below 1e-16, so |x| >= 6 gives +-1.
     */
    public static double erf(double x) {
        if (Double.isNaN(x)) return x;
        double a = Math.abs(x);
        if (a >= 6) return Math.copySign(1, x);
        if (a < 3) return Math.copySign(erfSeries(a), x);
        return Math.copySign(1 - erfcLarge(a), x);
    }

    /**
     * The complementary error function, accurate in relative terms also where it is tiny (the exact
     * GELU's negative tail depends on that): 1 - erf from the series below 2, the continued fraction from 2.
     */
    public static double erfc(double x) {
        if (Double.isNaN(x)) return x;
        if (x < 0) return 2 - erfc(-x);
        if (x < 2) return 1 - erfSeries(x);
        if (x > 27) return 0; // e^{-x^2} underflows
        return erfcLarge(x);
    }

    /** erf(a) for a >= 0 from the all-positive series. */
    private static double erfSeries(double a) {
        double x2 = a * a, term = a, sum = a;
        for (int n = 1; n < 200; n++) {
            term *= 2 * x2 / (2 * n + 1);
            sum += term;
            if (term < 1e-17 * sum) break;
        }
        return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
    }

    /** erfc(a) for a >= 2: e^{-a^2}/sqrt(pi) * 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + 2/(a + ...))))). */
    private static double erfcLarge(double a) {
        double f = a;
        for (int k = 60; k >= 1; k--) f = a + (k / 2.0) / f;
        return Math.exp(-a * a) / (Math.sqrt(Math.PI) * f);
    }
}
