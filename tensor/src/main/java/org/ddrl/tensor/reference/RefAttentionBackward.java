package org.ddrl.tensor.reference;

import org.ddrl.tensor.Attrs;

/**
 * Reference gradients of scaled dot-product attention (SDPA_BACKWARD), the textbook way, one query row at
 * a time: weights p_j = softmax(s)_j as the forward computes them, dp_j = gradOut_i . v_j,
 * D = sum_j p_j dp_j (= gradOut_i . out_i), ds_j = p_j (dp_j - D); then dq_i = scale sum_j ds_j k_j, dk_j += scale ds_j q_i and
 * dv_j += p_j gradOut_i. A row whose keys are all masked has no weights and adds nothing. The result
 * packs dq, dk and dv back to back (see the op's documentation).
 */
final class RefAttentionBackward {
    private RefAttentionBackward() {}

    static RefTensor sdpaBackward(Attrs a, RefTensor... in) {
        RefTensor q = in[0], k = in[1], v = in[2], g = in[3], mask = in.length > 4 ? in[4] : null;
        int[] qs = q.shape(), ks = k.shape(), vs = v.shape();
        int tq = qs[qs.length - 2], e = qs[qs.length - 1], tk = ks[ks.length - 2], ev = vs[vs.length - 1];
        int[] batch = RefAttention.batchShape(q, k, v);
        int nb = batch.length;
        int batches = 1;
        for (int b : batch) batches *= b;
        boolean causal = a.b("causal");
        double scale = Double.isNaN(a.d("scale")) ? 1 / Math.sqrt(e) : a.d("scale");
        long nq = (long) batches * tq * e, nk = (long) batches * tk * e, nv = (long) batches * tk * ev;
        double[] res = new double[Math.toIntExact(nq + nk + nv)];
        int[] idx = new int[nb + 2];
        int[] bi = new int[nb + 2];
        double[] p = new double[tk], dp = new double[tk], ds = new double[tk];
        for (int z = 0; z < batches; z++) {
            int rest = z;
            for (int d = nb - 1; d >= 0; d--) {
                bi[d] = rest % batch[d];
                rest /= batch[d];
            }
            long dqOff = (long) z * tq * e, dkOff = nq + (long) z * tk * e, dvOff = nq + nk + (long) z * tk * ev;
            for (int i = 0; i < tq; i++) {
                double max = RefAttention.scores(q, k, mask, causal, scale, bi, idx, i, p);
                if (max == Double.NEGATIVE_INFINITY) continue; // every key masked: no weights, no gradient
                double sum = 0;
                for (int j = 0; j < tk; j++) {
                    p[j] = Math.exp(p[j] - max);
                    sum += p[j];
                }
                double dot = 0;
                for (int j = 0; j < tk; j++) {
                    p[j] /= sum;
                    dp[j] = 0;
                    for (int c = 0; c < ev; c++) dp[j] += RefAttention.at(g, bi, idx, i, c) * RefAttention.at(v, bi, idx, j, c);
                    dot += p[j] * dp[j];
                }
                for (int j = 0; j < tk; j++) ds[j] = p[j] * (dp[j] - dot);
                for (int c = 0; c < e; c++) {
                    double acc = 0;
                    for (int j = 0; j < tk; j++) acc += ds[j] * RefAttention.at(k, bi, idx, j, c);
                    res[(int) (dqOff + (long) i * e + c)] = scale * acc;
                }
                for (int j = 0; j < tk; j++) {
                    for (int c = 0; c < e; c++) res[(int) (dkOff + (long) j * e + c)] += scale * ds[j] * RefAttention.at(q, bi, idx, i, c);
                    for (int c = 0; c < ev; c++) res[(int) (dvOff + (long) j * ev + c)] += p[j] * RefAttention.at(g, bi, idx, i, c);
                }
            }
        }
        return new RefTensor(res, new int[] {res.length}, q.dtype()).roundTo(q.dtype());
    }

}
