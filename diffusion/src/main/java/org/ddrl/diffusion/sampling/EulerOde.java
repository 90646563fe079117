package org.ddrl.diffusion.sampling;

import org.ddrl.diffusion.noise.Schedules;

/**
 * The deterministic flow ODE with Euler steps, {@code x' = x + (t' - t) v}, on the grid
 * {@link Schedules#flowMatch} (N steps from t = 1 to 0, optionally shifted). Every step has std 0, so it has
 * no log-probability; the sample is the final state. Flow-GRPO evaluates with this (its SDE at noise level 0).
 */
public final class EulerOde extends AffineFlowSampler {
    public EulerOde(int steps, double shift) {
        super(Schedules.flowMatch(check(steps), shift));
    }

    private static int check(int steps) {
        SamplerChecks.positiveSteps("EulerOde", steps);
        return steps;
    }

    @Override
    Coefficients coefficients(int k) {
        return new Coefficients(1, t[k + 1] - t[k], 0);
    }
}
