package org.ddrl.diffusion.sampling;

import org.ddrl.tensor.Tensor;

/**
 * A rectified-flow network as the samplers see it: the velocity {@code v ~ eps - x0} at state
 * {@code x_t = (1 - t) x0 + t eps}. Implementations must be deterministic (no dropout during sampling or
 * recomputation): the RL ratio test relies on the same inputs giving the same bits.
 */
@FunctionalInterface
public interface VelocityModel {
    /**
     * @param xt   the state, [B, ...]
     * @param t    the RF time of each sample, F32 [B], in [0, 1]
     * @param cond what to condition on (its unconditional variant for the CFG branch)
     * @return the velocity, same shape as xt
     */
    Tensor velocity(Tensor xt, Tensor t, Conditioning cond);
}
