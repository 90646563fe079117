package org.ddrl.diffusion.sampling;

import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;

/**
 * A diffusion sampler that records its trajectory for RL. {@link #sample} runs without gradients and draws
 * every random number from the given generator in a fixed order, so the same seed and inputs give the same
 * trajectory bit for bit. {@link #recomputeMean} recomputes one recorded step's Gaussian mean through the
 * same code path the rollout used, so with unchanged weights it reproduces the recorded mean exactly; with
 * grad mode on, gradients flow from it into the model's parameters (and only through the current model
 * output: states, cached predictions and levels are constants).
 */
public interface Sampler {
    /**
     * Runs the sampler from unit Gaussian noise.
     *
     * @param model the velocity model (wrap it in {@link ClassifierFreeGuidance} for guidance)
     * @param noise z0 ~ N(0, I), [B, ...]; pass the same draw to every member of a group to share it (see
     *              {@link InitialNoise}). Samplers scale it to their first noise level. Converted to F32.
     * @param cond  the conditioning, recorded in the trajectory for recomputation
     * @param gen   the source of every per-step noise draw
     */
    Trajectory sample(VelocityModel model, Tensor noise, Conditioning cond, Generator gen);

    /** The Gaussian mean of a step of a trajectory this sampler produced, recomputed with {@code model}. */
    Tensor recomputeMean(VelocityModel model, Step step, Conditioning cond);

    /** The sampler's noise levels, noisiest first (steps + 1 values). */
    double[] levels();
}
