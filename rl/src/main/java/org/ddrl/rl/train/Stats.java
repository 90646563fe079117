package org.ddrl.rl.train;

import java.util.LinkedHashMap;
import java.util.Map;

/** Running means, minima and maxima of named scalars over one iteration, for its metrics line. */
final class Stats {
    private final Map<String, double[]> sums = new LinkedHashMap<>();
    private final Map<String, Double> mins = new LinkedHashMap<>();
    private final Map<String, Double> maxs = new LinkedHashMap<>();

    /** Adds {@code value} with weight {@code weight} to the mean of {@code name}. */
    void add(String name, double value, double weight) {
        double[] s = sums.computeIfAbsent(name, k -> new double[2]);
        s[0] += value * weight;
        s[1] += weight;
    }

    void min(String name, double value) {
        mins.merge(name, value, Math::min);
    }

    void max(String name, double value) {
        maxs.merge(name, value, Math::max);
    }

    /** Writes every mean, minimum and maximum into {@code out}. */
    void putInto(Map<String, Object> out) {
        sums.forEach((k, s) -> out.put(k, s[1] == 0 ? Double.NaN : s[0] / s[1]));
        mins.forEach(out::put);
        maxs.forEach(out::put);
    }
}
