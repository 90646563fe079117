package org.ddrl.diffusion.sampling;

import org.ddrl.tensor.Tensor;

/**
 * Classifier-free guidance on the velocity, {@code v = v_u + w (v_c - v_u)} with v_c from the conditioning
 * and v_u from its unconditional variant (Flow-GRPO w = 4.5, DDPO and DanceGRPO-Wan w = 5). Cosmos writes
 * guidance on x0 as {@code x0_c + g (x0_c - x0_u)}; as x0 is affine in v at fixed (x, t), that is this with
 * {@code w = 1 + g} (see {@link #fromCosmosGuidance}).
 *
 * <p>{@code detachUnconditional} stops gradients through v_u, as Flow-GRPO did at commit ac4c86e8 (later
 * versions, DDPO and DanceGRPO-Wan keep them). Wrap the model once and use the same wrapper for the rollout
 * and the recomputation, so that both take the same branches.
 */
public final class ClassifierFreeGuidance implements VelocityModel {
    private final VelocityModel model;
    private final double scale;
    private final boolean detachUnconditional;

    public ClassifierFreeGuidance(VelocityModel model, double scale, boolean detachUnconditional) {
        if (!Double.isFinite(scale)) throw new IllegalArgumentException("ClassifierFreeGuidance: scale must be finite, got " + scale);
        this.model = model;
        this.scale = scale;
        this.detachUnconditional = detachUnconditional;
    }

    /** The velocity-space scale w equivalent to Cosmos' guidance g (g = 0: no guidance). */
    public static double fromCosmosGuidance(double g) {
        return 1 + g;
    }

    public double scale() {
        return scale;
    }

    /** With w = 1 only the conditional branch runs (the guided formula would equal it up to rounding). */
    @Override
    public Tensor velocity(Tensor xt, Tensor t, Conditioning cond) {
        Tensor vc = model.velocity(xt, t, cond);
        if (scale == 1) return vc;
        Tensor vu = model.velocity(xt, t, cond.unconditional());
        if (detachUnconditional) vu = vu.detach();
        return vu.add(vc.sub(vu).mul(scale));
    }
}
