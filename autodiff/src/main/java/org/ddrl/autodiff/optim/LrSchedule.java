package org.ddrl.autodiff.optim;

/**
 * A learning-rate schedule: a pure function from the step (0 for the first optimizer step) to a factor
 * that multiplies each group's base learning rate, as torch.optim.lr_scheduler.LambdaLR. A
 * {@link Scheduler} applies it to an optimizer.
 */
@FunctionalInterface
public interface LrSchedule {
    /** The factor for the optimizer step numbered {@code step}, counting from 0. */
    double factor(long step);

    /** Always 1. */
    static LrSchedule constant() {
        return step -> {
            checkStep(step);
            return 1;
        };
    }

    /**
     * Rises linearly over the first {@code warmupSteps} steps, (step + 1) / warmupSteps, so the first step
     * already moves (at 1 / warmupSteps) and step warmupSteps - 1 is the first at the full rate; 1 after.
     */
    static LrSchedule linearWarmup(long warmupSteps) {
        if (warmupSteps < 1) throw new IllegalArgumentException("linearWarmup: warmupSteps must be >= 1, got " + warmupSteps);
        return step -> {
            checkStep(step);
            return step >= warmupSteps ? 1 : (double) (step + 1) / warmupSteps;
        };
    }

    /**
     * Half a cosine from 1 at step 0 down to {@code minFactor} at step {@code decaySteps}, and
     * {@code minFactor} after: minFactor + (1 - minFactor) (1 + cos(pi step / decaySteps)) / 2.
     */
    static LrSchedule cosine(long decaySteps, double minFactor) {
        if (decaySteps < 1) throw new IllegalArgumentException("cosine: decaySteps must be >= 1, got " + decaySteps);
        if (!(minFactor >= 0 && minFactor <= 1)) throw new IllegalArgumentException("cosine: minFactor must be in [0, 1], got " + minFactor);
        return step -> {
            checkStep(step);
            if (step >= decaySteps) return minFactor;
            return minFactor + (1 - minFactor) * 0.5 * (1 + Math.cos(Math.PI * step / decaySteps));
        };
    }

    /**
     * {@link #linearWarmup} for {@code warmupSteps}, then {@link #cosine} down to {@code minFactor}, reached
     * at step {@code totalSteps}.
     */
    static LrSchedule warmupCosine(long warmupSteps, long totalSteps, double minFactor) {
        if (totalSteps <= warmupSteps) {
            throw new IllegalArgumentException("warmupCosine: totalSteps (" + totalSteps + ") must exceed warmupSteps (" + warmupSteps + ")");
        }
        return linearWarmup(warmupSteps).then(warmupSteps, cosine(totalSteps - warmupSteps, minFactor));
    }

    /** This schedule for the first {@code steps} steps, then {@code next}, which starts again from its step 0. */
    default LrSchedule then(long steps, LrSchedule next) {
        if (steps < 0) throw new IllegalArgumentException("then: steps must be >= 0, got " + steps);
        return step -> step < steps ? factor(step) : next.factor(step - steps);
    }

    private static void checkStep(long step) {
        if (step < 0) throw new IllegalArgumentException("LrSchedule: the step must be >= 0, got " + step);
    }
}
