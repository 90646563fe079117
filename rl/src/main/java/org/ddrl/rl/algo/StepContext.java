package org.ddrl.rl.algo;

import java.util.List;
import org.ddrl.diffusion.sampling.Sampler;
import org.ddrl.diffusion.sampling.Step;
import org.ddrl.diffusion.sampling.Trajectory;
import org.ddrl.rl.policy.Policy;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;

/**
 * What a regularizer may read at one trained step of one rollout micro-batch.
 *
 * @param policy       the policy being trained
 * @param sampler      the rollout sampler
 * @param trajectory   the micro-batch's recorded rollout
 * @param step         the trained step
 * @param mean         the step's Gaussian mean recomputed by the policy, with gradient
 * @param captions     the micro-batch's captions, one per rollout
 * @param anchors      the anchor video paired with each rollout's prompt, [B, ...] like the samples; null when the
 *                     regularizer needs none
 * @param trainedIndex position of this step among the micro-batch's trained steps (0 = first)
 * @param trainedCount number of trained steps of the micro-batch
 * @param gen          the run's generator for the regularizer's own draws (caption dropout)
 */
public record StepContext(Policy policy, Sampler sampler, Trajectory trajectory, Step step, Tensor mean, List<String> captions, Tensor anchors,
                          int trainedIndex, int trainedCount, Generator gen) {
    /** The RF time of the step's state (see {@link NoiseLevels#rfTime}). */
    public double rfTime() {
        return NoiseLevels.rfTime(sampler, step);
    }
}
