package org.ddrl.tensor.cuda;

import java.util.Arrays;
import java.util.Map;
import org.ddrl.kernels.cuda.Dim3;
import org.ddrl.tensor.AttentionShape;
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
        AttentionShape sh = AttentionShape.of(q, k, v, mask);
        DType dt = q.dtype();
        int[] batch = sh.batch();
        int tq = sh.tq(), tk = sh.tk(), e = sh.e(), ev = sh.ev();
        int[] scores = sh.scoreShape();
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

    private static int[] withBatch(int[] batch, int rows, int cols) {
        int[] out = Arrays.copyOf(batch, batch.length + 2);
        out[batch.length] = rows;
        out[batch.length + 1] = cols;
        return out;
    }
}
