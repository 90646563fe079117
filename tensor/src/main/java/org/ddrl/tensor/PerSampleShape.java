package org.ddrl.tensor;

import java.util.Arrays;

/**
 * The sizes of one call of the per-sample fused ops (LAYER_NORM_MODULATE, GATED_RESIDUAL and their
 * gradients), checked: x [B, *, C] read as {@code batch} samples of {@code tokens} rows of {@code channels},
 * and per-sample parameters (adaLN's shift, scale, gate) of shape [B, C] or [B, 1, ..., 1, C] with x's
 * rank, each broadcast over the middle dims of its sample. Every backend checks its arguments here, so the
 * error messages are the same on every device.
 */
public record PerSampleShape(int[] inputShape, int batch, long tokens, int channels) {

    public long rows() {
        return (long) batch * tokens;
    }

    public long numel() {
        return Shapes.numel(inputShape);
    }

    /** [B, C]: the shape per-sample gradients are returned in. */
    public int[] paramShape() {
        return new int[] {batch, channels};
    }

    /**
     * Checks x and the parameters (named for messages) and the tensors that must have x's shape. x must be
     * floating with rank 2 or more.
     */
    public static PerSampleShape of(Op op, Tensor x, Tensor[] sameShape, String[] sameNames, Tensor[] params, String[] paramNames) {
        String name = op.opName();
        StringBuilder what = new StringBuilder("input ").append(desc(x));
        for (int i = 0; i < sameShape.length; i++) what.append(", ").append(sameNames[i]).append(' ').append(desc(sameShape[i]));
        for (int i = 0; i < params.length; i++) what.append(", ").append(paramNames[i]).append(' ').append(desc(params[i]));
        boolean floating = x.dtype().isFloatingPoint();
        for (Tensor t : sameShape) floating &= t.dtype().isFloatingPoint();
        for (Tensor t : params) floating &= t.dtype().isFloatingPoint();
        if (!floating) throw new IllegalArgumentException(name + ": needs floating-point tensors, got " + what);
        if (x.dim() < 2) throw new IllegalArgumentException(name + ": input must have shape [B, *, C] (rank 2 or more), got " + what);
        for (int i = 0; i < sameShape.length; i++) {
            if (!Arrays.equals(sameShape[i].shape(), x.shape())) {
                throw new IllegalArgumentException(name + ": " + sameNames[i] + " must have the input's shape, got " + what);
            }
        }
        int[] shape = x.shape();
        int b = shape[0], c = shape[shape.length - 1];
        for (int i = 0; i < params.length; i++) {
            if (!perSample(params[i].shape(), shape)) {
                throw new IllegalArgumentException(name + ": " + paramNames[i] + " must have shape [" + b + ", " + c + "] or ["
                        + b + ", 1, ..., 1, " + c + "] (one vector per sample), got " + what);
            }
        }
        long n = Shapes.numel(shape);
        long tokens = b == 0 || c == 0 ? 0 : n / ((long) b * c);
        return new PerSampleShape(shape, b, tokens, c);
    }

    private static boolean perSample(int[] p, int[] x) {
        int r = x.length;
        if (p.length == 2) return p[0] == x[0] && p[1] == x[r - 1];
        if (p.length != r || p[0] != x[0] || p[r - 1] != x[r - 1]) return false;
        for (int d = 1; d < r - 1; d++) if (p[d] != 1) return false;
        return true;
    }

    /** A per-sample parameter as a [B, C] view (no copy: only size-1 dims are dropped). */
    public static Tensor rows(Tensor p) {
        if (p.dim() == 2) return p;
        int[] middle = new int[p.dim() - 2];
        for (int d = 0; d < middle.length; d++) middle[d] = d + 1;
        return p.squeeze(middle);
    }

    /** A per-sample parameter as [B, 1, ..., 1, C] with rank {@code rank}, broadcastable to x (a view). */
    public static Tensor broadcastable(Tensor p, int rank) {
        Tensor r = rows(p);
        while (r.dim() < rank) r = r.unsqueeze(1);
        return r;
    }

    private static String desc(Tensor t) {
        return t.dtype().name().toLowerCase() + Shapes.str(t.shape()) + " on " + t.device();
    }
}
