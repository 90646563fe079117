package org.ddrl.tensor;

/**
 * Layer-level functions in the spirit of torch.nn.functional; {@code import static
 * org.ddrl.tensor.Functional.*}. Optional tensors (bias, weight, mask) may be null.
 */
public final class Functional {
    private Functional() {}

    /** x W^T + b with W [out, in]; b may be null. */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        if (weight.dim() != 2) throw new IllegalArgumentException("linear: weight must be 2-d [out, in], got " + Shapes.str(weight.shape()));
        Tensor y = x.matmul(weight.t());
        return bias == null ? y : y.add(bias);
    }

    /**
     * gelu(x + bias), bias [C] over x [*, C], in one pass (the bias and activation of a linear layer, applied
     * to its GEMM output); approximate is "none" (erf form) or "tanh", as {@link Tensor#gelu(String)}.
     */
    public static Tensor biasGelu(Tensor x, Tensor bias, String approximate) {
        return Dispatch.call(Op.BIAS_GELU, Attrs.of("approximate", approximate), x, bias);
    }

    /**
     * adaLN modulation of a plain layer norm over the last dim, in one pass per row:
     * layer_norm(x, [C], no weight, no bias, eps) * (1 + scale) + shift, with shift and scale [B, C] (or
     * [B, 1, ..., 1, C]) broadcast over the middle dims of x [B, *, C].
     */
    public static Tensor layerNormModulate(Tensor x, Tensor shift, Tensor scale, double eps) {
        return Dispatch.call(Op.LAYER_NORM_MODULATE, Attrs.of("eps", eps), x, shift, scale);
    }

    /** The gated residual x + gate * y in one pass: x, y [B, *, C], gate [B, C] (or [B, 1, ..., 1, C]) per sample. */
    public static Tensor gatedResidual(Tensor x, Tensor y, Tensor gate) {
        return Dispatch.call(Op.GATED_RESIDUAL, Attrs.NONE, x, y, gate);
    }

    /** Normalizes over the trailing {@code normalizedShape.length} dims, which must equal normalizedShape. */
    public static Tensor layerNorm(Tensor x, int[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        checkTrailing("layer_norm", x, normalizedShape);
        return Dispatch.call(Op.LAYER_NORM, Attrs.of("ndim", normalizedShape.length, "eps", eps), x, weight, bias);
    }

    /** x [N, C, *] normalized over groups of C / groups channels and all trailing dims. */
    public static Tensor groupNorm(Tensor x, int groups, Tensor weight, Tensor bias, double eps) {
        return Dispatch.call(Op.GROUP_NORM, Attrs.of("groups", groups, "eps", eps), x, weight, bias);
    }

    /** x / sqrt(mean(x^2) + eps) * weight over the trailing dims. */
    public static Tensor rmsNorm(Tensor x, int[] normalizedShape, Tensor weight, double eps) {
        checkTrailing("rms_norm", x, normalizedShape);
        return Dispatch.call(Op.RMS_NORM, Attrs.of("ndim", normalizedShape.length, "eps", eps), x, weight);
    }

    private static void checkTrailing(String op, Tensor x, int[] normalizedShape) {
        int[] s = x.shape();
        int n = normalizedShape.length;
        boolean ok = n <= s.length;
        for (int i = 0; ok && i < n; i++) ok = s[s.length - n + i] == normalizedShape[i];
        if (!ok) {
            throw new IllegalArgumentException(op + ": normalized shape " + Shapes.str(normalizedShape)
                    + " does not match the trailing dims of input " + Shapes.str(s));
        }
    }

    /** 3-d convolution: x [N, C, D, H, W], weight [O, C / groups, kD, kH, kW], bias [O] or null. */
    public static Tensor conv3d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        return Dispatch.call(Op.CONV3D, Attrs.of("stride", triple("stride", stride), "padding", triple("padding", padding),
                "dilation", triple("dilation", dilation), "groups", groups), x, weight, bias);
    }

    public static Tensor conv3d(Tensor x, Tensor weight, Tensor bias) {
        return conv3d(x, weight, bias, new int[] {1}, new int[] {0}, new int[] {1}, 1);
    }

    /** 2-d convolution through conv3d: x [N, C, H, W], weight [O, C / groups, kH, kW]. */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        Tensor y = conv3d(x.unsqueeze(2), weight.unsqueeze(2), bias, prepend(1, pair("stride", stride)),
                prepend(0, pair("padding", padding)), prepend(1, pair("dilation", dilation)), groups);
        return y.squeeze(2);
    }

    /** 1-d convolution through conv3d: x [N, C, L], weight [O, C / groups, k]. */
    public static Tensor conv1d(Tensor x, Tensor weight, Tensor bias, int stride, int padding, int dilation, int groups) {
        Tensor y = conv3d(x.unsqueeze(2).unsqueeze(2), weight.unsqueeze(2).unsqueeze(2), bias, new int[] {1, 1, stride},
                new int[] {0, 0, padding}, new int[] {1, 1, dilation}, groups);
        return y.squeeze(2).squeeze(2);
    }

    private static int[] triple(String what, int[] v) {
        if (v.length == 1) return new int[] {v[0], v[0], v[0]};
        if (v.length == 3) return v.clone();
        throw new IllegalArgumentException("conv3d: " + what + " needs 1 or 3 values, got " + v.length);
    }

    private static int[] pair(String what, int[] v) {
        if (v.length == 1) return new int[] {v[0], v[0]};
        if (v.length == 2) return v.clone();
        throw new IllegalArgumentException("conv2d: " + what + " needs 1 or 2 values, got " + v.length);
    }

    private static int[] prepend(int first, int[] v) {
        return new int[] {first, v[0], v[1]};
    }

    /**
     * softmax(q k^T * scale + mask) v over the last two dims; batch dims broadcast. mask is BOOL (true =
     * attend) or an additive float tensor broadcastable to [..., Tq, Tk], or null. causal masks key j > query i
     * (aligned to the top-left, as PyTorch). scale NaN means 1 / sqrt(E).
     */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, double scale) {
        return Dispatch.call(Op.SDPA, Attrs.of("causal", causal, "scale", scale), q, k, v, mask);
    }

    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v) {
        return scaledDotProductAttention(q, k, v, null, false, Double.NaN);
    }
}
