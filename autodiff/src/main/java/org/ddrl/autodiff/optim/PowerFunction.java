package org.ddrl.autodiff.optim;

import org.apache.commons.math3.analysis.solvers.BrentSolver;

/**
 * The power-function EMA profile of EDM2 (Karras et al. 2024, "Analyzing and Improving the Training
 * Dynamics of Diffusion Models", section 3.1). Averaging the weights seen up to step t with weights
 * proportional to s^gamma gives, per step, ema = beta(t) ema + (1 - beta(t)) param with
 * beta(t) = (1 - 1/t)^(gamma + 1). The profile's width relative to the training length, sigma_rel,
 * is tied to gamma by sigma_rel^2 = (gamma + 1) / ((gamma + 2)^2 (gamma + 3)).
 */
public final class PowerFunction {
    /** Where sigma_rel peaks: d/dgamma of the relation vanishes at gamma + 1 = (sqrt(5) - 1) / 2. */
    static final double GAMMA_AT_MAX = (Math.sqrt(5) - 3) / 2;
    /** The widest profile there is, about 0.3003. */
    public static final double MAX_SIGMA_REL = sigmaRel(GAMMA_AT_MAX);

    private PowerFunction() {}

    /** sigma_rel of the exponent gamma (gamma > -1). */
    public static double sigmaRel(double gamma) {
        if (!(gamma > -1) || Double.isInfinite(gamma)) throw new IllegalArgumentException("sigmaRel: gamma must be finite and > -1, got " + gamma);
        return Math.sqrt((gamma + 1) / ((gamma + 2) * (gamma + 2) * (gamma + 3)));
    }

    /**
     * The exponent gamma whose profile has width {@code sigmaRel}: the root of
     * sigma_rel(gamma) = sigmaRel on the decreasing branch (gamma >= (sqrt(5) - 3) / 2), the branch
     * EDM2 takes (its largest real root of the cubic). Brent's method on a bracket grown until it
     * holds the root.
     */
    public static double gamma(double sigmaRel) {
        if (!(sigmaRel > 0 && sigmaRel <= MAX_SIGMA_REL)) {
            throw new IllegalArgumentException("gamma: sigma_rel must be in (0, " + MAX_SIGMA_REL + "], got " + sigmaRel);
        }
        double target = sigmaRel * sigmaRel;
        double lo = GAMMA_AT_MAX;
        // sigma_rel^2 ~ 1 / gamma^2 for large gamma: 2 / sigma_rel is past the root, doubling guards the constant
        double hi = Math.max(1, 2 / sigmaRel);
        while (sq(hi) > target) hi *= 2;
        if (sq(lo) - target <= 0) return lo;
        return new BrentSolver(1e-15, 1e-13).solve(1000, g -> sq(g) - target, lo, hi);
    }

    private static double sq(double gamma) {
        return (gamma + 1) / ((gamma + 2) * (gamma + 2) * (gamma + 3));
    }

    /** beta(t) = (1 - 1/t)^(gamma + 1) for the t-th update (t >= 1); 0 at t = 1, so the first update copies the weights. */
    public static double beta(double gamma, long t) {
        if (t < 1) throw new IllegalArgumentException("beta: t counts updates from 1, got " + t);
        return Math.pow(1 - 1.0 / t, gamma + 1);
    }
}
