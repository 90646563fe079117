package org.ddrl.tensor.cuda;

import java.util.Arrays;
import java.util.Map;
import org.ddrl.kernels.cuda.Dim3;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Kernel;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;

/**
 * Scaled dot-product attention (attention.cu): flash style, one warp per query row with an online
 * softmax over tiles of keys, so memory stays O(T) whatever Tq x Tk is. q, k, v and the mask are read in
 * place through their strides (heads split out of [B, T, H, E], broadcast batch dims). A row with every
 * key masked gives NaN, as the CPU backend does; no keys at all (Tk = 0) give 0.
 */
final class CudaAttention {
    private static final int WARPS = 4;
    private static final int COLUMNS_PER_LAUNCH_ROW = 256;

    private CudaAttention() {}

    static void register(Map<Op, Kernel> k, CudaBackend b) {
        k.put(Op.SDPA, (a, in) -> sdpa(b, a, in[0], in[1], in[2], in.length > 3 ? in[3] : null));
    }

    private static Tensor sdpa(CudaBackend b, Attrs a, Tensor q, Tensor k, Tensor v, Tensor mask) {
        int[] batch = checkedBatch(q, k, v, mask);
        int tq = q.size(-2), tk = k.size(-2), e = q.size(-1), ev = v.size(-1);
        int[] scores = withBatch(batch, tq, tk);
        DType dt = q.dtype();
        double scale = a.d("scale");
        if (Double.isNaN(scale)) scale = 1 / Math.sqrt(e);
        int[] outShape = withBatch(batch, tq, ev);
        if (tk == 0) return b.zeros(dt, outShape);
        Tensor out = b.empty(dt, outShape);
        if (out.numel() == 0) return out;
        // batch dims merged jointly over q, k, v and the mask, then each operand's matrix dims appended
        long[] qs = Views.broadcastStrides(q, withBatch(batch, tq, e)), ks = Views.broadcastStrides(k, withBatch(batch, tk, e));
        long[] vs = Views.broadcastStrides(v, withBatch(batch, tk, ev));
        long[] ms = mask == null ? new long[batch.length + 2] : Views.broadcastStrides(mask, scores);
        int nb = batch.length;
        Views.Merged m = Views.merge(batch, new long[][] {Arrays.copyOf(qs, nb), Arrays.copyOf(ks, nb), Arrays.copyOf(vs, nb),
            Arrays.copyOf(ms, nb)});
        byte[] qv = Views.withMatrix(m.sizes(), m.strides()[0], tq, e, qs[nb], qs[nb + 1], q.offset(), dt);
        byte[] kv = Views.withMatrix(m.sizes(), m.strides()[1], tk, e, ks[nb], ks[nb + 1], k.offset(), dt);
        byte[] vv = Views.withMatrix(m.sizes(), m.strides()[2], tk, ev, vs[nb], vs[nb + 1], v.offset(), dt);
        byte[] mv = mask == null ? ViewDesc.none()
                : Views.withMatrix(m.sizes(), m.strides()[3], tq, tk, ms[nb], ms[nb + 1], mask.offset(), mask.dtype());
        int maskKind = mask == null ? 0 : mask.dtype() == DType.BOOL ? 1 : 2;
        long batches = Shapes.numel(batch);
        Dim3 grid = new Dim3((tq + WARPS - 1) / WARPS, (ev + COLUMNS_PER_LAUNCH_ROW - 1) / COLUMNS_PER_LAUNCH_ROW,
                (int) Math.min(batches, 65535));
        Launch.of(b, "attention", "ddrl_sdpa_" + CudaReductions.floatSuffix(dt)).grid(grid).block(Dim3.of(32 * WARPS))
                .i64(batches).i32(tq).i32(tk).i32(e).i32(ev).view(qv).ptr(q).view(kv).ptr(k).view(vv).ptr(v).view(mv).ptr(mask)
                .i32(maskKind).i32(a.b("causal") ? 1 : 0).f64(scale).ptr(out).i32(ViewDesc.code(dt)).run();
        return out;
    }

    /**
     * The broadcast batch dims of q, k and v after checking every SDPA operand (dims, dtypes, sizes, mask);
     * the messages name the op "sdpa" and every operand.
     */
    static int[] checkedBatch(Tensor q, Tensor k, Tensor v, Tensor mask) {
        String what = "query " + Views.desc(q) + ", key " + Views.desc(k) + ", value " + Views.desc(v)
                + (mask == null ? "" : ", mask " + Views.desc(mask));
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
            throw new IllegalArgumentException("sdpa: the batch dims of query, key and value cannot be broadcast together (" + what
                    + "): " + e.getMessage(), e);
        }
        int[] scores = withBatch(batch, q.size(-2), k.size(-2));
        if (mask != null) {
            if (mask.dtype() != DType.BOOL && !mask.dtype().isFloatingPoint()) {
                throw new IllegalArgumentException("sdpa: mask must be BOOL (true = attend) or floating-point (added to the scores), got "
                        + what);
            }
            int[] ms = mask.shape();
            boolean ok = ms.length <= scores.length;
            for (int i = 0; ok && i < ms.length; i++) {
                int t = scores[scores.length - ms.length + i];
                ok = ms[i] == 1 || ms[i] == t;
            }
            if (!ok) {
                throw new IllegalArgumentException("sdpa: mask " + Views.desc(mask) + " cannot be broadcast to the scores "
                        + Shapes.str(scores) + " [batch..., Tq, Tk] (" + what + ")");
            }
        }
        return batch;
    }

    private static int[] lead(Tensor t) {
        int[] s = t.shape();
        return Arrays.copyOf(s, s.length - 2);
    }

    static int[] withBatch(int[] batch, int rows, int cols) {
        int[] out = Arrays.copyOf(batch, batch.length + 2);
        out[batch.length] = rows;
        out[batch.length + 1] = cols;
        return out;
    }
}
