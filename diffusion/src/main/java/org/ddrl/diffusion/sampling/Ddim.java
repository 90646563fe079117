package org.ddrl.diffusion.sampling;

import org.ddrl.diffusion.noise.Schedules;

/**
 * DDIM with stochasticity eta (DDPO: eta = 1) written for a velocity network on the RF grid
 * {@link Schedules#flowMatch}.
 *
 * <p>Mapping. DDIM is defined for any path {@code x_t = a_t x0 + b_t eps}; DDPM's is a = sqrt(abar),
 * b = sqrt(1 - abar), RF's is a = 1 - t, b = t (the same states up to the scale sqrt(a^2 + b^2), with
 * {@code abar = a^2 / (a^2 + b^2)}). Carrying DDPO's step over by that rescaling gives, with the velocity
 * net's predictions {@code x0 = x - t v} and {@code eps = x + (1 - t) v} and the EDM levels
 * {@code sigma = t / (1 - t)}:
 * <pre>
 *   std  = eta t' sqrt(1 - (sigma' / sigma)^2)      (DDIM's sigma_t, rescaled; 0 at t' = 0, eta t' at t = 1)
 *   mean = (1 - t') x0 + sqrt(t'^2 - std^2) eps
 *   x'   = mean + std xi
 * </pre>
 * With eta = 0 this is exactly the Euler step {@code x + (t' - t) v}. The step to t' = 0 always has std 0,
 * so the last step has no log-probability (DDPO's last step, at abar_0 = 0.9991 rather than 1, has a tiny
 * one). Algebra in F32 on F32 states; the sample is the final state.
 */
public final class Ddim extends AffineFlowSampler {
    private final double eta;

    public Ddim(int steps, double shift, double eta) {
        super(Schedules.flowMatch(check(steps, eta), shift));
        this.eta = eta;
    }

    private static int check(int steps, double eta) {
        SamplerChecks.positiveSteps("Ddim", steps);
        if (!(eta >= 0 && eta <= 1)) throw new IllegalArgumentException("Ddim: eta must be in [0, 1], got " + eta);
        return steps;
    }

    @Override
    Coefficients coefficients(int k) {
        double tk = t[k], tn = t[k + 1];
        double ratio = tn * (1 - tk) / ((1 - tn) * tk); // sigma' / sigma, finite at t = 1 and t' = 0
        double std = eta * tn * Math.sqrt(Math.max(0, 1 - ratio * ratio));
        double cEps = Math.sqrt(Math.max(0, tn * tn - std * std));
        return new Coefficients((1 - tn) + cEps, cEps * (1 - tk) - (1 - tn) * tk, std);
    }
}
