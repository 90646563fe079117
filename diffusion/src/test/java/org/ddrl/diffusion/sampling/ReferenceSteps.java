package org.ddrl.diffusion.sampling;

/**
 * Scalar, double-precision versions of each reference sampler step for one dim of Gaussian data
 * N(m, s^2), written in the reference implementations' own form (x0 and eps predictions, scores, DDPO's
 * alpha-bar algebra) rather than the expanded coefficients the samplers use, so that the two can be
 * checked against each other. The velocity is the exact field of {@link GaussianTarget}.
 */
final class ReferenceSteps {
    final double m;
    final double s;

    ReferenceSteps(double m, double s) {
        this.m = m;
        this.s = s;
    }

    double velocity(double x, double t) {
        double u = 1 - t;
        double var = u * u * s * s + t * t;
        return (t - u * s * s) / var * (x - u * m) - m;
    }

    /** Cosmos' denoiser D(x_sigma, sigma) = (1 - t) x_sigma - t v((1 - t) x_sigma, t). */
    double denoise(double xSigma, double sigma) {
        double t = sigma / (1 + sigma);
        double xt = (1 - t) * xSigma;
        return xt - t * velocity(xt, t);
    }

    /** One step's mean as a function of the state, and its std. */
    interface Step {
        double mean(int k, double x);

        double std(int k);
    }

    Step euler(double[] t) {
        return new Step() {
            public double mean(int k, double x) {
                return x + (t[k + 1] - t[k]) * velocity(x, t[k]);
            }

            public double std(int k) {
                return 0;
            }
        };
    }

    /** Flow-GRPO sde_step_with_logprob: g from the second level at t = 1. */
    Step flowGrpo(double[] t, double a) {
        return new Step() {
            double g(int k) {
                double sigma = t[k];
                return a * Math.sqrt(sigma / (1 - (sigma == 1 ? t[1] : sigma)));
            }

            public double mean(int k, double x) {
                double sigma = t[k], dt = t[k + 1] - t[k], g = g(k), v = velocity(x, sigma);
                return x * (1 + g * g / (2 * sigma) * dt) + v * (1 + g * g * (1 - sigma) / (2 * sigma)) * dt;
            }

            public double std(int k) {
                return g(k) * Math.sqrt(t[k] - t[k + 1]);
            }
        };
    }

    /** DanceGRPO flux_step; with quantize, the network sees floor(1000 sigma) / 1000. */
    Step danceGrpo(double[] t, double eta, boolean quantize) {
        return new Step() {
            public double mean(int k, double x) {
                double sigma = t[k], dSigma = t[k + 1] - t[k];
                double v = velocity(x, quantize ? Math.floor(1000 * sigma) / 1000 : sigma);
                double x0 = x - sigma * v;
                double score = -(x - (1 - sigma) * x0) / (sigma * sigma);
                return x + dSigma * v + (-0.5 * eta * eta * score) * dSigma;
            }

            public double std(int k) {
                return eta * Math.sqrt(t[k] - t[k + 1]);
            }
        };
    }

    /** DanceGRPO's decoded sample: the x0-prediction at the last step. */
    double danceX0(double[] t, int k, double x) {
        return x - t[k] * velocity(x, Math.floor(1000 * t[k]) / 1000);
    }

    /**
     * DDPO's DDIM step on the variance-preserving rescaling of the RF state: x_vp = x / c with
     * c = sqrt((1 - t)^2 + t^2) and alpha-bar = (1 - t)^2 / c^2; the result is scaled back by c'.
     */
    Step ddim(double[] t, double eta) {
        return new Step() {
            double[] vp(int k) {
                double tk = t[k], tp = t[k + 1];
                double ck = Math.hypot(1 - tk, tk), cp = Math.hypot(1 - tp, tp);
                double abT = Math.pow((1 - tk) / ck, 2), abP = Math.pow((1 - tp) / cp, 2);
                double var = (1 - abP) / (1 - abT) * (1 - abT / abP);
                return new double[] {abP, eta * Math.sqrt(Math.max(0, var)), cp};
            }

            public double mean(int k, double x) {
                double[] p = vp(k);
                double v = velocity(x, t[k]);
                double x0 = x - t[k] * v, eps = x + (1 - t[k]) * v;
                double meanVp = Math.sqrt(p[0]) * x0 + Math.sqrt(Math.max(0, 1 - p[0] - p[1] * p[1])) * eps;
                return p[2] * meanVp;
            }

            public double std(int k) {
                double[] p = vp(k);
                return p[2] * p[1];
            }
        };
    }

