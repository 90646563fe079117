/**
 * The pieces of the RL objective, each a pure function of its inputs.
 *
 * <ul>
 *   <li>{@link org.ddrl.rl.algo.Advantages}: group z-scores (eps, biased or unbiased std), Flow-GRPO's group mean
 *       over the global std, the DDRL paper's -exp(-A), clipping; {@link org.ddrl.rl.algo.PerPromptStatTracker}:
 *       DDPO's per-prompt reward buffers.</li>
 *   <li>{@link org.ddrl.rl.algo.PpoLoss}: max(-A r, -A clip(r, 1 - eps, 1 + eps)) with the clip statistics.</li>
 *   <li>{@link org.ddrl.rl.algo.Algorithm}: the loss term that sets an arm apart, evaluated at every trained step:
 *       {@link org.ddrl.rl.algo.Ddrl} (data_beta times the EDM-weighted diffusion loss on anchor videos at the step's
 *       noise level with the rollout's own noise, {@link org.ddrl.rl.algo.DataLoss}),
 *       {@link org.ddrl.rl.algo.FlowGrpoLike} (reverse KL to a frozen reference on the policy's states), or none
 *       (DanceGRPO-like, DDPO).</li>
 * </ul>
 */
package org.ddrl.rl.algo;
