package org.ddrl.rl.judge;

import org.apache.commons.math3.stat.StatUtils;
import org.apache.commons.math3.stat.inference.TTest;

/**
 * Welch's unequal-variance t-test of two arms' per-seed values of a metric (Commons Math): the t statistic of
 * mean(a) - mean(b), the Welch-Satterthwaite degrees of freedom and the two-sided p-value. NaN values (not measured)
 * are left out; with fewer than two values on a side, or no variance on either, the test is undefined and every
 * field is NaN.
 */
public record WelchTest(double t, double degreesOfFreedom, double p) {
    public static final WelchTest UNDEFINED = new WelchTest(Double.NaN, Double.NaN, Double.NaN);

    public static WelchTest of(double[] a, double[] b) {
        double[] x = measured(a), y = measured(b);
        if (x.length < 2 || y.length < 2) return UNDEFINED;
        double vx = StatUtils.variance(x) / x.length, vy = StatUtils.variance(y) / y.length;
        if (vx + vy == 0) return UNDEFINED;
        TTest test = new TTest();
        double df = (vx + vy) * (vx + vy) / (vx * vx / (x.length - 1) + vy * vy / (y.length - 1));
        return new WelchTest(test.t(x, y), df, test.tTest(x, y));
    }

    private static double[] measured(double[] v) {
        return java.util.Arrays.stream(v).filter(d -> !Double.isNaN(d)).toArray();
    }
}
