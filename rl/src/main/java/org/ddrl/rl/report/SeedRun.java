package org.ddrl.rl.report;

import java.util.List;
import org.ddrl.rl.judge.Metrics;

/** One arm trained and evaluated with one seed: its final metrics, its wall time and its metrics over training. */
public record SeedRun(long seed, Metrics metrics, double wallSeconds, List<CurvePoint> curve) {
    public SeedRun {
        curve = List.copyOf(curve);
    }
}
