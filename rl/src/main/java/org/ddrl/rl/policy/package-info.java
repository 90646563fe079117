/**
 * The model RL fine-tunes, as the trainer sees it: {@link org.ddrl.rl.policy.Policy} (a deterministic velocity model,
 * caption conditioning, trainable parameters, frozen copies) and {@link org.ddrl.rl.policy.ModulePolicy}, its
 * implementation over one {@link org.ddrl.autodiff.nn.Module}.
 */
package org.ddrl.rl.policy;
