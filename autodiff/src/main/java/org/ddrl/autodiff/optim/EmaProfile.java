package org.ddrl.autodiff.optim;

/**
 * How an {@link Ema} averages: the weight beta(t) it keeps on the running average at its t-th update
 * (t = 1, 2, ...), in ema = beta(t) ema + (1 - beta(t)) param. The name keys the profile in saved state.
 */
public interface EmaProfile {
    String name();

    double beta(long t);

    /** A constant decay: beta(t) = decay. */
    static EmaProfile decay(double decay) {
        checkDecay(decay);
        return new DecayProfile("decay_" + decay, decay, false);
    }

    /**
     * A decay that warms up as TensorFlow's ExponentialMovingAverage given num_updates: beta(t) =
     * min(decay, (1 + t) / (10 + t)), 2/11 at the first update, so early averages do not cling to the
     * initial weights; it reaches {@code decay} at t = (10 decay - 1) / (1 - decay) (8991 updates for 0.999).
     */
    static EmaProfile warmupDecay(double decay) {
        checkDecay(decay);
        return new DecayProfile("warmup_decay_" + decay, decay, true);
    }

    /** The EDM2 power-function profile of relative width {@code sigmaRel}; see {@link PowerFunction}. */
    static EmaProfile power(double sigmaRel) {
        double gamma = PowerFunction.gamma(sigmaRel);
        return new EmaProfile() {
            @Override
            public String name() {
                return "sigma_rel_" + sigmaRel;
            }

            @Override
            public double beta(long t) {
                return PowerFunction.beta(gamma, t);
            }
        };
    }

    private static void checkDecay(double decay) {
        if (!(decay >= 0 && decay <= 1)) throw new IllegalArgumentException("EmaProfile: decay must be in [0, 1], got " + decay);
    }
}
