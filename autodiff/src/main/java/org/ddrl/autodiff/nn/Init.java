package org.ddrl.autodiff.nn;

import org.ddrl.tensor.DType;
import org.ddrl.tensor.GradMode;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;

/**
 * Weight initializers (torch.nn.init), each filling a tensor in place and returning it. They write under
 * no-grad, so they work on parameters. Random ones take an explicit generator: the same seed and the same
 * sequence of calls give the same weights on every device. Values are drawn in F32 (F64 for F64 tensors)
 * and rounded to the tensor's dtype.
 */
public final class Init {
    private Init() {}

    /** Which fan a Kaiming initializer preserves the variance of: activations (FAN_IN) or gradients (FAN_OUT). */
    public enum FanMode { FAN_IN, FAN_OUT }

    /** The nonlinearity that follows the layer, for {@link #calculateGain}. */
    public enum Nonlinearity { LINEAR, CONV, SIGMOID, TANH, RELU, LEAKY_RELU, SELU }

    /**
     * The gain that keeps activations' variance through a nonlinearity (torch.nn.init.calculate_gain);
     * param is LEAKY_RELU's negative slope (NaN for PyTorch's default 0.01) and is ignored otherwise.
     */
    public static double calculateGain(Nonlinearity nonlinearity, double param) {
        return switch (nonlinearity) {
            case LINEAR, CONV, SIGMOID -> 1;
            case TANH -> 5.0 / 3;
            case RELU -> Math.sqrt(2);
            case LEAKY_RELU -> {
                double slope = Double.isNaN(param) ? 0.01 : param;
                yield Math.sqrt(2 / (1 + slope * slope));
            }
            case SELU -> 3.0 / 4;
        };
    }

    /** fan_in = size(1) * receptive field, fan_out = size(0) * receptive field, as PyTorch computes them. */
    public static int[] fans(Tensor t) {
        if (t.dim() < 2) {
            throw new IllegalArgumentException("Init: fan in and fan out need a tensor with at least 2 dims, got shape "
                    + Shapes.str(t.shape()));
        }
        long receptive = 1;
        for (int d = 2; d < t.dim(); d++) receptive *= t.size(d);
        return new int[] {Math.toIntExact(t.size(1) * receptive), Math.toIntExact(t.size(0) * receptive)};
    }

    private static int fan(Tensor t, FanMode mode) {
        return fans(t)[mode == FanMode.FAN_IN ? 0 : 1];
    }

    /** Uniform in [a, b); a == b fills the constant. */
    public static Tensor uniform(Tensor t, double a, double b, Generator gen) {
        if (a == b) return constant(t, a);
        if (!(a < b)) throw new IllegalArgumentException("Init.uniform: need a <= b, got [" + a + ", " + b + ")");
        return write(t, Tensor.uniform(gen, a, b, drawType(t), t.device(), t.shape()));
    }

    public static Tensor normal(Tensor t, double mean, double std, Generator gen) {
        if (std == 0) return constant(t, mean);
        return write(t, Tensor.normal(gen, mean, std, drawType(t), t.device(), t.shape()));
    }

    public static Tensor constant(Tensor t, double value) {
        try (GradMode.Guard g = GradMode.noGrad()) {
            return t.fill(value);
        }
    }

    public static Tensor zeros(Tensor t) {
        return constant(t, 0);
    }

    public static Tensor ones(Tensor t) {
        return constant(t, 1);
    }

    /** Glorot uniform: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)). */
    public static Tensor xavierUniform(Tensor t, double gain, Generator gen) {
        if (t.numel() == 0) return t; // no fan to speak of, nothing to fill (PyTorch warns and skips)
        int[] f = fans(t);
        double bound = gain * Math.sqrt(6.0 / (f[0] + f[1]));
        return uniform(t, -bound, bound, gen);
    }

    /** Glorot normal: N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)). */
    public static Tensor xavierNormal(Tensor t, double gain, Generator gen) {
        if (t.numel() == 0) return t; // no fan to speak of, nothing to fill (PyTorch warns and skips)
        int[] f = fans(t);
        return normal(t, 0, gain * Math.sqrt(2.0 / (f[0] + f[1])), gen);
    }

    /** He uniform: U(-b, b) with b = gain * sqrt(3 / fan); a is LEAKY_RELU's slope. */
    public static Tensor kaimingUniform(Tensor t, double a, FanMode mode, Nonlinearity nonlinearity, Generator gen) {
        if (t.numel() == 0) return t; // no fan to speak of, nothing to fill (PyTorch warns and skips)
        double bound = calculateGain(nonlinearity, a) * Math.sqrt(3.0 / fan(t, mode));
        return uniform(t, -bound, bound, gen);
    }

    /** He normal: N(0, std^2) with std = gain / sqrt(fan). */
    public static Tensor kaimingNormal(Tensor t, double a, FanMode mode, Nonlinearity nonlinearity, Generator gen) {
        if (t.numel() == 0) return t; // no fan to speak of, nothing to fill (PyTorch warns and skips)
        return normal(t, 0, calculateGain(nonlinearity, a) / Math.sqrt(fan(t, mode)), gen);
    }

    private static DType drawType(Tensor t) {
        if (!t.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("Init: random initialization needs a floating tensor, got " + t.dtype() + Shapes.str(t.shape()));
        }
        return t.dtype() == DType.F64 ? DType.F64 : DType.F32;
    }

    private static Tensor write(Tensor t, Tensor values) {
        try (GradMode.Guard g = GradMode.noGrad()) {
            return t.copyFrom(values);
        }
    }
}
