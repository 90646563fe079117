package org.ddrl.rl.report;

import org.ddrl.rl.judge.Metrics;

/** The metrics measured at one training step (NaN for those not measured at that step). */
public record CurvePoint(int step, Metrics metrics) {}
