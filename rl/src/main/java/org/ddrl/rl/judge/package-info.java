/**
 * The experiment's judge, never used for training (docs/EXPERIMENT.md, "The judge"): attribute accuracy from the
 * analytic {@link org.ddrl.diffusion.data.AttributeDetector}; {@link org.ddrl.rl.judge.FvdMini}, the Frechet distance
 * of Gaussian fits in the feature space of a {@link org.ddrl.rl.judge.FeatureNet} trained on real videos with another
 * architecture and other seeds than the reward classifier; {@link org.ddrl.rl.judge.Diversity};
 * {@link org.ddrl.rl.judge.SaturationDrift}; and the pairwise {@link org.ddrl.rl.judge.JudgeVote}.
 * {@link org.ddrl.rl.judge.Judge} puts them together with the numbers the trainer measures
 * ({@link org.ddrl.rl.judge.TrainerMetrics}) into {@link org.ddrl.rl.judge.Metrics}, named as in results.json
 * ({@link org.ddrl.rl.judge.Metric}); {@link org.ddrl.rl.judge.SeedSummary} and {@link org.ddrl.rl.judge.WelchTest}
 * summarize and compare arms over seeds. Statistics and linear algebra come from Apache Commons Math.
 */
package org.ddrl.rl.judge;
