package org.ddrl.tensor.check;

import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Tensor;

/**
 * One representative call of every catalog op, with odd sizes and a non-contiguous input where the op
 * takes one: the workload of the self-check, and a quick way to exercise a new backend end to end.
 */
public final class OpSamples {
    /** An op call: attributes, inputs (on the CPU; move them for other devices) and a tolerance scale. */
    public record Sample(Attrs attrs, Tensor[] inputs, double tolScale) {}

    private static final Map<Op, BiFunction<Random, DType, Sample>> SAMPLES = new EnumMap<>(Op.class);

    private OpSamples() {}

    public static boolean has(Op op) {
        return SAMPLES.containsKey(op);
    }

    /** A sample of op with floating inputs of dtype dt. */
    public static Sample sample(Op op, Random rnd, DType dt) {
        var f = SAMPLES.get(op);
        if (f == null) throw new IllegalArgumentException("no sample for op " + op.opName());
        return f.apply(rnd, dt);
    }

    static Tensor range(Random rnd, DType dt, double lo, double hi, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = dt.isFloatingPoint() ? lo + (hi - lo) * rnd.nextDouble() : Math.floor(lo + (hi - lo) * rnd.nextDouble());
        return Tensor.of(v, shape).to(dt);
    }

    static Tensor rand(Random rnd, DType dt, int... shape) {
        return range(rnd, dt, -2, 2, shape);
    }

    /** Same values as a [.., a, b] tensor but stored transposed: a non-contiguous input. */
    static Tensor transposed(Random rnd, DType dt, double lo, double hi, int... shape) {
        int r = shape.length;
        int[] s = shape.clone();
        s[r - 1] = shape[r - 2];
        s[r - 2] = shape[r - 1];
        return range(rnd, dt, lo, hi, s).transpose(r - 2, r - 1);
    }

    private static Sample s(Attrs a, Tensor... in) {
        return new Sample(a, in, 1);
    }

    private static Sample s(double tol, Attrs a, Tensor... in) {
        return new Sample(a, in, tol);
    }

    private static void unary(Op op, double lo, double hi, Attrs a) {
        SAMPLES.put(op, (r, dt) -> s(a, transposed(r, dt, lo, hi, 33, 17)));
    }

    private static void binary(Op op, double lo, double hi) {
        SAMPLES.put(op, (r, dt) -> s(Attrs.NONE, transposed(r, dt, lo, hi, 3, 33, 17), range(r, dt, lo, hi, 1, 17)));
    }

