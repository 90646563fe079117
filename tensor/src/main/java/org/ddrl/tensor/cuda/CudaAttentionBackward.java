package org.ddrl.tensor.cuda;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.ddrl.kernels.cuda.Dim3;
import org.ddrl.tensor.AttentionGrads;
import org.ddrl.tensor.AttentionShape;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Kernel;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;

/**
 * The fused attention gradient SDPA_BACKWARD (attention.cu), flash-attention-2 style in three launches:
 * per query row the log-sum-exp of its scores and D = sum_j p_j (gradOut . v_j); per key row dk and dv, walking the
 * query rows that see it; per query row dq, walking its keys. The weights are recomputed from q . k and
 * the log-sum-exp, so memory stays O(T) (2 x batches x Tq statistics). Every output element is summed by
 * one warp in a fixed order: no atomics, the same bits every run. Inputs are read in place through their
 * strides; a query row whose keys are all masked adds no gradient, as on the CPU.
 */
final class CudaAttentionBackward {
    private static final int WARPS = 4;
    private static final int COLUMNS_PER_LAUNCH_ROW = 256;

    private CudaAttentionBackward() {}

    static void register(Map<Op, Kernel> k, CudaBackend b) {
        k.put(Op.SDPA_BACKWARD, (a, in) -> sdpaBackward(b, a, in[0], in[1], in[2], in[3], in.length > 4 ? in[4] : null));
    }

    private static Tensor sdpaBackward(CudaBackend b, Attrs a, Tensor q, Tensor k, Tensor v, Tensor g, Tensor mask) {
        AttentionShape sh;
        try {
            sh = AttentionShape.of(q, k, v, mask);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("sdpa_backward: " + e.getMessage(), e);
        }
        int[] batch = sh.batch();
        int tq = sh.tq(), tk = sh.tk(), e = sh.e(), ev = sh.ev();
        DType dt = q.dtype(), ct = dt.computeType();
        int[] outShape = sh.outShape();
        checkLikeOutput("gradOut", g, dt, outShape);
        long total = AttentionGrads.packedLength(batch, tq, tk, e, ev);
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("sdpa_backward: the gradients of query " + Views.desc(q) + ", key " + Views.desc(k)
                    + " and value " + Views.desc(v) + " have " + total + " elements, more than one tensor holds");
        }
        long batches = Shapes.numel(batch);
        if (tq == 0 || tk == 0 || total == 0) return b.zeros(dt, (int) total);
        double scale = a.d("scale");
        if (Double.isNaN(scale)) scale = 1 / Math.sqrt(e);
        int[] scores = sh.scoreShape();
        long[] qs = Views.broadcastStrides(q, sh.withBatch(tq, e)), ks = Views.broadcastStrides(k, sh.withBatch(tk, e));
        long[] vs = Views.broadcastStrides(v, sh.withBatch(tk, ev));
        long[] gs = Views.broadcastStrides(g, outShape);
        long[] ms = mask == null ? new long[batch.length + 2] : Views.broadcastStrides(mask, scores);
        int nb = batch.length;
        Views.Merged m = Views.merge(batch, new long[][] {Arrays.copyOf(qs, nb), Arrays.copyOf(ks, nb), Arrays.copyOf(vs, nb),
            Arrays.copyOf(gs, nb), Arrays.copyOf(ms, nb)});
        byte[] qv = Views.withMatrix(m.sizes(), m.strides()[0], tq, e, qs[nb], qs[nb + 1], q.offset(), dt);
        byte[] kv = Views.withMatrix(m.sizes(), m.strides()[1], tk, e, ks[nb], ks[nb + 1], k.offset(), dt);
        byte[] vv = Views.withMatrix(m.sizes(), m.strides()[2], tk, ev, vs[nb], vs[nb + 1], v.offset(), dt);
        byte[] gv = Views.withMatrix(m.sizes(), m.strides()[3], tq, ev, gs[nb], gs[nb + 1], g.offset(), dt);
        byte[] mv = mask == null ? ViewDesc.none()
                : Views.withMatrix(m.sizes(), m.strides()[4], tq, tk, ms[nb], ms[nb + 1], mask.offset(), mask.dtype());
        int maskKind = mask == null ? 0 : mask.dtype() == DType.BOOL ? 1 : 2, causal = a.b("causal") ? 1 : 0;
        String suffix = CudaReductions.floatSuffix(dt);
        int zBlocks = (int) Math.min(batches, 65535);
        Tensor stats = b.empty(ct, (int) (2 * batches * tq)); // lse, then D, per query row
        Tensor packed = b.empty(dt, (int) total);
        Launch.of(b, "attention", "ddrl_sdpa_bwd_rows_" + suffix).grid(new Dim3(blocks(tq), 1, zBlocks)).block(Dim3.of(32 * WARPS))
                .i64(batches).i32(tq).i32(tk).i32(e).i32(ev).view(qv).ptr(q).view(kv).ptr(k).view(vv).ptr(v).view(gv).ptr(g)
                .view(mv).ptr(mask).i32(maskKind).i32(causal).f64(scale).ptr(stats).run();
        int kvColumns = Math.max(e, ev);
        if (kvColumns > 0) {
            Launch.of(b, "attention", "ddrl_sdpa_bwd_kv_" + suffix).grid(new Dim3(blocks(tk), launchRows(kvColumns), zBlocks))
                    .block(Dim3.of(32 * WARPS)).i64(batches).i32(tq).i32(tk).i32(e).i32(ev).view(qv).ptr(q).view(kv).ptr(k)
                    .view(vv).ptr(v).view(gv).ptr(g).view(mv).ptr(mask).i32(maskKind).i32(causal).f64(scale).ptr(stats)
                    .ptr(packed).i32(ViewDesc.code(dt)).run();
        }
        if (e > 0) {
            Launch.of(b, "attention", "ddrl_sdpa_bwd_q_" + suffix).grid(new Dim3(blocks(tq), launchRows(e), zBlocks))
                    .block(Dim3.of(32 * WARPS)).i64(batches).i32(tq).i32(tk).i32(e).i32(ev).view(qv).ptr(q).view(kv).ptr(k)
                    .view(vv).ptr(v).view(gv).ptr(g).view(mv).ptr(mask).i32(maskKind).i32(causal).f64(scale).ptr(stats)
                    .ptr(packed).i32(ViewDesc.code(dt)).run();
        }
        return packed;
    }

    /** Blocks of WARPS warps, one warp per row. */
    private static int blocks(int rows) {
        return (rows + WARPS - 1) / WARPS;
    }

    /** Grid rows needed for the output columns: each covers 256 (8 per lane). */
    private static int launchRows(int columns) {
        return (columns + COLUMNS_PER_LAUNCH_ROW - 1) / COLUMNS_PER_LAUNCH_ROW;
    }

    private static void checkLikeOutput(String name, Tensor t, DType dt, int[] outShape) {
        if (t.dtype() != dt || !Arrays.equals(t.shape(), outShape)) {
            throw new IllegalArgumentException("sdpa_backward: " + name + " must have the forward output's dtype and shape "
                    + dt.name().toLowerCase(Locale.ROOT) + Shapes.str(outShape) + ", got " + Views.desc(t));
        }
    }
}
