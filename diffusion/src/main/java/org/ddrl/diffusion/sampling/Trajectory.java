package org.ddrl.diffusion.sampling;

import java.util.List;
import org.ddrl.tensor.Tensor;

/**
 * A recorded sampling run: the initial unit noise, one {@link Step} per transition (noisiest first) and the
 * final sample, plus what is needed to recompute any step's mean with gradients for an RL update.
 */
public final class Trajectory {
    private final Sampler sampler;
    private final Conditioning cond;
    private final Tensor noise;
    private final List<Step> steps;
    private final Tensor sample;

    Trajectory(Sampler sampler, Conditioning cond, Tensor noise, List<Step> steps, Tensor sample) {
        this.sampler = sampler;
        this.cond = cond;
        this.noise = noise;
        this.steps = List.copyOf(steps);
        this.sample = sample;
    }

    /** The unit Gaussian noise the run started from (DDRL's data loss reuses it). */
    public Tensor noise() {
        return noise;
    }

    public Conditioning conditioning() {
        return cond;
    }

    public List<Step> steps() {
        return steps;
    }

    public int size() {
        return steps.size();
    }

    public Step step(int k) {
        if (k < 0 || k >= steps.size()) {
            throw new IndexOutOfBoundsException("Trajectory.step: index " + k + " is out of range for " + steps.size() + " steps");
        }
        return steps.get(k);
    }

    /** The final sample the reward sees; which tensor that is depends on the sampler (see each sampler). */
    public Tensor sample() {
        return sample;
    }

    /** Step k's Gaussian mean recomputed with {@code model} (with gradients when grad mode is on). */
    public Tensor recomputeMean(VelocityModel model, int k) {
        return sampler.recomputeMean(model, step(k), cond);
    }

    /** Step k's Gaussian log-density under {@code model}, {@link LogProbs#gaussian}, [B]. */
    public Tensor logProb(VelocityModel model, int k) {
        Step s = requireStochastic("logProb", k);
        return LogProbs.gaussian(s.next(), recomputeMean(model, k), s.std());
    }

    /** DDRL's as-coded log-ratio of step k against the recorded mean, {@link LogProbs#squaredErrorLogRatio}, [B]. */
    public Tensor squaredErrorLogRatio(VelocityModel model, int k) {
        Step s = requireStochastic("squaredErrorLogRatio", k);
        return LogProbs.squaredErrorLogRatio(s.next(), recomputeMean(model, k), s.mean());
    }

    private Step requireStochastic(String op, int k) {
        Step s = step(k);
        if (!s.isStochastic()) {
            throw new IllegalStateException("Trajectory." + op + ": step " + k + " of " + steps.size() + " is not a Gaussian draw (std "
                    + s.std() + "); it has no policy probability and cannot be trained");
        }
        return s;
    }
}
