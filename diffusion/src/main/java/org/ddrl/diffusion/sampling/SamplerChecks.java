package org.ddrl.diffusion.sampling;

import org.ddrl.tensor.DType;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;

/** Argument checks shared by the samplers, with messages that name the sampler. */
final class SamplerChecks {
    private SamplerChecks() {}

    /** The initial noise as F32, checked to be batched floating data. */
    static Tensor noise(String sampler, Tensor noise) {
        if (noise.dim() < 2 || noise.size(0) < 1 || !noise.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(sampler + ".sample: noise must be floating batched data [B, ...] with B >= 1 and at least"
                    + " one non-batch dim, got " + noise.dtype() + Shapes.str(noise.shape()));
        }
        return noise.to(DType.F32);
    }

    /** The index of a step, checked to belong to a trajectory of a sampler with these levels. */
    static int step(String sampler, Step step, double[] levels) {
        int k = step.index();
        if (k < 0 || k >= levels.length - 1 || step.scheduleLevel() != levels[k] || step.nextLevel() != levels[k + 1]) {
            throw new IllegalArgumentException(sampler + ".recomputeMean: step " + k + " (level " + step.scheduleLevel() + " -> "
                    + step.nextLevel() + ") was not produced by this sampler's " + (levels.length - 1) + "-step schedule");
        }
        return k;
    }

    static void positiveSteps(String sampler, int steps) {
        if (steps < 1) throw new IllegalArgumentException(sampler + ": need at least one step, got " + steps);
    }

    static void finiteAtLeast(String sampler, String what, double value, double min) {
        if (!(value >= min) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(sampler + ": " + what + " must be finite and >= " + min + ", got " + value);
        }
    }
}