    /**
     * Cosmos' STEP_2AB from sigma_hat (state xHat, prediction x0) to sigmaNext; prevSigmaHat NaN on the first step.
     */
    static double step2ab(double xHat, double x0, double prevX0, double sigmaHat, double sigmaNext, double prevSigmaHat) {
        if (Double.isNaN(prevSigmaHat)) {
            return sigmaNext / sigmaHat * xHat + (1 - sigmaNext / sigmaHat) * x0;
        }
        double lamS = -Math.log(sigmaHat), lamT = -Math.log(sigmaNext), lamP = -Math.log(prevSigmaHat);
        double h = lamT - lamS;
        double c2 = (lamP - lamS) / h;
        double phi1 = (Math.exp(-h) - 1) / -h;
        double phi2 = (phi1 - 1) / -h;
        double b1 = phi1 - phi2 / c2, b2 = phi2 / c2;
        return Math.exp(-h) * xHat + h * (b1 * x0 + b2 * prevX0);
    }

    /** Mean and variance of the final state of a one-step-memory sampler started from N(0, 1). */
    static double[] moments(Step step, int steps) {
        double mean = 0, var = 1;
        for (int k = 0; k < steps; k++) {
            double b = step.mean(k, 0), a = step.mean(k, 1) - b, sd = step.std(k);
            mean = a * mean + b;
            var = a * a * var + sd * sd;
        }
        return new double[] {mean, var};
    }

    /**
     * Mean and variance of the EDM churn + 2AB sample D(x_N, sigma_min) started from sigma_max N(0, 1). The
     * state carries the previous x0-prediction, so the recursion tracks the joint Gaussian of (x_i, x0_{i-1}).
     */
    double[] edmMoments(double[] sigma, double eta, double sNoise) {
        int n = sigma.length - 1;
        double mx = 0, mp = 0, vxx = sigma[0] * sigma[0], vxp = 0, vpp = 0;
        double prevHat = Double.NaN;
        for (int i = 0; i < n; i++) {
            double hat = (1 + eta) * sigma[i];
            double c = Math.sqrt(hat * hat - sigma[i] * sigma[i]) * sNoise;
            double hxx = vxx + c * c; // x_hat = x + c xi
            double bD = denoise(0, hat), aD = denoise(1, hat) - bD;
            double m0 = step2ab(0, bD, 0, hat, sigma[i + 1], prevHat);
            double ex = step2ab(1, aD + bD, 0, hat, sigma[i + 1], prevHat) - m0; // d mean / d x_hat, through x0 too
            double ep = step2ab(0, bD, 1, hat, sigma[i + 1], prevHat) - m0;      // d mean / d previous x0
            double nmx = ex * mx + ep * mp + m0, nmp = aD * mx + bD;
            double nxx = ex * ex * hxx + 2 * ex * ep * vxp + ep * ep * vpp;
            double nxp = ex * aD * hxx + ep * aD * vxp;
            double npp = aD * aD * hxx;
            mx = nmx;
            mp = nmp;
            vxx = nxx;
            vxp = nxp;
            vpp = npp;
            prevHat = hat;
        }
        double bD = denoise(0, sigma[n]), aD = denoise(1, sigma[n]) - bD;
        return new double[] {aD * mx + bD, aD * aD * vxx};
    }
}
