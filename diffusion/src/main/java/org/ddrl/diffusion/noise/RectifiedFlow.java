package org.ddrl.diffusion.noise;

import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;

/**
 * Rectified-flow (flow-matching) noising, the convention of SD3, Flux, Wan and the Cosmos networks:
 * {@code x_t = (1 - t) x0 + t eps} with {@code t} in [0, 1] ({@code t = 1} is pure noise) and the network
 * predicting the velocity {@code v = eps - x0}, so that {@code x0 = x_t - t v} and {@code eps = x_t + (1 - t) v}.
 *
 * <p>The EDM noise level of the same state is {@code sigma = t / (1 - t)}: dividing x_t by {@code 1 - t} gives
 * {@code x0 + sigma eps}. Cosmos samples in sigma and feeds its velocity network {@code t = sigma / (1 + sigma)}.
 */
public final class RectifiedFlow {
    private RectifiedFlow() {}

    /** x_t = (1 - t) x0 + t eps with one t per sample (t [B]). */
    public static Tensor interpolate(Tensor x0, Tensor eps, Tensor t) {
        checkSame("interpolate", x0, eps);
        Tensor tb = PerSample.expand("interpolate", t, x0);
        return x0.mul(tb.rsub(1)).add(eps.mul(tb));
    }

    /** x_t = (1 - t) x0 + t eps with one t for the whole batch. */
    public static Tensor interpolate(Tensor x0, Tensor eps, double t) {
        checkSame("interpolate", x0, eps);
        return x0.mul(1 - t).add(eps.mul(t));
    }

    /** The regression target of a velocity network, eps - x0 (independent of t). */
    public static Tensor velocity(Tensor x0, Tensor eps) {
        checkSame("velocity", x0, eps);
        return eps.sub(x0);
    }

    /**
     * The SD3/Flux timestep shift {@code s t / (1 + (s - 1) t)}: maps [0, 1] onto itself, fixes both ends and,
     * for s > 1, spends more of the schedule at high noise (the shift used by larger resolutions).
     */
    public static double shift(double t, double s) {
        checkShift(s);
        return s * t / (1 + (s - 1) * t);
    }

    /** {@link #shift(double, double)} elementwise. */
    public static Tensor shift(Tensor t, double s) {
        checkShift(s);
        if (s == 1) return t;
        return t.mul(s).div(t.mul(s - 1).add(1));
    }

    /** RF time of an EDM noise level, t = sigma / (1 + sigma); sigma = infinity gives 1. */
    public static double tFromSigma(double sigma) {
        if (!(sigma >= 0)) throw new IllegalArgumentException("tFromSigma: sigma must be >= 0, got " + sigma);
        return Double.isInfinite(sigma) ? 1 : sigma / (1 + sigma);
    }

    /** EDM noise level of an RF time, sigma = t / (1 - t); t = 1 gives infinity. */
    public static double sigmaFromT(double t) {
        if (!(t >= 0 && t <= 1)) throw new IllegalArgumentException("sigmaFromT: t must be in [0, 1], got " + t);
        return t / (1 - t);
    }

    /** {@link #tFromSigma(double)} elementwise. */
    public static Tensor tFromSigma(Tensor sigma) {
        return sigma.div(sigma.add(1));
    }

    /** {@link #sigmaFromT(double)} elementwise. */
    public static Tensor sigmaFromT(Tensor t) {
        return t.div(t.rsub(1));
    }

    private static void checkShift(double s) {
        if (!(s > 0) || Double.isInfinite(s)) throw new IllegalArgumentException("shift: the shift must be finite and > 0, got " + s);
    }

    static void checkSame(String op, Tensor a, Tensor b) {
        if (!java.util.Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException(op + ": shapes differ, " + Shapes.str(a.shape()) + " (" + a.dtype() + ") vs "
                    + Shapes.str(b.shape()) + " (" + b.dtype() + ")");
        }
    }
}
