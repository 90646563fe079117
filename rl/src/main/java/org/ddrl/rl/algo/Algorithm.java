package org.ddrl.rl.algo;

import java.util.Map;
import org.ddrl.tensor.Tensor;

/**
 * What sets the training arms apart: the loss term each adds to the PPO objective at every trained step. Everything
 * else (sampler, advantages, trained steps) is configuration, whose per-arm reference values live in
 * {@link org.ddrl.rl.config.RlConfig#preset}; so the DanceGRPO-like and DDPO arms share {@link #NONE}.
 */
public interface Algorithm {
    /** No extra term (DanceGRPO-like, DDPO). */
    Algorithm NONE = ctx -> null;

    /**
     * The extra term at one trained step: a scalar, already weighted by its coefficient and averaged over the
     * micro-batch like the policy term (the trainer applies the accumulation scaling to both), with the values to log;
     * null for none at this step.
     */
    Term term(StepContext ctx);

    /** Whether {@link StepContext#anchors()} must be provided. */
    default boolean needsAnchors() {
        return false;
    }

    /** Called after each iteration's updates, with the number of iterations done. */
    default void afterIteration(int iterationsDone) {}

    /** A loss term and the scalars to log for it (averaged over the iteration by the trainer). */
    record Term(Tensor loss, Map<String, Double> metrics) {
        public Term {
            if (loss.numel() != 1) throw new IllegalArgumentException("Algorithm.Term: the loss must be a scalar, got " + loss.numel() + " elements");
            metrics = Map.copyOf(metrics);
        }
    }
}
