/**
 * Pre-training with flow matching ({@link org.ddrl.diffusion.train.Pretrainer}): the training loop, its checkpoints
 * (written atomically and verified against a manifest, {@link org.ddrl.diffusion.train.Checkpoints}; their files,
 * {@link org.ddrl.diffusion.train.RunCheckpoint}), resume, the metrics log, the progress display, and the EMA samples
 * scored by the attribute detector ({@link org.ddrl.diffusion.train.Samples}).
 */
package org.ddrl.diffusion.train;