    static {
        Device cpu = Device.CPU;
        SAMPLES.put(Op.FULL, (r, dt) -> s(Attrs.of("shape", new int[] {3, 17}, "dtype", dt, "value", 1.5, "device", cpu)));
        SAMPLES.put(Op.ARANGE, (r, dt) -> s(Attrs.of("start", -3.0, "step", 0.5, "n", 33, "dtype", dt, "device", cpu)));
        SAMPLES.put(Op.LINSPACE, (r, dt) -> s(Attrs.of("start", -1.0, "end", 2.0, "n", 17, "dtype", dt, "device", cpu)));
        SAMPLES.put(Op.EYE, (r, dt) -> s(Attrs.of("n", 5, "m", 7, "dtype", dt, "device", cpu)));
        SAMPLES.put(Op.RAND_UNIFORM, (r, dt) -> s(Attrs.of("shape", new int[] {3, 33}, "dtype", dt, "low", -1.0, "high", 2.0,
                "seed", 42L, "offset", 7L, "device", cpu)));
        SAMPLES.put(Op.RAND_NORMAL, (r, dt) -> s(Attrs.of("shape", new int[] {3, 33}, "dtype", dt, "mean", 0.5, "std", 2.0,
                "seed", 42L, "offset", 7L, "device", cpu)));
        SAMPLES.put(Op.RAND_INT, (r, dt) -> s(Attrs.of("shape", new int[] {3, 33}, "dtype", DType.I64, "low", -5L, "high", 17L,
                "seed", 42L, "offset", 7L, "device", cpu)));

        SAMPLES.put(Op.VIEW, (r, dt) -> s(Attrs.of("shape", new int[] {3, 51}), rand(r, dt, 3, 3, 17)));
        SAMPLES.put(Op.PERMUTE, (r, dt) -> s(Attrs.of("dims", new int[] {2, 0, 1}), rand(r, dt, 3, 5, 7)));
        SAMPLES.put(Op.SLICE, (r, dt) -> s(Attrs.of("dim", 1, "start", 1L, "end", 17L, "step", 3L), rand(r, dt, 3, 17)));
        SAMPLES.put(Op.SELECT, (r, dt) -> s(Attrs.of("dim", -1, "index", 2L), rand(r, dt, 3, 5, 7)));
        SAMPLES.put(Op.EXPAND, (r, dt) -> s(Attrs.of("shape", new int[] {4, 3, 17}), rand(r, dt, 3, 1)));
        SAMPLES.put(Op.SQUEEZE, (r, dt) -> s(Attrs.of("dims", new int[0]), rand(r, dt, 1, 3, 1, 5)));
        SAMPLES.put(Op.UNSQUEEZE, (r, dt) -> s(Attrs.of("dim", 1), rand(r, dt, 3, 5)));

        SAMPLES.put(Op.CONTIGUOUS, (r, dt) -> s(Attrs.NONE, transposed(r, dt, -2, 2, 2, 33, 17)));
        SAMPLES.put(Op.CAST, (r, dt) -> s(Attrs.of("dtype", DType.F64), transposed(r, dt, -2, 2, 33, 17)));
        SAMPLES.put(Op.ASSIGN, (r, dt) -> s(Attrs.NONE, transposed(r, dt, -2, 2, 3, 33, 17), rand(r, DType.F64, 33, 1)));
        SAMPLES.put(Op.CAT, (r, dt) -> s(Attrs.of("dim", 1), rand(r, dt, 3, 5, 7), transposed(r, dt, -2, 2, 3, 2, 7),
                rand(r, dt, 3, 1, 7)));
        SAMPLES.put(Op.PAD, (r, dt) -> s(Attrs.of("pads", new int[] {1, 2, 0, 3}, "mode", "constant", "value", 0.5),
                transposed(r, dt, -2, 2, 3, 5, 7)));
        SAMPLES.put(Op.GATHER, (r, dt) -> s(Attrs.of("dim", 1), rand(r, dt, 5, 7), range(r, DType.I64, 0, 7, 5, 3)));
        SAMPLES.put(Op.SCATTER_ADD, (r, dt) -> s(Attrs.of("dim", 0), rand(r, dt, 5, 7), range(r, DType.I64, 0, 5, 9, 6),
                rand(r, dt, 9, 7)));
        SAMPLES.put(Op.INDEX_SELECT, (r, dt) -> s(Attrs.of("dim", 0), rand(r, dt, 5, 7), range(r, DType.I64, 0, 5, 9)));
        SAMPLES.put(Op.WHERE, (r, dt) -> s(Attrs.NONE, range(r, DType.BOOL, 0, 2, 3, 1, 17), rand(r, dt, 3, 5, 17), rand(r, dt, 17)));
        SAMPLES.put(Op.MASKED_FILL, (r, dt) -> s(Attrs.of("value", -1.0), transposed(r, dt, -2, 2, 3, 17, 5),
                range(r, DType.BOOL, 0, 2, 17, 1)));

        Attrs none = Attrs.NONE;
        for (Op op : new Op[] {Op.NEG, Op.ABS, Op.EXP, Op.SIN, Op.COS, Op.TANH, Op.SIGMOID, Op.RELU, Op.SILU}) unary(op, -3, 3, none);
        unary(Op.ERF, -4, 4, none);
        unary(Op.SQRT, 0.01, 4, none);
        unary(Op.RSQRT, 0.01, 4, none);
        unary(Op.LOG, 0.01, 4, none);
        unary(Op.GELU, -3, 3, Attrs.of("approximate", "none"));
        unary(Op.SOFTPLUS, -3, 30, Attrs.of("beta", 1.0, "threshold", 20.0));
        unary(Op.CLAMP, -3, 3, Attrs.of("min", -1.0, "max", 0.5));
        SAMPLES.put(Op.LOGICAL_NOT, (r, dt) -> s(none, range(r, DType.BOOL, 0, 2, 33, 17)));
        for (Op op : new Op[] {Op.ADD, Op.SUB, Op.MUL, Op.MAXIMUM, Op.MINIMUM, Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE}) binary(op, -2, 2);
        binary(Op.DIV, 0.5, 2);
        binary(Op.POW, 0.5, 2);
        SAMPLES.put(Op.LOGICAL_AND, (r, dt) -> s(none, range(r, DType.BOOL, 0, 2, 3, 17), range(r, DType.BOOL, 0, 2, 17)));
        SAMPLES.put(Op.LOGICAL_OR, (r, dt) -> s(none, range(r, DType.BOOL, 0, 2, 3, 17), range(r, DType.BOOL, 0, 2, 17)));

        Attrs dims = Attrs.of("dims", new int[] {0, 2}, "keepdim", false);
        for (Op op : new Op[] {Op.SUM, Op.MEAN, Op.MAX, Op.MIN, Op.LOGSUMEXP}) {
            SAMPLES.put(op, (r, dt) -> s(4, dims, transposed(r, dt, -2, 2, 5, 33, 17)));
        }
        SAMPLES.put(Op.VAR, (r, dt) -> s(4, dims.with("correction", 1), transposed(r, dt, -2, 2, 5, 33, 17)));
        SAMPLES.put(Op.ARGMAX, (r, dt) -> s(Attrs.of("dim", 1, "keepdim", true), transposed(r, dt, -2, 2, 5, 33, 17)));
        SAMPLES.put(Op.ARGMIN, (r, dt) -> s(Attrs.of("dim", -1, "keepdim", false), transposed(r, dt, -2, 2, 5, 33, 17)));
        SAMPLES.put(Op.SOFTMAX, (r, dt) -> s(Attrs.of("dim", -1), transposed(r, dt, -4, 4, 5, 33, 17)));
        SAMPLES.put(Op.LOG_SOFTMAX, (r, dt) -> s(Attrs.of("dim", 1), transposed(r, dt, -4, 4, 5, 33, 17)));

        SAMPLES.put(Op.MATMUL, (r, dt) -> s(8, none, transposed(r, dt, -1, 1, 2, 33, 65), range(r, dt, -1, 1, 65, 17)));
        SAMPLES.put(Op.LAYER_NORM, (r, dt) -> s(8, Attrs.of("ndim", 1, "eps", 1e-5), transposed(r, dt, -2, 2, 3, 17, 33),
                rand(r, dt, 33), rand(r, dt, 33)));
        SAMPLES.put(Op.GROUP_NORM, (r, dt) -> s(8, Attrs.of("groups", 3, "eps", 1e-5), rand(r, dt, 2, 6, 5, 7),
                rand(r, dt, 6), rand(r, dt, 6)));
        SAMPLES.put(Op.RMS_NORM, (r, dt) -> s(8, Attrs.of("ndim", 1, "eps", 1e-6), transposed(r, dt, -2, 2, 3, 17, 33), rand(r, dt, 33)));
        SAMPLES.put(Op.CONV3D, (r, dt) -> s(16, Attrs.of("stride", new int[] {1, 2, 1}, "padding", new int[] {1, 1, 0},
                "dilation", new int[] {1, 1, 2}, "groups", 2), range(r, dt, -1, 1, 2, 4, 5, 7, 9), range(r, dt, -1, 1, 6, 2, 3, 3, 3),
                rand(r, dt, 6)));
        SAMPLES.put(Op.CONV3D_BACKWARD_INPUT, (r, dt) -> s(16, Attrs.of("stride", new int[] {1, 2, 1}, "padding", new int[] {1, 1, 0},
                "dilation", new int[] {1, 1, 2}, "groups", 2, "inputShape", new int[] {2, 4, 5, 7, 9}),
                range(r, dt, -1, 1, 2, 6, 5, 4, 5), range(r, dt, -1, 1, 6, 2, 3, 3, 3)));
        SAMPLES.put(Op.CONV3D_BACKWARD_WEIGHT, (r, dt) -> s(16, Attrs.of("stride", new int[] {1, 2, 1}, "padding", new int[] {1, 1, 0},
                "dilation", new int[] {1, 1, 2}, "groups", 2, "weightShape", new int[] {6, 2, 3, 3, 3}),
                range(r, dt, -1, 1, 2, 4, 5, 7, 9), range(r, dt, -1, 1, 2, 6, 5, 4, 5)));
        SAMPLES.put(Op.SDPA, (r, dt) -> s(8, Attrs.of("causal", true, "scale", Double.NaN),
                range(r, dt, -1, 1, 2, 17, 3, 16).transpose(1, 2), range(r, dt, -1, 1, 2, 3, 33, 16), range(r, dt, -1, 1, 2, 3, 33, 8),
                range(r, DType.BOOL, 0, 2, 17, 33).logicalOr(Tensor.eye(17, 33, DType.BOOL, cpu))));
        SAMPLES.put(Op.SDPA_BACKWARD, (r, dt) -> {
            Tensor q = range(r, dt, -1, 1, 2, 17, 3, 16).transpose(1, 2), k = range(r, dt, -1, 1, 2, 3, 33, 16);
            Tensor v = range(r, dt, -1, 1, 2, 3, 33, 8);
            Tensor mask = range(r, DType.BOOL, 0, 2, 17, 33).logicalOr(Tensor.eye(17, 33, DType.BOOL, cpu));
            return s(12, Attrs.of("causal", true, "scale", Double.NaN), q, k, v, range(r, dt, -1, 1, 2, 3, 17, 8), mask);
        });

        // fused gradients: a random output gradient and the forward's inputs
        SAMPLES.put(Op.GELU_BACKWARD, (r, dt) -> s(Attrs.of("approximate", "tanh"), rand(r, dt, 33, 17), transposed(r, dt, -4, 4, 33, 17)));
        SAMPLES.put(Op.SILU_BACKWARD, (r, dt) -> s(none, rand(r, dt, 33, 17), transposed(r, dt, -6, 6, 33, 17)));
        SAMPLES.put(Op.LAYER_NORM_BACKWARD, (r, dt) -> s(8, Attrs.of("ndim", 1, "eps", 1e-5, "outputMask", new int[] {1, 1, 1}),
                rand(r, dt, 3, 17, 33), transposed(r, dt, -2, 2, 3, 17, 33), rand(r, dt, 33)));
        SAMPLES.put(Op.RMS_NORM_BACKWARD, (r, dt) -> s(8, Attrs.of("ndim", 2, "eps", 1e-6, "outputMask", new int[] {1, 1}),
                rand(r, dt, 3, 17, 33), transposed(r, dt, -2, 2, 3, 17, 33), rand(r, dt, 17, 33)));
        SAMPLES.put(Op.GROUP_NORM_BACKWARD, (r, dt) -> s(8, Attrs.of("groups", 3, "eps", 1e-5, "outputMask", new int[] {1, 1, 1}),
                rand(r, dt, 2, 6, 5, 7), rand(r, dt, 2, 6, 5, 7), rand(r, dt, 6)));

        // fused forward chains: per-sample parameters as adaLN's chunks are (non-contiguous [B, C] columns of
        // a [B, k C] tensor) and as [B, 1, C]; then their gradients
        SAMPLES.put(Op.LAYER_NORM_MODULATE, (r, dt) -> s(8, Attrs.of("eps", 1e-6), transposed(r, dt, -1, 3, 3, 17, 33),
                rand(r, dt, 3, 66).narrow(1, 33, 33), rand(r, dt, 3, 1, 33)));
        SAMPLES.put(Op.LAYER_NORM_MODULATE_BACKWARD, (r, dt) -> s(8, Attrs.of("eps", 1e-6, "outputMask", new int[] {1, 1, 1}),
                rand(r, dt, 3, 17, 33), transposed(r, dt, -1, 3, 3, 17, 33), rand(r, dt, 3, 66).narrow(1, 0, 33)));
        SAMPLES.put(Op.GATED_RESIDUAL, (r, dt) -> s(none, rand(r, dt, 3, 17, 33), transposed(r, dt, -2, 2, 3, 17, 33),
                rand(r, dt, 3, 99).narrow(1, 66, 33)));
        SAMPLES.put(Op.GATED_RESIDUAL_BACKWARD, (r, dt) -> s(4, Attrs.of("outputMask", new int[] {1, 1}), rand(r, dt, 3, 17, 33),
                transposed(r, dt, -2, 2, 3, 17, 33), rand(r, dt, 3, 1, 33)));
        SAMPLES.put(Op.BIAS_GELU, (r, dt) -> s(2, Attrs.of("approximate", "tanh"), transposed(r, dt, -3, 3, 3, 17, 33), rand(r, dt, 33)));
        SAMPLES.put(Op.BIAS_GELU_BACKWARD, (r, dt) -> s(8, Attrs.of("approximate", "none", "outputMask", new int[] {1, 1}),
                rand(r, dt, 3, 17, 33), transposed(r, dt, -3, 3, 3, 17, 33), rand(r, dt, 33)));
    }
}
