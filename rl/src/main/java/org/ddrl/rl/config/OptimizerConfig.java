package org.ddrl.rl.config;

/**
 * AdamW with global-norm gradient clipping and a linear warm-up, as every reference trains.
 *
 * @param lr          peak learning rate (DDRL 1e-5)
 * @param beta1       first-moment decay (0.9)
 * @param beta2       second-moment decay (DDRL 0.99; the others 0.999)
 * @param eps         AdamW eps (1e-8)
 * @param weightDecay decoupled weight decay (1e-4)
 * @param gradClip    clip the global gradient norm to this (1.0); a step whose gradient norm is not finite is skipped
 * @param warmupSteps the rate rises linearly over this many optimizer steps, (step + 1) / warmup_steps, then stays
 *                    (DDRL 50; 0 = none). cosmos-rl starts the ramp at 1e-6 lr rather than lr / warmup_steps.
 */
public record OptimizerConfig(double lr, double beta1, double beta2, double eps, double weightDecay, double gradClip, int warmupSteps) {
    public OptimizerConfig {
        Checks.positive("lr", lr);
        Checks.range("beta1", beta1, 0, 1);
        Checks.range("beta2", beta2, 0, 1);
        if (beta1 == 1) Checks.fail("beta1", "must be < 1, got 1");
        if (beta2 == 1) Checks.fail("beta2", "must be < 1, got 1");
        Checks.positive("eps", eps);
        Checks.atLeast("weight_decay", weightDecay, 0);
        Checks.positive("grad_clip", gradClip);
        Checks.atLeast("warmup_steps", warmupSteps, 0);
    }
}
