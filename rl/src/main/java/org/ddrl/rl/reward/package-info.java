/**
 * Rewards on generated videos: {@link org.ddrl.rl.reward.Reward} scores a batch [B, 3, T, H, W] in [-1, 1] with its
 * prompts and returns F32 [B] on the videos' device.
 *
 * <ul>
 *   <li>{@link org.ddrl.rl.reward.Vividness}: mean HSV saturation plus mean luma contrast, the analytic proxy that
 *       over-colouring maximises.</li>
 *   <li>{@link org.ddrl.rl.reward.AttributeClassifierReward}: log-probability of the prompt's colour, shape and
 *       direction under a small learned {@link org.ddrl.rl.reward.AttributeClassifier} (trained on real videos by
 *       {@link org.ddrl.rl.reward.AttributeClassifierTraining}), the learned, foolable text-alignment proxy.</li>
 *   <li>{@link org.ddrl.rl.reward.JpegCompressibility}: DDPO's minus JPEG kB per frame.</li>
 *   <li>{@link org.ddrl.rl.reward.WeightedSum}: the weighted sum of named rewards, logging each term.</li>
 *   <li>{@link org.ddrl.rl.reward.HttpReward}: an external service over HTTP and JSON (videos as base64 .npy), with
 *       timeouts, retries and errors that name the URL.</li>
 * </ul>
 */
package org.ddrl.rl.reward;
