package org.ddrl.diffusion.sampling;

/**
 * One Euler-Maruyama step of the reverse-time SDE that shares the flow's marginals,
 * {@code dx = [v - (g^2 / 2) score] dt + g dW} with {@code dt = t' - t < 0} and the score implied by the
 * velocity, {@code score = -(x + (1 - t) v) / t = -eps_hat / t}. Expanded:
 * {@code mean = x (1 + g^2 dt / (2t)) + v (1 + g^2 (1 - t) / (2t)) dt}, {@code std = g sqrt(-dt)}.
 * Flow-GRPO uses g = a sqrt(t / (1 - t)); DanceGRPO a constant g = eta (its form with x0_hat and
 * score = -(x - (1 - t) x0_hat) / t^2 is the same expression).
 */
final class ReverseSde {
    private ReverseSde() {}

    static AffineFlowSampler.Coefficients coefficients(double t, double tNext, double g) {
        double dt = tNext - t;
        double k = g * g / (2 * t);
        return new AffineFlowSampler.Coefficients(1 + k * dt, (1 + k * (1 - t)) * dt, g * Math.sqrt(-dt));
    }
}
