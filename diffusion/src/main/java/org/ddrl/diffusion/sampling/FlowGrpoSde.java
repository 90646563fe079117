package org.ddrl.diffusion.sampling;

import org.ddrl.diffusion.noise.Schedules;

/**
 * Flow-GRPO's SDE sampler (yifan123/flow_grpo at ac4c86e8, sde_step_with_logprob): the {@link ReverseSde} step
 * with diffusion {@code g_k = a sqrt(t_k / (1 - t*))}, {@code t* = t_1} when {@code t_k = 1} (else t_k), on the
 * diffusers SD3 grid {@link Schedules#flowMatchDiffusers}. Noise at every step including the last; the
 * sample is the final state x_N. Reference settings: 10 steps, shift 3, a = 0.7 ({@link #reference()}).
 */
public final class FlowGrpoSde extends AffineFlowSampler {
    private final double noiseLevel;

    public FlowGrpoSde(int steps, double shift, double noiseLevel) {
        super(Schedules.flowMatchDiffusers(check(steps, noiseLevel), shift));
        this.noiseLevel = noiseLevel;
    }

    /** 10 steps, shift 3, noise level 0.7 (SD3.5-M training rollouts). */
    public static FlowGrpoSde reference() {
        return new FlowGrpoSde(10, 3, 0.7);
    }

    private static int check(int steps, double noiseLevel) {
        SamplerChecks.positiveSteps("FlowGrpoSde", steps);
        SamplerChecks.finiteAtLeast("FlowGrpoSde", "noiseLevel", noiseLevel, 0);
        if (steps < 2 && noiseLevel > 0) {
            throw new IllegalArgumentException("FlowGrpoSde: needs at least 2 steps with noise (g at t = 1 uses the second level), got "
                    + steps);
        }
        return steps;
    }

    /** The diffusion coefficient g_k of step k (Flow-GRPO's KL term divides by 2 g_k^2). */
    public double diffusion(int k) {
        double tk = t[k];
        double tStar = tk == 1 ? t[1] : tk;
        return noiseLevel * Math.sqrt(tk / (1 - tStar));
    }

    @Override
    Coefficients coefficients(int k) {
        return ReverseSde.coefficients(t[k], t[k + 1], diffusion(k));
    }
}
