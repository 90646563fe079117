/**
 * Samplers that record their trajectories for policy-gradient fine-tuning of diffusion models.
 *
 * <p>Every sampler drives a {@link org.ddrl.diffusion.sampling.VelocityModel} (a rectified-flow network; wrap it
 * in {@link org.ddrl.diffusion.sampling.ClassifierFreeGuidance} for guidance, or see
 * {@link org.ddrl.diffusion.sampling.Denoiser} for the EDM view of it) from unit Gaussian noise and returns a
 * {@link org.ddrl.diffusion.sampling.Trajectory}: per step the state, the Gaussian mean and std of the next
 * state, the next state itself, the noise levels and the log-probability, plus the final sample.
 *
 * <table>
 *   <caption>Samplers and the reference each follows</caption>
 *   <tr><th>sampler</th><th>reference</th><th>stochasticity</th><th>sample</th></tr>
 *   <tr><td>{@link org.ddrl.diffusion.sampling.EulerOde}</td><td>flow ODE (Flow-GRPO evaluation)</td><td>none</td>
 *       <td>x_N</td></tr>
 *   <tr><td>{@link org.ddrl.diffusion.sampling.FlowGrpoSde}</td><td>Flow-GRPO</td>
 *       <td>g = a sqrt(t / (1 - t)), std g sqrt(-dt)</td><td>x_N</td></tr>
 *   <tr><td>{@link org.ddrl.diffusion.sampling.DanceGrpoSde}</td><td>DanceGRPO</td><td>std eta sqrt(t - t')</td>
 *       <td>last x0-prediction</td></tr>
 *   <tr><td>{@link org.ddrl.diffusion.sampling.Ddim}</td><td>DDPO (DDIM, in RF variables)</td>
 *       <td>eta (DDPO: 1)</td><td>x_N</td></tr>
 *   <tr><td>{@link org.ddrl.diffusion.sampling.EdmChurn2ab}</td><td>Cosmos / DDRL</td>
 *       <td>EDM churn, std 0.31 sigma_{i+1}</td><td>D(x_N, sigma_min)</td></tr>
 * </table>
 *
 * <p>RL contract. Rollouts run without gradients; all randomness comes from the explicit generator in a fixed
 * order, so a seed determines the trajectory bit for bit. {@link org.ddrl.diffusion.sampling.Trajectory#recomputeMean}
 * recomputes a step's mean through the same code the rollout used: with unchanged weights (and a deterministic
 * model) it equals the recorded mean exactly, so the PPO ratio is exactly 1; with grad mode on, gradients flow
 * into the model's parameters through the current prediction only (recorded states, the next state, the cached
 * previous x0-prediction of the 2AB solver and the recorded mean are constants). Log-probabilities
 * ({@link org.ddrl.diffusion.sampling.LogProbs}) are means over the data dims, as in every reference; DDRL's
 * released squared-error log-ratio is provided next to the exact Gaussian one.
 *
 * <p>Precision. States are F32. The flow samplers do their step algebra in F32 (as Flow-GRPO and DanceGRPO);
 * the EDM sampler does its solver algebra in F64 (as Cosmos) but rounds the state to F32 at each step boundary
 * so that its recomputation is exact (see {@link org.ddrl.diffusion.sampling.EdmChurn2ab}). Step coefficients
 * come from double-precision noise levels.
 */
package org.ddrl.diffusion.sampling;
