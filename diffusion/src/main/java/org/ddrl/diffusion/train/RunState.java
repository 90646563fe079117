package org.ddrl.diffusion.train;

/**
 * Where a training run stands after {@code step} optimizer steps, beyond its weights and optimizer state: the training
 * noise generator's seed and counter, how many batches it has taken from the data, the wall time spent so far and the
 * steps skipped for a non-finite gradient. With the weights, optimizer and EMA states it determines the rest of the
 * run exactly.
 */
public record RunState(long step, long noiseSeed, long noiseOffset, long batches, double wallSeconds, long skippedSteps) {
    public RunState {
        if (step < 0 || noiseOffset < 0 || batches < 0 || skippedSteps < 0 || !(wallSeconds >= 0)) {
            throw new IllegalArgumentException("RunState: counts and times must be >= 0, got " + this);
        }
    }
}
