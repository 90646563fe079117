/**
 * Optimizers and what goes with them, after torch.optim: {@link org.ddrl.autodiff.optim.SGD} and
 * {@link org.ddrl.autodiff.optim.AdamW} on top of {@link org.ddrl.autodiff.optim.Optimizer} (parameter
 * groups, per-parameter state, save and load), {@link org.ddrl.autodiff.optim.ClipGrad},
 * learning-rate schedules ({@link org.ddrl.autodiff.optim.LrSchedule},
 * {@link org.ddrl.autodiff.optim.Scheduler}) and parameter averages ({@link org.ddrl.autodiff.optim.Ema},
 * with EDM2's power-function profiles in {@link org.ddrl.autodiff.optim.PowerFunction}).
 *
 * <p>Parameters are named leaf tensors that require grad, as a Module's namedParameters() gives them; a
 * plain list works too and is numbered. A training step reads:
 *
 * <pre>{@code
 * try (Scope s = Scope.open()) { loss(model, batch).backward(); }
 * ClipGrad.clipGradNorm(opt.params(), 1.0);
 * opt.step();
 * opt.zeroGrad();
 * sched.step();
 * ema.update();
 * }</pre>
 *
 * <p>Every update is written in place under noGrad. State (moments, averages) is allocated once, with
 * the parameter's lifetime, so such a loop holds its memory flat. Dense F32/F64 CPU parameters are
 * updated in one vectorized pass; anything else (other devices, BF16/F16, strided views) through tensor
 * ops, with the same result.
 */
package org.ddrl.autodiff.optim;
