package org.ddrl.autodiff.optim;

/** The constant and warm-up profiles of {@link EmaProfile}. */
record DecayProfile(String name, double decay, boolean warmup) implements EmaProfile {
    @Override
    public double beta(long t) {
        if (t < 1) throw new IllegalArgumentException("EmaProfile: t counts updates from 1, got " + t);
        return warmup ? Math.min(decay, (1.0 + t) / (10.0 + t)) : decay;
    }
}
