package org.ddrl.tensor.reference;

import java.util.Arrays;
import java.util.Map;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Op;

/**
 * Reference scaled dot-product attention, the textbook way: for each query row, scores
 * s_j = scale * q . k_j (+ mask, or -inf where a BOOL mask is false or causal hides key j > i), weights
 * softmax(s), output sum_j w_j v_j. A row with every key masked is NaN, as torch.softmax of an all -inf
 * row; no keys at all (Tk = 0) give 0, an empty sum.
 */
final class RefAttention {
    private RefAttention() {}

    static void register(Map<Op, Reference.RefKernel> k) {
        k.put(Op.SDPA, RefAttention::sdpa);
        k.put(Op.SDPA_BACKWARD, RefAttentionBackward::sdpaBackward);
    }

    private static RefTensor sdpa(Attrs a, RefTensor... in) {
        RefTensor q = in[0], k = in[1], v = in[2], mask = in.length > 3 ? in[3] : null;
        int[] qs = q.shape(), ks = k.shape(), vs = v.shape();
        int tq = qs[qs.length - 2], e = qs[qs.length - 1], tk = ks[ks.length - 2], ev = vs[vs.length - 1];
        int[] batch = batchShape(q, k, v);
        int nb = batch.length;
        boolean causal = a.b("causal");
        double scale = Double.isNaN(a.d("scale")) ? 1 / Math.sqrt(e) : a.d("scale");
        int[] outShape = Arrays.copyOf(batch, nb + 2);
        outShape[nb] = tq;
        outShape[nb + 1] = ev;
        RefTensor out = RefTensor.zeros(q.dtype(), outShape);
        int[] idx = new int[nb + 2];
        double[] w = new double[tk];
        for (int f = 0; f < out.numel(); f += tq * ev) {
            int[] b = out.index(f);
            for (int i = 0; i < tq; i++) {
                double max = scores(q, k, mask, causal, scale, b, idx, i, w);
                double sum = 0;
                for (int j = 0; j < tk; j++) {
                    w[j] = Math.exp(w[j] - max);
                    sum += w[j];
                }
                for (int c = 0; c < ev; c++) {
                    double acc = 0;
                    for (int j = 0; j < tk; j++) acc += w[j] / sum * at(v, b, idx, j, c);
                    out.data()[f + i * ev + c] = acc;
                }
            }
        }
        return out.roundTo(q.dtype());
    }

    /** The broadcast batch dims of q, k and v (all but their last two). */
    static int[] batchShape(RefTensor q, RefTensor k, RefTensor v) {
        int nb = Math.max(q.rank(), Math.max(k.rank(), v.rank())) - 2;
        int[] batch = new int[nb];
        Arrays.fill(batch, 1);
        for (RefTensor t : new RefTensor[] {q, k, v}) {
            int lead = nb - (t.rank() - 2);
            for (int d = lead; d < nb; d++) if (t.shape()[d - lead] != 1) batch[d] = t.shape()[d - lead];
        }
        return batch;
    }

    /**
     * The scores of query row i against every key of batch entry b into s (length Tk): scale * q_i . k_j, plus an
     * additive mask, or -inf where a BOOL mask is false or causal hides key j > i. Returns their maximum.
     */
    static double scores(RefTensor q, RefTensor k, RefTensor mask, boolean causal, double scale, int[] b, int[] idx, int i, double[] s) {
        int e = q.shape()[q.rank() - 1];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < s.length; j++) {
            double x = 0;
            for (int c = 0; c < e; c++) x += at(q, b, idx, i, c) * at(k, b, idx, j, c);
            x *= scale;
            if (mask != null) {
                double m = at(mask, b, idx, i, j);
                if (mask.dtype() == DType.BOOL) x = m != 0 ? x : Double.NEGATIVE_INFINITY;
                else x += m;
            }
            if (causal && j > i) x = Double.NEGATIVE_INFINITY;
            s[j] = x;
            max = Math.max(max, x);
        }
        return max;
    }

    /** t[batch index of b..., row, col], broadcast (b is a full output index; its last two entries are ignored). */
    static double at(RefTensor t, int[] b, int[] idx, int row, int col) {
        System.arraycopy(b, 0, idx, 0, idx.length - 2);
        idx[idx.length - 2] = row;
        idx[idx.length - 1] = col;
        return t.getBroadcast(idx);
    }
}
