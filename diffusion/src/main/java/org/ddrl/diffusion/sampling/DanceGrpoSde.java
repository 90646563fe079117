package org.ddrl.diffusion.sampling;

import java.util.List;
import org.ddrl.diffusion.noise.Schedules;
import org.ddrl.tensor.Tensor;

/**
 * DanceGRPO's SDE sampler (XueZeyue/DanceGRPO, flux_step): the {@link ReverseSde} step with a constant
 * diffusion g = eta, {@code std = eta sqrt(t - t')}, on the grid {@link Schedules#flowMatch} (shifted
 * linspace(1, 0, N + 1)). The network sees the time quantised to {@code floor(1000 t) / 1000} (as the
 * reference; the step algebra uses the exact t), unless quantisation is turned off. The sample is the last
 * step's x0-prediction, as the reference decodes it. Reference settings: 16 steps, shift 3, eta 0.3.
 */
public final class DanceGrpoSde extends AffineFlowSampler {
    private final double eta;
    private final boolean quantizeTimestep;

    public DanceGrpoSde(int steps, double shift, double eta, boolean quantizeTimestep) {
        super(Schedules.flowMatch(check(steps, eta), shift));
        this.eta = eta;
        this.quantizeTimestep = quantizeTimestep;
    }

    /** 16 steps, shift 3, eta 0.3, quantised timesteps (the FLUX recipe). */
    public static DanceGrpoSde reference() {
        return new DanceGrpoSde(16, 3, 0.3, true);
    }

    private static int check(int steps, double eta) {
        SamplerChecks.positiveSteps("DanceGrpoSde", steps);
        SamplerChecks.finiteAtLeast("DanceGrpoSde", "eta", eta, 0);
        return steps;
    }

    @Override
    double modelTime(int k) {
        return quantizeTimestep ? Math.floor(1000 * t[k]) / 1000 : t[k];
    }

    @Override
    Coefficients coefficients(int k) {
        return ReverseSde.coefficients(t[k], t[k + 1], eta);
    }

    @Override
    Tensor finalSample(List<Step> steps) {
        return steps.getLast().x0Pred();
    }
}
