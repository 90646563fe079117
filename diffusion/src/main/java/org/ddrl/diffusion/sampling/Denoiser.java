package org.ddrl.diffusion.sampling;

import org.ddrl.diffusion.noise.PerSample;
import org.ddrl.diffusion.noise.RectifiedFlow;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Tensor;

/**
 * The Cosmos "rectified_flow" preconditioning that turns a velocity network into an EDM denoiser:
 * {@code D(x_sigma, sigma) = (1 - t) x_sigma - t v((1 - t) x_sigma, t)} with {@code t = sigma / (1 + sigma)}
 * (c_skip = 1 - t, c_out = -t, c_in = 1 - t, c_noise = t, sigma_data = 1). Since (1 - t) x_sigma is the RF
 * interpolant, D is the velocity model's x0-prediction, so EDM-space samplers run on any velocity model.
 */
public final class Denoiser {
    private Denoiser() {}

    /** x0-prediction at one noise level for the whole batch; computed in the dtype of xSigma. */
    public static Tensor x0(VelocityModel model, Tensor xSigma, double sigma, Conditioning cond) {
        double t = RectifiedFlow.tFromSigma(sigma);
        Tensor xt = xSigma.mul(1 - t);
        Tensor v = model.velocity(xt, Tensor.full(t, DType.F32, xSigma.device(), xSigma.size(0)), cond);
        return xt.sub(v.mul(t));
    }

    /** x0-prediction with one noise level per sample (sigma [B]), e.g. for the data loss. */
    public static Tensor x0(VelocityModel model, Tensor xSigma, Tensor sigma, Conditioning cond) {
        Tensor t = RectifiedFlow.tFromSigma(sigma.to(DType.F32));
        Tensor tb = PerSample.expand("Denoiser.x0", t, xSigma);
        Tensor xt = xSigma.mul(tb.rsub(1));
        return xt.sub(model.velocity(xt, t, cond).mul(tb));
    }
}
