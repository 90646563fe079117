package org.ddrl.diffusion.noise;

import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;

/**
 * The distribution of the RF time t drawn per sample for the flow-matching training loss: uniform on [0, 1)
 * or logit-normal ({@code t = sigmoid(m + s z)}, SD3's default with m = 0, s = 1), optionally followed by the
 * timestep shift of {@link RectifiedFlow#shift(double, double)}.
 */
public final class TimeSampler {
    private final boolean logitNormal;
    private final double mean;
    private final double std;
    private final double shift;

    private TimeSampler(boolean logitNormal, double mean, double std, double shift) {
        this.logitNormal = logitNormal;
        this.mean = mean;
        this.std = std;
        this.shift = shift;
    }

    public static TimeSampler uniform() {
        return new TimeSampler(false, 0, 0, 1);
    }

    /** t = sigmoid(mean + std z), z standard normal. */
    public static TimeSampler logitNormal(double mean, double std) {
        if (!Double.isFinite(mean) || !(std >= 0) || Double.isInfinite(std)) {
            throw new IllegalArgumentException("TimeSampler.logitNormal: need a finite mean and a finite std >= 0, got mean="
                    + mean + " std=" + std);
        }
        return new TimeSampler(true, mean, std, 1);
    }

    /** The same distribution pushed through the timestep shift s. */
    public TimeSampler withShift(double s) {
        RectifiedFlow.shift(0.5, s); // validates s
        return new TimeSampler(logitNormal, mean, std, s);
    }

    /** n times as an F32 tensor [n] on the CPU. */
    public Tensor sample(Generator gen, int n) {
        return sample(gen, n, Device.CPU);
    }

    /** n times as an F32 tensor [n] on {@code device}. */
    public Tensor sample(Generator gen, int n, Device device) {
        if (n < 1) throw new IllegalArgumentException("TimeSampler.sample: need n >= 1, got " + n);
        Tensor t = logitNormal
                ? Tensor.normal(gen, mean, std, DType.F32, device, n).sigmoid()
                : Tensor.rand(gen, DType.F32, device, n);
        return RectifiedFlow.shift(t, shift);
    }

    @Override
    public String toString() {
        String base = logitNormal ? "logitNormal(" + mean + ", " + std + ")" : "uniform";
        return shift == 1 ? base : base + ".shift(" + shift + ")";
    }
}
