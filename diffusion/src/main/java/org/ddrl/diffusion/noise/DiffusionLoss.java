package org.ddrl.diffusion.noise;

import org.ddrl.tensor.Tensor;

/**
 * Denoising losses as differentiable tensor expressions. Both reduce by a plain mean over every element
 * (batch and data dims), as the reference trainers do.
 */
public final class DiffusionLoss {
    private DiffusionLoss() {}

    /** mean((v_pred - (eps - x0))^2): the flow-matching loss of a velocity network. */
    public static Tensor velocityMse(Tensor vPred, Tensor x0, Tensor eps) {
        RectifiedFlow.checkSame("velocityMse", vPred, x0);
        Tensor d = vPred.sub(RectifiedFlow.velocity(x0, eps));
        return d.mul(d).mean();
    }

    /**
     * The EDM weight with sigma_data = 1, (sigma^2 + 1) / sigma^2. Cosmos applies it to the x0 error even
     * though its network uses RF scaling; in velocity terms it is a weight (1 + sigma^2) / (1 + sigma)^2 in
     * [0.5, 1] on the velocity error.
     */
    public static double edmWeight(double sigma) {
        if (!(sigma > 0)) throw new IllegalArgumentException("edmWeight: sigma must be > 0, got " + sigma);
        return (sigma * sigma + 1) / (sigma * sigma);
    }

    /** {@link #edmWeight(double)} elementwise. */
    public static Tensor edmWeight(Tensor sigma) {
        Tensor s2 = sigma.mul(sigma);
        return s2.add(1).div(s2);
    }

    /** mean(w(sigma) (x0 - x0_pred)^2) with one sigma per sample (sigma [B]). */
    public static Tensor edmX0Mse(Tensor x0Pred, Tensor x0, Tensor sigma) {
        RectifiedFlow.checkSame("edmX0Mse", x0Pred, x0);
        Tensor w = PerSample.expand("edmX0Mse", edmWeight(sigma), x0);
        Tensor d = x0.sub(x0Pred);
        return d.mul(d).mul(w).mean();
    }

    /** mean(w(sigma) (x0 - x0_pred)^2) with one sigma for the whole batch. */
    public static Tensor edmX0Mse(Tensor x0Pred, Tensor x0, double sigma) {
        RectifiedFlow.checkSame("edmX0Mse", x0Pred, x0);
        Tensor d = x0.sub(x0Pred);
        return d.mul(d).mean().mul(edmWeight(sigma));
    }
}
