package org.ddrl.diffusion.sampling;

import java.util.ArrayList;
import java.util.List;
import org.ddrl.diffusion.noise.Schedules;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.GradMode;
import org.ddrl.tensor.Scope;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;

/**
 * The Cosmos/DDRL rollout sampler (cosmos-rl): EDM "churn" noise before every step followed by the
 * second-order exponential multistep solver "2ab" in x0 form, on Karras levels, with the velocity model
 * wrapped by {@link Denoiser}.
 *
 * <pre>
 *   eta = min(s_churn / (N + 1), sqrt(1.2) - 1);   x_0 = sigma_max z0
 *   step i:  sigma_hat = (1 + eta) sigma_i;  x_hat = x_i + sqrt(sigma_hat^2 - sigma_i^2) s_noise xi_i
 *            x0_i = D(x_hat, sigma_hat);  x_{i+1} = STEP_2AB(x_hat; sigma_hat -> sigma_{i+1}; x0_i; x0_{i-1}, sigma_hat_{i-1})
 *   sample = D(x_N, sigma_min)
 *   STEP_2AB, h = ln(sigma_hat / sigma_{i+1}):  first step  x' = r x_hat + (1 - r) x0_i with r = sigma_{i+1} / sigma_hat;
 *            later  c2 = (lambda_p - lambda_s) / h, phi1 = (e^-h - 1) / -h, phi2 = (phi1 - 1) / -h,
 *                   x' = e^-h x_hat + h ((phi1 - phi2 / c2) x0_i + (phi2 / c2) x0_{i-1})      (lambda = -ln sigma)
 * </pre>
 *
 * Recorded step i: state x_hat_i at level sigma_hat_i, mean x_{i+1}, and as next the state <em>after the next
 * churn</em>, x_hat_{i+1} ~ N(x_{i+1}, s^2 I) with s = sigma_{i+1} sqrt(eta^2 + 2 eta) s_noise; the last step's
 * next is the clean sample D(x_N, sigma_min), not a Gaussian draw, so it has no log-probability and must not
 * be trained (as in the reference). The previous x0-prediction is cached and is a constant in recomputation.
 *
 * <p>Precision: as in the reference, the solver algebra runs in F64 (model outputs widened to F64, the churn
 * noise drawn in F64). Unlike the reference, which carries the state in F64 across steps and recomputes the
 * mean in F32 for training (so its ratios are 1 only up to rounding), the state is rounded to F32 at every
 * step boundary and the recomputation runs the same F64 algebra on the same F32 inputs, so a recomputed mean
 * equals the recorded one bit for bit and the ratio with unchanged weights is exactly 1.
 */
public final class EdmChurn2ab implements Sampler {
    private final double[] sigmas;
    private final double eta;
    private final double sNoise;

    public EdmChurn2ab(int steps, double sigmaMin, double sigmaMax, double rho, double sChurn, double sNoise) {
        SamplerChecks.positiveSteps("EdmChurn2ab", steps);
        SamplerChecks.finiteAtLeast("EdmChurn2ab", "sChurn", sChurn, 0);
        SamplerChecks.finiteAtLeast("EdmChurn2ab", "sNoise", sNoise, 0);
        this.sigmas = Schedules.karras(steps, sigmaMin, sigmaMax, rho);
        this.eta = Math.min(sChurn / (steps + 1), Math.sqrt(1.2) - 1);
        this.sNoise = sNoise;
    }

    /** The DDRL preset: 20 steps, sigma in [0.01, 200], rho 7, s_churn 1 (eta = 1/21), s_noise 1. */
    public static EdmChurn2ab reference() {
        return new EdmChurn2ab(20, 0.01, 200, 7, 1, 1);
    }

    @Override
    public double[] levels() {
        return sigmas.clone();
    }

    /** The churn factor eta. */
    public double churn() {
        return eta;
    }

    /** sigma_hat_i = (1 + eta) sigma_i, the level the model sees at step i. */
    public double sigmaHat(int i) {
        return (1 + eta) * sigmas[i];
    }

