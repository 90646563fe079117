package org.ddrl.rl.judge;

import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;

/**
 * One metric of one arm over its seeds: the mean, the sample standard deviation (n - 1), and the 95% confidence
 * interval of the mean from the t-distribution with n - 1 degrees of freedom, mean +- t(0.975, n - 1) sd / sqrt(n).
 * Seeds where the metric was not measured (NaN) are left out and n counts the rest; with fewer than two values the
 * spread and the interval are NaN (unknown), not 0.
 */
public record SeedSummary(int n, double mean, double std, double ciLow, double ciHigh, double[] values) {
    public SeedSummary {
        values = values.clone();
    }

    /** The summary of one value per seed, NaN where not measured. */
    public static SeedSummary of(double[] perSeed) {
        DescriptiveStatistics stats = new DescriptiveStatistics();
        for (double v : perSeed) if (!Double.isNaN(v)) stats.addValue(v);
        int n = (int) stats.getN();
        double mean = n == 0 ? Double.NaN : stats.getMean();
        if (n < 2) return new SeedSummary(n, mean, Double.NaN, Double.NaN, Double.NaN, perSeed);
        double std = stats.getStandardDeviation();
        double half = new TDistribution(n - 1).inverseCumulativeProbability(0.975) * std / Math.sqrt(n);
        return new SeedSummary(n, mean, std, mean - half, mean + half, perSeed);
    }

    /** Half the width of the 95% interval: the "+-" of "mean +- spread". */
    public double ciHalfWidth() {
        return (ciHigh - ciLow) / 2;
    }

    @Override
    public double[] values() {
        return values.clone();
    }
}
