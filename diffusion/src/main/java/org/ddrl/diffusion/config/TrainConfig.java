package org.ddrl.diffusion.config;

import org.ddrl.autodiff.optim.LrSchedule;

/**
 * The optimisation and its outputs.
 *
 * @param steps                 optimizer steps
 * @param batchSize             videos per step
 * @param lr                    peak learning rate of AdamW
 * @param warmupSteps           steps of linear warm-up, after which the rate follows a cosine towards
 *                              {@code minLrFactor * lr}, reached as the run ends (see {@link #schedule()})
 * @param minLrFactor           the final rate as a fraction of the peak
 * @param weightDecay           AdamW's decoupled weight decay
 * @param beta1                 AdamW's first-moment decay
 * @param beta2                 AdamW's second-moment decay
 * @param gradClip              largest global gradient norm; 0 turns clipping off
 * @param ema                   the moving average of the weights used for sampling
 * @param textDropout           chance that a caption is replaced by the empty one (for classifier-free guidance)
 * @param time                  the distribution of the training noise levels
 * @param gradientCheckpointing recompute each block in backward instead of keeping its activations
 * @param checkpointEvery       steps between checkpoints (the last step always writes one); 0 writes only the last
 * @param keepCheckpoints       how many of the newest checkpoints to keep; 0 keeps all
 * @param sampleEvery           steps between sample grids during training; 0 samples only at the end
 * @param logEvery              steps between progress lines when the output is not a terminal
 * @param outDir                where checkpoints, metrics and samples go
 * @param seed                  seed of the initial weights, the batch order and the training noise
 * @param threads               CPU threads; 0 keeps the default
 */
public record TrainConfig(int steps, int batchSize, double lr, int warmupSteps, double minLrFactor, double weightDecay,
                          double beta1, double beta2, double gradClip, EmaConfig ema, double textDropout, TimeSamplingConfig time,
                          boolean gradientCheckpointing, int checkpointEvery, int keepCheckpoints, int sampleEvery, int logEvery,
                          String outDir, long seed, int threads) {
    /**
     * Linear warm-up, then a cosine decay that reaches its floor as the run ends; a plain cosine without warm-up steps, and only
     * the rising warm-up when it is as long as the run (a short trial run of a long config).
     */
    public LrSchedule schedule() {
        if (warmupSteps == 0) return LrSchedule.cosine(steps, minLrFactor);
        if (warmupSteps >= steps) return LrSchedule.linearWarmup(warmupSteps);
        return LrSchedule.warmupCosine(warmupSteps, steps, minLrFactor);
    }

    void validate(ConfigErrors e) {
        e.atLeast("train.steps", steps, 1);
        e.atLeast("train.batch_size", batchSize, 1);
        e.positive("train.lr", lr);
        e.atLeast("train.warmup_steps", warmupSteps, 0);
        e.inRange("train.min_lr_factor", minLrFactor, 0, 1, false);
        e.nonNegative("train.weight_decay", weightDecay);
        e.inRange("train.beta1", beta1, 0, 1, true);
        e.inRange("train.beta2", beta2, 0, 1, true);
        e.nonNegative("train.grad_clip", gradClip);
        if (e.present("train.ema", ema)) ema.validate(e);
        e.inRange("train.text_dropout", textDropout, 0, 1, false);
        if (e.present("train.time", time)) time.validate(e);
        e.atLeast("train.checkpoint_every", checkpointEvery, 0);
        e.atLeast("train.keep_checkpoints", keepCheckpoints, 0);
        e.atLeast("train.sample_every", sampleEvery, 0);
        e.atLeast("train.log_every", logEvery, 1);
        if (outDir == null || outDir.isBlank()) e.add("train.out_dir", "must name a directory");
        e.atLeast("train.threads", threads, 0);
    }
}
