package org.ddrl.tensor;

import java.util.Arrays;

/**
 * The sizes of one conv3d call (forward or either backward), checked: input [n, c, d, h, w], weight
 * [o, c / groups, kd, kh, kw], output [n, o, od, oh, ow]. Per dim, out = floor((in + 2 pad - dil (k - 1) - 1) / stride) + 1.
 * Every backend checks its arguments here, so that the error messages are the same on every device.
 */
public record ConvGeometry(int n, int c, int d, int h, int w, int o, int groups,
                    int kd, int kh, int kw, int sd, int sh, int sw, int pd, int ph, int pw, int dd, int dh, int dw,
                    int od, int oh, int ow) {

    /** Input channels per group. */
    public int cg() {
        return c / groups;
    }

    /** Output channels per group. */
    public int og() {
        return o / groups;
    }

    /** Kernel volume kd * kh * kw. */
    public int kvol() {
        return kd * kh * kw;
    }

    /** Rows of the im2col matrix, the GEMM's inner dimension: cg * kd * kh * kw. */
    public int k() {
        return cg() * kvol();
    }

    /** Output positions per output channel. */
    public long p() {
        return (long) od * oh * ow;
    }

    /** Input positions per input channel. */
    public long dhw() {
        return (long) d * h * w;
    }

    public int[] inShape() {
        return new int[] {n, c, d, h, w};
    }

    public int[] weightShape() {
        return new int[] {o, cg(), kd, kh, kw};
    }

    public int[] outShape() {
        return new int[] {n, o, od, oh, ow};
    }

    /** A 1x1x1 kernel with unit stride and no padding reads the input as it is: no im2col needed. */
    public boolean pointwise() {
        return kd == 1 && kh == 1 && kw == 1 && sd == 1 && sh == 1 && sw == 1 && pd == 0 && ph == 0 && pw == 0;
    }

    public static ConvGeometry of(Tensor x, Tensor wt, Tensor bias, Attrs a) {
        String what = "input " + desc(x) + ", weight " + desc(wt)
                + (bias == null ? "" : ", bias " + desc(bias));
        if (x.dim() != 5) throw new IllegalArgumentException("conv3d: input must be 5-d [N, C, D, H, W], got " + what);
        if (wt.dim() != 5) {
            throw new IllegalArgumentException("conv3d: weight must be 5-d [O, C / groups, kD, kH, kW], got " + what);
        }
        checkDTypes("conv3d", bias == null ? "input and weight" : "input, weight and bias", what, x, wt, bias);
        ConvGeometry g = fromShapes("conv3d", what, x.shape(), wt.shape(), a);
        int[] ws = wt.shape();
        if (bias != null && (bias.dim() != 1 || bias.size(0) != ws[0])) {
            throw new IllegalArgumentException("conv3d: bias must be 1-d [" + ws[0] + "] (one value per output channel), got "
                    + what);
        }
        return g;
    }

    /** conv3d_backward_input: gradOutput [N, O, Do, Ho, Wo] and weight, with the forward input's shape as an attribute. */
    public static ConvGeometry ofBackwardInput(Tensor gy, Tensor wt, Attrs a) {
        String op = "conv3d_backward_input";
        int[] xs = a.ints("inputShape");
        String what = "gradOutput " + desc(gy) + ", weight " + desc(wt) + ", inputShape "
                + Arrays.toString(xs);
        if (xs.length != 5) throw new IllegalArgumentException(op + ": inputShape must have 5 values [N, C, D, H, W], got " + what);
        if (wt.dim() != 5) {
            throw new IllegalArgumentException(op + ": weight must be 5-d [O, C / groups, kD, kH, kW], got " + what);
        }
        checkDTypes(op, "gradOutput and weight", what, gy, wt, null);
        ConvGeometry g = fromShapes(op, what, xs, wt.shape(), a);
        g.checkGradOutput(op, what, gy);
        return g;
    }

    /** conv3d_backward_weight: input and gradOutput, with the weight's shape as an attribute. */
    public static ConvGeometry ofBackwardWeight(Tensor x, Tensor gy, Attrs a) {
        String op = "conv3d_backward_weight";
        int[] ws = a.ints("weightShape");
        String what = "input " + desc(x) + ", gradOutput " + desc(gy) + ", weightShape "
                + Arrays.toString(ws);
        if (x.dim() != 5) throw new IllegalArgumentException(op + ": input must be 5-d [N, C, D, H, W], got " + what);
        if (ws.length != 5) {
            throw new IllegalArgumentException(op + ": weightShape must have 5 values [O, C / groups, kD, kH, kW], got " + what);
        }
        checkDTypes(op, "input and gradOutput", what, x, gy, null);
        ConvGeometry g = fromShapes(op, what, x.shape(), ws, a);
        g.checkGradOutput(op, what, gy);
        return g;
    }

    private void checkGradOutput(String op, String what, Tensor gy) {
        if (!Arrays.equals(gy.shape(), outShape())) {
            throw new IllegalArgumentException(op + ": gradOutput must have the conv3d output shape " + Shapes.str(outShape())
                    + " for input " + Shapes.str(inShape()) + ", weight " + Shapes.str(weightShape()) + ", stride " + Arrays.toString(new int[] {sd, sh, sw})
                    + ", padding " + Arrays.toString(new int[] {pd, ph, pw}) + ", dilation "
                    + Arrays.toString(new int[] {dd, dh, dw}) + ", groups " + groups + "; got " + what);
        }
    }

    /** Both tensors (and the bias, if any) of one floating-point dtype. */
    private static void checkDTypes(String op, String names, String what, Tensor first, Tensor second, Tensor bias) {
        DType dt = first.dtype();
        if (!dt.isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": needs floating-point tensors, got " + what);
        }
        if (second.dtype() != dt || (bias != null && bias.dtype() != dt)) {
            throw new IllegalArgumentException(op + ": " + names + " must have the same dtype, got " + what);
        }
    }

    /** Checks the attributes against input shape xs and weight shape ws, and works out the output size. */
    private static ConvGeometry fromShapes(String op, String what, int[] xs, int[] ws, Attrs a) {
        Shapes.checkShape(op, xs);
        Shapes.checkShape(op, ws);
        int[] stride = triple(op, a, "stride", what), padding = triple(op, a, "padding", what);
        int[] dilation = triple(op, a, "dilation", what);
        int groups = a.i("groups");
        for (int i = 0; i < 3; i++) {
            if (stride[i] < 1 || dilation[i] < 1 || padding[i] < 0) {
                throw new IllegalArgumentException(op + ": need stride >= 1, dilation >= 1 and padding >= 0, got stride "
                        + Arrays.toString(stride) + ", padding " + Arrays.toString(padding) + ", dilation "
                        + Arrays.toString(dilation) + " for " + what);
            }
        }
        if (groups < 1) throw new IllegalArgumentException(op + ": groups must be >= 1, got " + groups + " for " + what);
        if (xs[1] % groups != 0) {
            throw new IllegalArgumentException(op + ": input channels " + xs[1] + " are not divisible by groups " + groups
                    + " (" + what + ")");
        }
        if (ws[0] % groups != 0) {
            throw new IllegalArgumentException(op + ": output channels " + ws[0] + " are not divisible by groups " + groups
                    + " (" + what + ")");
        }
        if ((long) ws[1] * groups != xs[1]) {
            throw new IllegalArgumentException(op + ": input has " + xs[1] + " channels but the weight expects "
                    + ws[1] + " * groups " + groups + " = " + (long) ws[1] * groups + " (" + what + ")");
        }
        if (ws[2] < 1 || ws[3] < 1 || ws[4] < 1) {
            throw new IllegalArgumentException(op + ": kernel sizes must be positive, got " + what);
        }
        int[] out = new int[3];
        for (int i = 0; i < 3; i++) {
            long span = (long) dilation[i] * (ws[2 + i] - 1) + 1;
            out[i] = (int) Math.floorDiv(xs[2 + i] + 2L * padding[i] - span, stride[i]) + 1;
        }
        if (out[0] <= 0 || out[1] <= 0 || out[2] <= 0) {
            throw new IllegalArgumentException(op + ": output size " + Arrays.toString(out) + " is not positive: the padded input "
                    + "is smaller than the dilated kernel (" + what + ", stride " + Arrays.toString(stride) + ", padding "
                    + Arrays.toString(padding) + ", dilation " + Arrays.toString(dilation) + ")");
        }
        Shapes.checkShape(op, new int[] {xs[0], ws[0], out[0], out[1], out[2]});
        return new ConvGeometry(xs[0], xs[1], xs[2], xs[3], xs[4], ws[0], groups, ws[2], ws[3], ws[4],
                stride[0], stride[1], stride[2], padding[0], padding[1], padding[2], dilation[0], dilation[1], dilation[2],
                out[0], out[1], out[2]);
    }

    private static int[] triple(String op, Attrs a, String key, String what) {
        int[] v = a.ints(key);
        if (v.length != 3) {
            throw new IllegalArgumentException(op + ": " + key + " needs 3 values, got " + Arrays.toString(v) + " for " + what);
        }
        return v;
    }

    /** dtype and shape, as error messages name a tensor: f32[2, 3]. */
    static String desc(Tensor t) {
        return t.dtype().name().toLowerCase() + Shapes.str(t.shape());
    }
}
