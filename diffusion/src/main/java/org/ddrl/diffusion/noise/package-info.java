/**
 * Noising processes, noise-level grids and denoising losses.
 *
 * <ul>
 *   <li>{@link org.ddrl.diffusion.noise.RectifiedFlow}: the flow-matching path {@code x_t = (1 - t) x0 + t eps}
 *       (t = 1 is noise), its velocity target {@code eps - x0}, the SD3/Flux timestep shift, and the EDM noise
 *       level of the same state, {@code sigma = t / (1 - t)}.</li>
 *   <li>{@link org.ddrl.diffusion.noise.Schedules}: the Karras grid of the Cosmos sampler and the flow-matching
 *       grids of DanceGRPO and of diffusers' SD3 scheduler (Flow-GRPO).</li>
 *   <li>{@link org.ddrl.diffusion.noise.TimeSampler}: per-sample training times (uniform or logit-normal,
 *       optionally shifted).</li>
 *   <li>{@link org.ddrl.diffusion.noise.DiffusionLoss}: the velocity MSE and Cosmos' EDM-weighted x0 MSE,
 *       both mean-reduced differentiable tensor expressions.</li>
 * </ul>
 * Per-sample quantities (times, noise levels) are tensors of shape [B] broadcast against data [B, ...].
 */
package org.ddrl.diffusion.noise;
