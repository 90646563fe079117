package org.ddrl.tensor;

import java.util.Arrays;

/**
 * The three gradients of scaled dot-product attention, as {@link Op#SDPA_BACKWARD} returns them packed in
 * one tensor (the kernel API gives one result per op): dq [batch..., Tq, E], dk [batch..., Tk, E] and
 * dv [batch..., Tk, Ev], where batch is the broadcast of the batch dims of q, k and v. The three are views
 * of the packed result, so splitting costs nothing.
 */
public record AttentionGrads(Tensor dq, Tensor dk, Tensor dv) {

    /** Runs SDPA_BACKWARD (mask may be null; scale NaN means 1 / sqrt(E)) and splits its result. */
    public static AttentionGrads compute(Tensor q, Tensor k, Tensor v, Tensor gradOut, Tensor mask, boolean causal, double scale) {
        Attrs a = Attrs.of("causal", causal, "scale", scale);
        Tensor packed = mask == null ? Dispatch.call(Op.SDPA_BACKWARD, a, q, k, v, gradOut)
                : Dispatch.call(Op.SDPA_BACKWARD, a, q, k, v, gradOut, mask);
        return unpack(packed, q, k, v);
    }

    /** The views dq, dk, dv of a packed SDPA_BACKWARD result for the forward inputs q, k, v. */
    public static AttentionGrads unpack(Tensor packed, Tensor q, Tensor k, Tensor v) {
        int[] batch = Shapes.broadcast("sdpa_backward", Shapes.broadcast("sdpa_backward", lead(q), lead(k)), lead(v));
        int[] dq = withMatrix(batch, q.size(-2), q.size(-1));
        int[] dk = withMatrix(batch, k.size(-2), k.size(-1));
        int[] dv = withMatrix(batch, v.size(-2), v.size(-1));
        long nq = Shapes.numel(dq), nk = Shapes.numel(dk), nv = Shapes.numel(dv);
        if (packed.dim() != 1 || packed.size(0) != nq + nk + nv) {
            throw new IllegalArgumentException("sdpa_backward: packed gradients " + Shapes.str(packed.shape()) + " do not hold dq "
                    + Shapes.str(dq) + ", dk " + Shapes.str(dk) + " and dv " + Shapes.str(dv));
        }
        return new AttentionGrads(packed.narrow(0, 0, (int) nq).view(dq), packed.narrow(0, (int) nq, (int) nk).view(dk),
                packed.narrow(0, (int) (nq + nk), (int) nv).view(dv));
    }

    /** Elements of the packed result for these shapes; at most Integer.MAX_VALUE, the largest 1-d tensor. */
    public static long packedLength(int[] batch, int tq, int tk, int e, int ev) {
        long b = Shapes.numel(batch);
        return b * tq * e + b * tk * e + b * tk * ev;
    }

    private static int[] lead(Tensor t) {
        if (t.dim() < 2) {
            throw new IllegalArgumentException("sdpa_backward: query, key and value need at least 2 dims [..., T, E], got "
                    + Shapes.str(t.shape()));
        }
        return Arrays.copyOf(t.shape(), t.dim() - 2);
    }

    private static int[] withMatrix(int[] batch, int rows, int cols) {
        int[] s = Arrays.copyOf(batch, batch.length + 2);
        s[batch.length] = rows;
        s[batch.length + 1] = cols;
        return s;
    }
}
