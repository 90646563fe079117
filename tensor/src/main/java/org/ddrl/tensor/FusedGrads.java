package org.ddrl.tensor;

/**
 * The fused gradients of the forward chains LAYER_NORM_MODULATE, GATED_RESIDUAL and BIAS_GELU: calls, and
 * the views of the packed result each backward op returns (one 1-d tensor with the requested gradients back
 * to back, as {@link NormGrads}; splitting costs nothing). A gradient not asked for is null.
 */
public final class FusedGrads {
    private FusedGrads() {}

    /** Gradients of LAYER_NORM_MODULATE: input [x.shape], shift and scale [B, C]. */
    public record Modulate(Tensor input, Tensor shift, Tensor scale) {}

    /** Gradients of GATED_RESIDUAL with respect to the branch y [y.shape] and the gate [B, C]. */
    public record GatedResidual(Tensor y, Tensor gate) {}

    /** Gradients of BIAS_GELU: input [x.shape] and bias [C]. */
    public record BiasGelu(Tensor input, Tensor bias) {}

    public static Modulate layerNormModulate(Tensor gradOut, Tensor x, Tensor scale, double eps, boolean needInput, boolean needShift,
                                             boolean needScale) {
        int[] mask = {bit(needInput), bit(needShift), bit(needScale)};
        Tensor packed = Dispatch.call(Op.LAYER_NORM_MODULATE_BACKWARD, Attrs.of("eps", eps, "outputMask", mask), gradOut, x, scale);
        NormGrads g = NormGrads.unpack("layer_norm_modulate_backward", packed, x.shape(), perSample(x), mask);
        return new Modulate(g.input(), g.weight(), g.bias());
    }

    public static GatedResidual gatedResidual(Tensor gradOut, Tensor y, Tensor gate, boolean needY, boolean needGate) {
        int[] mask = {bit(needY), bit(needGate)};
        Tensor packed = Dispatch.call(Op.GATED_RESIDUAL_BACKWARD, Attrs.of("outputMask", mask), gradOut, y, gate);
        NormGrads g = NormGrads.unpack("gated_residual_backward", packed, y.shape(), perSample(y), mask);
        return new GatedResidual(g.input(), g.weight());
    }

    public static BiasGelu biasGelu(Tensor gradOut, Tensor x, Tensor bias, String approximate, boolean needInput, boolean needBias) {
        int[] mask = {bit(needInput), bit(needBias)};
        Tensor packed = Dispatch.call(Op.BIAS_GELU_BACKWARD, Attrs.of("approximate", approximate, "outputMask", mask), gradOut, x, bias);
        return unpackBiasGelu(packed, x.shape(), mask);
    }

    static BiasGelu unpackBiasGelu(Tensor packed, int[] xShape, int[] mask) {
        int[] param = xShape.length == 0 ? new int[0] : new int[] {xShape[xShape.length - 1]};
        NormGrads g = NormGrads.unpack("bias_gelu_backward", packed, xShape, param, mask);
        return new BiasGelu(g.input(), g.weight());
    }

    /** [B, C] of x [B, *, C]; the kernel reports a bad rank with the op's name before this is used. */
    private static int[] perSample(Tensor x) {
        return x.dim() < 2 ? new int[0] : new int[] {x.size(0), x.size(-1)};
    }

    /** The output mask attribute: {@code n} entries of 0 or 1. */
    public static int[] mask(String op, Attrs a, int n, String names) {
        int[] mask = a.ints("outputMask");
        if (mask.length != n || java.util.Arrays.stream(mask).anyMatch(m -> m != 0 && m != 1)) {
            throw new IllegalArgumentException(op + ": outputMask must be " + n + " entries of 0 or 1 (" + names + "), got "
                    + java.util.Arrays.toString(mask));
        }
        return mask;
    }

    /**
     * The argument check of BIAS_GELU (gradOut null) and BIAS_GELU_BACKWARD, shared by every backend:
     * floating x [*, C] with C the size of bias [C], gradOut of x's shape, approximate "none" or "tanh".
     * Returns whether GELU is the tanh form.
     */
    public static boolean checkBiasGelu(Op op, Attrs a, Tensor gradOut, Tensor x, Tensor bias) {
        String name = op.opName();
        String what = (gradOut == null ? "" : "grad output " + desc(gradOut) + ", ") + "input " + desc(x) + ", bias " + desc(bias);
        boolean floating = x.dtype().isFloatingPoint() && bias.dtype().isFloatingPoint()
                && (gradOut == null || gradOut.dtype().isFloatingPoint());
        if (!floating) throw new IllegalArgumentException(name + ": needs floating-point tensors, got " + what);
        if (x.dim() < 1 || bias.dim() != 1 || bias.size(0) != x.size(-1)) {
            throw new IllegalArgumentException(name + ": bias must have shape [C] for input [*, C], got " + what);
        }
        if (gradOut != null && !java.util.Arrays.equals(gradOut.shape(), x.shape())) {
            throw new IllegalArgumentException(name + ": grad output and input must have the same shape, got " + what);
        }
        String approximate = a.s("approximate");
        if (!approximate.equals("none") && !approximate.equals("tanh")) {
            throw new IllegalArgumentException(name + ": approximate must be \"none\" or \"tanh\", got \"" + approximate + "\"");
        }
        return approximate.equals("tanh");
    }

    private static String desc(Tensor t) {
        return t.dtype().name().toLowerCase() + Shapes.str(t.shape()) + " on " + t.device();
    }

    private static int bit(boolean b) {
        return b ? 1 : 0;
    }
}
