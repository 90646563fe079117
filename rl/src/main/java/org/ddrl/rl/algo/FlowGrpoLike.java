package org.ddrl.rl.algo;

import java.util.Map;
import org.ddrl.diffusion.noise.PerSample;
import org.ddrl.diffusion.sampling.FlowGrpoSde;
import org.ddrl.diffusion.sampling.VelocityModel;
import org.ddrl.rl.config.FlowGrpoConfig;
import org.ddrl.rl.policy.Policy;
import org.ddrl.tensor.GradMode;
import org.ddrl.tensor.Tensor;

/**
 * The reverse-KL regularizer of the Flow-GRPO-like arm: at a trained step, the frozen reference recomputes the step's
 * mean at the policy's own recorded state (no gradient), and
 * <pre>
 *   KL_b = mean_D (mu_theta - mu_ref)^2 * s,   loss = kl_beta * mean_b KL_b
 * </pre>
 * with s = 1 / (2 std^2) (GAUSSIAN: the exact KL of the two steps, which share the std), 1 / (2 g_k^2) (FLOW_GRPO:
 * Flow-GRPO's code, the exact KL times |dt|) or 1 (SQUARED_ERROR: cosmos-rl's kl_beta term). Logs "kl" (mean_b KL_b,
 * in the configured form). The reference starts as a copy of the policy at construction and, with
 * {@code ref_update_every} n > 0, is replaced by a fresh copy after every n iterations.
 */
public final class FlowGrpoLike implements Algorithm {
    private final FlowGrpoConfig config;
    private final Policy policy;
    private final ModelWrapper wrap;
    private Policy reference;

    /** How the trainer wraps a raw velocity model for rollouts (guidance), applied to the reference alike. */
    @FunctionalInterface
    public interface ModelWrapper {
        VelocityModel wrap(VelocityModel model);
    }

    public FlowGrpoLike(FlowGrpoConfig config, Policy policy, ModelWrapper wrap) {
        this.config = config;
        this.policy = policy;
        this.wrap = wrap;
        this.reference = policy.frozenCopy();
    }

    /** The current frozen reference. */
    public Policy reference() {
        return reference;
    }

    @Override
    public Term term(StepContext ctx) {
        Tensor refMean;
        try (var noGrad = GradMode.noGrad()) {
            refMean = ctx.sampler().recomputeMean(wrap.wrap(reference.model()), ctx.step(), reference.condition(ctx.captions()));
        }
        double scale = switch (config.klForm()) {
            case GAUSSIAN -> 1 / (2 * ctx.step().std() * ctx.step().std());
            case FLOW_GRPO -> {
                if (!(ctx.sampler() instanceof FlowGrpoSde flow)) {
                    throw new IllegalStateException("FlowGrpoLike: kl_form flow_grpo needs the FlowGrpoSde sampler, got "
                            + ctx.sampler().getClass().getSimpleName());
                }
                double g = flow.diffusion(ctx.step().index());
                yield 1 / (2 * g * g);
            }
            case SQUARED_ERROR -> 1;
        };
        Tensor d = ctx.mean().sub(refMean);
        Tensor perSample = d.mul(d).mean(PerSample.nonBatchDims("FlowGrpoLike", d), false).mul(scale);
        Tensor kl = perSample.mean();
        return new Term(kl.mul(config.klBeta()), Map.of("kl", kl.item()));
    }

    @Override
    public void afterIteration(int iterationsDone) {
        if (config.refUpdateEvery() > 0 && iterationsDone % config.refUpdateEvery() == 0) reference = policy.frozenCopy();
    }
}