    /** The std of step i's action x_hat_{i+1} around its mean: sigma_{i+1} sqrt(eta^2 + 2 eta) s_noise. */
    public double transitionStd(int i) {
        return churnStd(i + 1);
    }

    private double churnStd(int i) {
        double s = sigmas[i], sHat = (1 + eta) * s;
        return Math.sqrt(sHat * sHat - s * s) * sNoise;
    }

    @Override
    public Trajectory sample(VelocityModel model, Tensor noise, Conditioning cond, Generator gen) {
        Tensor z = SamplerChecks.noise("EdmChurn2ab", noise);
        int n = sigmas.length - 1;
        Tensor[] states = new Tensor[n], x0s = new Tensor[n], means = new Tensor[n];
        Tensor x = z.to(DType.F64).mul(sigmas[0]);
        Tensor sample;
        List<Step> steps = new ArrayList<>(n);
        try (var noGrad = GradMode.noGrad()) {
            for (int i = 0; i < n; i++) {
                try (Scope scope = Scope.open()) {
                    double c = churnStd(i);
                    Tensor churned = c == 0 ? x : x.to(DType.F64).add(Tensor.randn(gen, DType.F64, z.device(), z.shape()).mul(c));
                    states[i] = churned.to(DType.F32);
                    x0s[i] = Denoiser.x0(model, states[i], sigmaHat(i), cond);
                    means[i] = step2ab(i, states[i], x0s[i], i == 0 ? null : x0s[i - 1]);
                    scope.keep(states[i], x0s[i], means[i]);
                    x = means[i];
                }
            }
            try (Scope scope = Scope.open()) {
                sample = scope.keep(Denoiser.x0(model, x, sigmas[n], cond));
                for (int i = 0; i < n; i++) {
                    boolean last = i == n - 1;
                    Tensor next = last ? sample : states[i + 1];
                    double std = transitionStd(i);
                    Tensor logProb = last || std == 0 ? null : scope.keep(LogProbs.gaussian(next, means[i], std));
                    steps.add(new Step(i, states[i], sigmaHat(i), sigmas[i], sigmas[i + 1], x0s[i], i == 0 ? null : x0s[i - 1],
                            i == 0 ? Double.NaN : sigmaHat(i - 1), means[i], std, next, logProb));
                }
            }
        }
        return new Trajectory(this, cond, noise, steps, sample);
    }

    @Override
    public Tensor recomputeMean(VelocityModel model, Step step, Conditioning cond) {
        int i = SamplerChecks.step("EdmChurn2ab", step, sigmas);
        if ((i == 0) != (step.previousX0() == null)) {
            throw new IllegalArgumentException("EdmChurn2ab.recomputeMean: step " + i + (i == 0 ? " must not carry" : " lacks")
                    + " a previous x0-prediction");
        }
        Tensor x0 = Denoiser.x0(model, step.state(), sigmaHat(i), cond);
        return step2ab(i, step.state(), x0, step.previousX0());
    }

    // The one place a step's mean is formed (F64 algebra, F32 result), for the rollout and recomputation alike.
    private Tensor step2ab(int i, Tensor xHat, Tensor x0, Tensor previousX0) {
        double s = sigmaHat(i), next = sigmas[i + 1];
        Tensor xs = xHat.to(DType.F64), x0s = x0.to(DType.F64);
        Tensor mean;
        if (previousX0 == null) {
            double r = next / s;
            mean = xs.mul(r).add(x0s.mul(1 - r));
        } else {
            double lambdaS = -Math.log(s), lambdaT = -Math.log(next), lambdaP = -Math.log(sigmaHat(i - 1));
            double h = lambdaT - lambdaS;
            double c2 = (lambdaP - lambdaS) / h;
            double phi1 = (Math.exp(-h) - 1) / -h;
            double phi2 = (phi1 - 1) / -h;
            double b1 = phi1 - phi2 / c2, b2 = phi2 / c2;
            mean = xs.mul(Math.exp(-h)).add(x0s.mul(h * b1).add(previousX0.to(DType.F64).mul(h * b2)));
        }
        return mean.to(DType.F32);
    }
}
