package org.ddrl.rl.algo;

import java.util.Arrays;
import org.ddrl.diffusion.sampling.Conditioning;
import org.ddrl.diffusion.sampling.VelocityModel;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;

/**
 * DDRL's data term, written in RF time so that it also covers t = 1 (sigma = infinity, the first level of the flow
 * samplers). At RF time t (sigma = t / (1 - t)) with noise z:
 * <pre>
 *   x_t  = (1 - t) x0 + t z,   x0_hat = x_t - t v(x_t, t, c)
 *   loss = w mean (x0 - x0_hat)^2,   w = (t^2 + (1 - t)^2) / t^2 = (sigma^2 + 1) / sigma^2
 * </pre>
 * This is cosmos-rl's EDM-weighted x0 loss {@code w(sigma) (x0 - D(x0 + sigma z, sigma))^2} exactly:
 * the Cosmos denoiser D evaluates the velocity at (1 - t)(x0 + sigma z) = x_t (see
 * {@link org.ddrl.diffusion.sampling.Denoiser} and {@link org.ddrl.diffusion.noise.DiffusionLoss#edmX0Mse}); forming x_t
 * directly avoids adding a tiny x0 to a huge sigma z at high noise. Mean over every element of the batch.
 */
public final class DataLoss {
    private DataLoss() {}

    /** The weight at RF time t, (t^2 + (1 - t)^2) / t^2, for t in (0, 1]. */
    public static double weight(double t) {
        if (!(t > 0 && t <= 1)) throw new IllegalArgumentException("DataLoss.weight: t must be in (0, 1], got " + t);
        return (t * t + (1 - t) * (1 - t)) / (t * t);
    }

    /**
     * @param model the velocity model (with gradients, when training)
     * @param x0    the anchor videos [B, ...]
     * @param noise the unit noise z [B, ...] (DDRL: the rollout's own initial noise)
     * @param t     the RF time, in (0, 1]
     * @param cond  the conditioning of the B anchors
     */
    public static Tensor edmWeightedX0(VelocityModel model, Tensor x0, Tensor noise, double t, Conditioning cond) {
        if (!Arrays.equals(x0.shape(), noise.shape())) {
            throw new IllegalArgumentException("DataLoss.edmWeightedX0: anchors " + Shapes.str(x0.shape()) + " and noise " + Shapes.str(noise.shape())
                    + " differ in shape");
        }
        double w = weight(t);
        Tensor data = x0.to(DType.F32).detach();
        Tensor xt = data.mul(1 - t).add(noise.to(DType.F32).detach().mul(t));
        Tensor v = model.velocity(xt, Tensor.full(t, DType.F32, xt.device(), xt.size(0)), cond);
        Tensor d = data.sub(xt.sub(v.mul(t)));
        return d.mul(d).mean().mul(w);
    }
}
