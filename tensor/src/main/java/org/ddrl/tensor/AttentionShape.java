package org.ddrl.tensor;

/**
 * The sizes of one scaled dot-product attention call, checked: q [..., tq, e], k [..., tk, e],
 * v [..., tk, ev], batch dims broadcast together; mask broadcastable to the scores [batch..., tq, tk].
 * Every backend checks its arguments here, so that the error messages are the same on every device.
 */
public record AttentionShape(int[] batch, int tq, int tk, int e, int ev) {

    public long batchCount() {
        return Shapes.numel(batch);
    }

    public int[] outShape() {
        return withBatch(tq, ev);
    }

    public int[] scoreShape() {
        return withBatch(tq, tk);
    }

    /** [batch..., rows, cols]: the shape an operand with matrices [rows, cols] is read as. */
    public int[] withBatch(int rows, int cols) {
        int[] out = java.util.Arrays.copyOf(batch, batch.length + 2);
        out[batch.length] = rows;
        out[batch.length + 1] = cols;
        return out;
    }

    public static AttentionShape of(Tensor q, Tensor k, Tensor v, Tensor mask) {
        String what = "query " + ConvGeometry.desc(q) + ", key " + ConvGeometry.desc(k) + ", value " + ConvGeometry.desc(v)
                + (mask == null ? "" : ", mask " + ConvGeometry.desc(mask));
        if (q.dim() < 2 || k.dim() < 2 || v.dim() < 2) {
            throw new IllegalArgumentException("sdpa: query, key and value need at least 2 dims [..., T, E], got " + what);
        }
        DType dt = q.dtype();
        if (!dt.isFloatingPoint()) throw new IllegalArgumentException("sdpa: needs floating-point query, key and value, got " + what);
        if (k.dtype() != dt || v.dtype() != dt) {
            throw new IllegalArgumentException("sdpa: query, key and value must have the same dtype, got " + what);
        }
        if (q.size(-1) != k.size(-1)) {
            throw new IllegalArgumentException("sdpa: query and key must have the same embedding size (last dim), got " + what);
        }
        if (k.size(-2) != v.size(-2)) {
            throw new IllegalArgumentException("sdpa: key and value must have the same number of keys (dim -2), got " + what);
        }
        int[] batch;
        try {
            batch = Shapes.broadcast("sdpa", Shapes.broadcast("sdpa", lead(q), lead(k)), lead(v));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("sdpa: the batch dims of query, key and value cannot be broadcast together ("
                    + what + "): " + e.getMessage(), e);
        }
        AttentionShape s = new AttentionShape(batch, q.size(-2), k.size(-2), q.size(-1), v.size(-1));
        if (mask != null) {
            if (mask.dtype() != DType.BOOL && !mask.dtype().isFloatingPoint()) {
                throw new IllegalArgumentException("sdpa: mask must be BOOL (true = attend) or floating-point (added to the "
                        + "scores), got " + what);
            }
            int[] target = s.scoreShape(), ms = mask.shape();
            boolean ok = ms.length <= target.length;
            for (int i = 0; ok && i < ms.length; i++) {
                int t = target[target.length - ms.length + i];
                ok = ms[i] == 1 || ms[i] == t;
            }
            if (!ok) {
                throw new IllegalArgumentException("sdpa: mask " + ConvGeometry.desc(mask) + " cannot be broadcast to the scores "
                        + Shapes.str(target) + " [batch..., Tq, Tk] (" + what + ")");
            }
        }
        return s;
    }

    /** The dims before the last two. */
    private static int[] lead(Tensor t) {
        int[] s = t.shape();
        return java.util.Arrays.copyOf(s, s.length - 2);
    }
}
