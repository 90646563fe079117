// Scaled dot-product attention, flash style: each warp owns one query row and walks the keys in tiles of
// 32 (one key per lane) with an online softmax (running max and sum, the accumulator rescaled when the
// max grows), so no [Tq, Tk] matrix is ever stored. Each lane accumulates up to 8 output columns, so one
// launch row of blocks (grid y) covers 256 value columns; wider values use several.
//
// Scores: s_j = scale * q . k_j, then a BOOL mask sets masked keys to -inf and a floating mask is added;
// causal masking hides keys j > i. A row whose keys are all masked gives NaN (0 / 0), as the softmax of an
// all -inf row does; Tk = 0 never reaches the kernel (the host returns zeros).
//
// q [batch..., Tq, E], k [batch..., Tk, E], v [batch..., Tk, Ev] and the mask [batch..., Tq, Tk] are views
// with the same (broadcast) batch dims, read in place in any floating dtype; out is dense [batches, Tq, Ev].
#include "ddrl_dtype.cuh"
#include "ddrl_view.cuh"
#include "ddrl_reduce.cuh"

#define SDPA_WARPS 4
#define SDPA_COLS 8
#define MASK_NONE 0
#define MASK_BOOL 1
#define MASK_ADD 2

__device__ __forceinline__ float a_exp(float x) { return expf(x); }
__device__ __forceinline__ double a_exp(double x) { return exp(x); }

template <class T>
__device__ void sdpa(long long batches, int tq, int tk, int e, int ev, const ddrl_view& q, const void* qp, const ddrl_view& k,
                     const void* kp, const ddrl_view& v, const void* vp, const ddrl_view& m, const void* mp, int mask_kind, int causal,
                     T scale, void* out, int odt) {
    const int lane = threadIdx.x & 31;
    const int i = blockIdx.x * SDPA_WARPS + (threadIdx.x >> 5);
    const int col0 = blockIdx.y * 32 * SDPA_COLS + lane;
    if (i >= tq) return; // the whole warp leaves together; the kernel has no block barriers
    const long long qcs = q.stride[q.rank - 1], krs = k.stride[k.rank - 2], kcs = k.stride[k.rank - 1];
    const long long vrs = v.stride[v.rank - 2], vcs = v.stride[v.rank - 1];
    const int kend = causal && i + 1 < tk ? i + 1 : tk;
    for (long long z = blockIdx.z; z < batches; z += gridDim.z) {
        long long qb = ddrl_matrix_offset(q, z, i, 0), kb = ddrl_matrix_offset(k, z, 0, 0), vb = ddrl_matrix_offset(v, z, 0, 0);
        long long mb = mask_kind != MASK_NONE ? ddrl_matrix_offset(m, z, i, 0) : 0;
        long long mcs = mask_kind != MASK_NONE ? m.stride[m.rank - 1] : 0;
        T run_max = ddrl_neg_inf((T)0), sum = 0, acc[SDPA_COLS];
        for (int c = 0; c < SDPA_COLS; c++) acc[c] = 0;
        for (int t0 = 0; t0 < kend; t0 += 32) {
            int j = t0 + lane;
            T s = ddrl_neg_inf((T)0);
            if (j < kend) {
                T dot = 0;
                for (int c = 0; c < e; c++) {
                    dot += ddrl_io<T>::load(qp, q.dtype, qb + c * qcs) * ddrl_io<T>::load(kp, k.dtype, kb + j * krs + c * kcs);
                }
                s = dot * scale;
                if (mask_kind == MASK_BOOL) {
                    if (!ddrl_load_bool(mp, m.dtype, mb + j * mcs)) s = ddrl_neg_inf((T)0);
                } else if (mask_kind == MASK_ADD) {
                    s += ddrl_io<T>::load(mp, m.dtype, mb + j * mcs);
                }
            }
            T new_max = ddrl_max_op<T>()(run_max, ddrl_warp_reduce(s, ddrl_max_op<T>()));
            if (new_max == ddrl_neg_inf((T)0)) continue; // every key so far is masked: nothing to add yet
            T alpha = a_exp(run_max - new_max); // 0 on the first unmasked tile (run_max = -inf)
            T p = a_exp(s - new_max);
            sum = sum * alpha + ddrl_warp_reduce(p, ddrl_sum_op<T>());
            for (int c = 0; c < SDPA_COLS; c++) acc[c] *= alpha;
            int tile = kend - t0 < 32 ? kend - t0 : 32;
            for (int jj = 0; jj < tile; jj++) {
                T pj = __shfl_sync(DDRL_FULL_MASK, p, jj);
                long long row = vb + (long long)(t0 + jj) * vrs;
                for (int c = 0; c < SDPA_COLS; c++) {
                    int col = col0 + 32 * c;
                    if (col < ev) acc[c] += pj * ddrl_io<T>::load(vp, v.dtype, row + col * vcs);
                }
            }
            run_max = new_max;
        }
        long long ob = (z * tq + i) * (long long)ev;
        for (int c = 0; c < SDPA_COLS; c++) {
            int col = col0 + 32 * c;
            if (col < ev) ddrl_io<T>::store(out, odt, ob + col, acc[c] / sum);
        }
    }
}

extern "C" __global__ void __launch_bounds__(32 * SDPA_WARPS)
ddrl_sdpa_f32(long long batches, int tq, int tk, int e, int ev, const __grid_constant__ ddrl_view q, const void* qp,
              const __grid_constant__ ddrl_view k, const void* kp, const __grid_constant__ ddrl_view v, const void* vp,
              const __grid_constant__ ddrl_view m, const void* mp, int mask_kind, int causal, double scale, void* out, int odt) {
    sdpa<float>(batches, tq, tk, e, ev, q, qp, k, kp, v, vp, m, mp, mask_kind, causal, (float)scale, out, odt);
}

extern "C" __global__ void __launch_bounds__(32 * SDPA_WARPS)
ddrl_sdpa_f64(long long batches, int tq, int tk, int e, int ev, const __grid_constant__ ddrl_view q, const void* qp,
              const __grid_constant__ ddrl_view k, const void* kp, const __grid_constant__ ddrl_view v, const void* vp,
              const __grid_constant__ ddrl_view m, const void* mp, int mask_kind, int causal, double scale, void* out, int odt) {
    sdpa<double>(batches, tq, tk, e, ev, q, qp, k, kp, v, vp, m, mp, mask_kind, causal, scale, out, odt);
}

// ---- Backward (SDPA_BACKWARD), flash-attention-2 style: the weights are recomputed from q . k and the
// row log-sum-exp, never stored. Three launches, each output element written by one warp in a fixed
// order, so the result is deterministic (no atomics):
//   1. sdpa_bwd_rows: one warp per query row i: lse_i = log sum_j exp(s_ij) (online, as the forward),
//      then a second pass over the keys for D_i = sum_j p_ij (gradOut_i . v_j), into stats [2, batches, Tq].
//      D equals gradOut_i . out_i, but taken from the same weights as dS it cancels in sum_j ds_ij, exactly
//      when a row sees one key (p = 1), as on the CPU. A row whose keys are all masked gets lse = -inf,
//      which later makes its weights 0: it adds no gradient (its output is NaN).
//   2. sdpa_bwd_kv: one warp per key row j, walking the query rows that see it in tiles of 32 (one per
//      lane): p_ij = exp(s_ij - lse_i), ds_ij = p_ij (gradOut_i . v_j - D_i), then
//      dv_j = sum_i p_ij gradOut_i and dk_j = scale sum_i ds_ij q_i, lanes owning output columns.
//   3. sdpa_bwd_q: one warp per query row i, walking its keys: dq_i = scale sum_j ds_ij k_j.
// The packed result holds dq [batches, Tq, E], dk [batches, Tk, E] and dv [batches, Tk, Ev] back to back.

__device__ __forceinline__ float a_log(float x) { return logf(x); }
__device__ __forceinline__ double a_log(double x) { return log(x); }

/** Masked, scaled score of query row qb (element offset of its column 0) against key row kb; -inf where hidden. */
template <class T>
__device__ __forceinline__ T sdpa_score(int e, const ddrl_view& q, const void* qp, long long qb, long long qcs, const ddrl_view& k,
                                        const void* kp, long long kb, long long kcs, T scale, const ddrl_view& m, const void* mp,
                                        int mask_kind, long long mo) {
    T dot = 0;
    for (int c = 0; c < e; c++) dot += ddrl_io<T>::load(qp, q.dtype, qb + c * qcs) * ddrl_io<T>::load(kp, k.dtype, kb + c * kcs);
    T s = dot * scale;
    if (mask_kind == MASK_BOOL) {
        if (!ddrl_load_bool(mp, m.dtype, mo)) s = ddrl_neg_inf((T)0);
    } else if (mask_kind == MASK_ADD) {
        s += ddrl_io<T>::load(mp, m.dtype, mo);
    }
    return s;
}

/** a_i . b_j over n columns (one lane's own dot product). */
template <class T>
__device__ __forceinline__ T sdpa_row_dot(int n, const ddrl_view& a, const void* ap, long long ab, long long acs, const ddrl_view& b,
                                          const void* bp, long long bb, long long bcs) {
    T dot = 0;
    for (int c = 0; c < n; c++) dot += ddrl_io<T>::load(ap, a.dtype, ab + c * acs) * ddrl_io<T>::load(bp, b.dtype, bb + c * bcs);
    return dot;
}

template <class T>
__device__ void sdpa_bwd_rows(long long batches, int tq, int tk, int e, int ev, const ddrl_view& q, const void* qp, const ddrl_view& k,
                              const void* kp, const ddrl_view& v, const void* vp, const ddrl_view& g, const void* gp, const ddrl_view& m,
                              const void* mp, int mask_kind, int causal, T scale, T* stats) {
    const int lane = threadIdx.x & 31;
    const int i = blockIdx.x * SDPA_WARPS + (threadIdx.x >> 5);
    if (i >= tq) return;
    const long long qcs = q.stride[q.rank - 1], krs = k.stride[k.rank - 2], kcs = k.stride[k.rank - 1];
    const long long vrs = v.stride[v.rank - 2], vcs = v.stride[v.rank - 1], gcs = g.stride[g.rank - 1];
    const int kend = causal && i + 1 < tk ? i + 1 : tk;
    for (long long z = blockIdx.z; z < batches; z += gridDim.z) {
        long long qb = ddrl_matrix_offset(q, z, i, 0), kb = ddrl_matrix_offset(k, z, 0, 0);
        long long mb = mask_kind != MASK_NONE ? ddrl_matrix_offset(m, z, i, 0) : 0;
        long long mcs = mask_kind != MASK_NONE ? m.stride[m.rank - 1] : 0;
        T run_max = ddrl_neg_inf((T)0), sum = 0;
        for (int t0 = 0; t0 < kend; t0 += 32) {
            int j = t0 + lane;
            T s = j < kend ? sdpa_score<T>(e, q, qp, qb, qcs, k, kp, kb + j * krs, kcs, scale, m, mp, mask_kind, mb + j * mcs)
                           : ddrl_neg_inf((T)0);
            T new_max = ddrl_max_op<T>()(run_max, ddrl_warp_reduce(s, ddrl_max_op<T>()));
            if (new_max == ddrl_neg_inf((T)0)) continue;
            sum = sum * a_exp(run_max - new_max) + ddrl_warp_reduce(a_exp(s - new_max), ddrl_sum_op<T>());
            run_max = new_max;
        }
        T lse = run_max == ddrl_neg_inf((T)0) ? run_max : run_max + a_log(sum);
        T d = 0;
        if (lse != ddrl_neg_inf((T)0)) {
            long long vb = ddrl_matrix_offset(v, z, 0, 0), gb = ddrl_matrix_offset(g, z, i, 0);
            for (int t0 = 0; t0 < kend; t0 += 32) {
                int j = t0 + lane;
                if (j < kend) {
                    T s = sdpa_score<T>(e, q, qp, qb, qcs, k, kp, kb + j * krs, kcs, scale, m, mp, mask_kind, mb + j * mcs);
                    d += a_exp(s - lse) * sdpa_row_dot<T>(ev, g, gp, gb, gcs, v, vp, vb + j * vrs, vcs);
                }
            }
            d = ddrl_warp_reduce(d, ddrl_sum_op<T>());
        }
        if (lane == 0) {
            stats[z * tq + i] = lse;
            stats[(batches + z) * tq + i] = d;
        }
    }
}

template <class T>
__device__ void sdpa_bwd_kv(long long batches, int tq, int tk, int e, int ev, const ddrl_view& q, const void* qp, const ddrl_view& k,
                            const void* kp, const ddrl_view& v, const void* vp, const ddrl_view& g, const void* gp, const ddrl_view& m,
                            const void* mp, int mask_kind, int causal, T scale, const T* stats, void* out, int odt) {
    const int lane = threadIdx.x & 31;
    const int j = blockIdx.x * SDPA_WARPS + (threadIdx.x >> 5);
    const int col0 = blockIdx.y * 32 * SDPA_COLS + lane;
    if (j >= tk) return;
    const long long qrs = q.stride[q.rank - 2], qcs = q.stride[q.rank - 1], kcs = k.stride[k.rank - 1];
    const long long vcs = v.stride[v.rank - 1], grs = g.stride[g.rank - 2], gcs = g.stride[g.rank - 1];
    const int istart = causal ? j : 0; // causal: query i sees key j only when j <= i
    for (long long z = blockIdx.z; z < batches; z += gridDim.z) {
        long long qb = ddrl_matrix_offset(q, z, 0, 0), kb = ddrl_matrix_offset(k, z, j, 0), vb = ddrl_matrix_offset(v, z, j, 0);
        long long gb = ddrl_matrix_offset(g, z, 0, 0);
        long long mb = mask_kind != MASK_NONE ? ddrl_matrix_offset(m, z, 0, j) : 0;
        long long mrs = mask_kind != MASK_NONE ? m.stride[m.rank - 2] : 0;
        const T* lse = stats + z * tq;
        const T* dsum = stats + (batches + z) * tq;
        T dk[SDPA_COLS], dv[SDPA_COLS];
        for (int c = 0; c < SDPA_COLS; c++) dk[c] = dv[c] = 0;
        for (int t0 = istart; t0 < tq; t0 += 32) {
            int i = t0 + lane;
            T p = 0, ds = 0;
            if (i < tq && lse[i] != ddrl_neg_inf((T)0)) {
                T s = sdpa_score<T>(e, q, qp, qb + i * qrs, qcs, k, kp, kb, kcs, scale, m, mp, mask_kind, mb + i * mrs);
                p = a_exp(s - lse[i]);
                T dp = sdpa_row_dot<T>(ev, g, gp, gb + i * grs, gcs, v, vp, vb, vcs);
                ds = p * (dp - dsum[i]);
            }
            int tile = tq - t0 < 32 ? tq - t0 : 32;
            for (int ii = 0; ii < tile; ii++) {
                T pi = __shfl_sync(DDRL_FULL_MASK, p, ii), dsi = __shfl_sync(DDRL_FULL_MASK, ds, ii);
                long long qrow = qb + (long long)(t0 + ii) * qrs, grow = gb + (long long)(t0 + ii) * grs;
                for (int c = 0; c < SDPA_COLS; c++) {
                    int col = col0 + 32 * c;
                    if (col < ev) dv[c] += pi * ddrl_io<T>::load(gp, g.dtype, grow + col * gcs);
                    if (col < e) dk[c] += dsi * ddrl_io<T>::load(qp, q.dtype, qrow + col * qcs);
                }
            }
        }
        long long nq = batches * tq * (long long)e, nk = batches * tk * (long long)e;
        long long kob = nq + (z * tk + j) * (long long)e, vob = nq + nk + (z * tk + j) * (long long)ev;
        for (int c = 0; c < SDPA_COLS; c++) {
            int col = col0 + 32 * c;
            if (col < e) ddrl_io<T>::store(out, odt, kob + col, dk[c] * scale);
            if (col < ev) ddrl_io<T>::store(out, odt, vob + col, dv[c]);
        }
    }
}

template <class T>
__device__ void sdpa_bwd_q(long long batches, int tq, int tk, int e, int ev, const ddrl_view& q, const void* qp, const ddrl_view& k,
                           const void* kp, const ddrl_view& v, const void* vp, const ddrl_view& g, const void* gp, const ddrl_view& m,
                           const void* mp, int mask_kind, int causal, T scale, const T* stats, void* out, int odt) {
    const int lane = threadIdx.x & 31;
    const int i = blockIdx.x * SDPA_WARPS + (threadIdx.x >> 5);
    const int col0 = blockIdx.y * 32 * SDPA_COLS + lane;
    if (i >= tq) return;
    const long long qcs = q.stride[q.rank - 1], krs = k.stride[k.rank - 2], kcs = k.stride[k.rank - 1];
    const long long vrs = v.stride[v.rank - 2], vcs = v.stride[v.rank - 1], gcs = g.stride[g.rank - 1];
    const int kend = causal && i + 1 < tk ? i + 1 : tk;
    for (long long z = blockIdx.z; z < batches; z += gridDim.z) {
        long long qb = ddrl_matrix_offset(q, z, i, 0), kb = ddrl_matrix_offset(k, z, 0, 0), vb = ddrl_matrix_offset(v, z, 0, 0);
        long long gb = ddrl_matrix_offset(g, z, i, 0);
        long long mb = mask_kind != MASK_NONE ? ddrl_matrix_offset(m, z, i, 0) : 0;
        long long mcs = mask_kind != MASK_NONE ? m.stride[m.rank - 1] : 0;
        T lse = stats[z * tq + i], dsum = stats[(batches + z) * tq + i];
        T acc[SDPA_COLS];
        for (int c = 0; c < SDPA_COLS; c++) acc[c] = 0;
        if (lse != ddrl_neg_inf((T)0)) { // a row with every key masked keeps dq = 0
            for (int t0 = 0; t0 < kend; t0 += 32) {
                int j = t0 + lane;
                T ds = 0;
                if (j < kend) {
                    T s = sdpa_score<T>(e, q, qp, qb, qcs, k, kp, kb + j * krs, kcs, scale, m, mp, mask_kind, mb + j * mcs);
                    T dp = sdpa_row_dot<T>(ev, g, gp, gb, gcs, v, vp, vb + j * vrs, vcs);
                    ds = a_exp(s - lse) * (dp - dsum);
                }
                int tile = kend - t0 < 32 ? kend - t0 : 32;
                for (int jj = 0; jj < tile; jj++) {
                    T dsj = __shfl_sync(DDRL_FULL_MASK, ds, jj);
                    long long row = kb + (long long)(t0 + jj) * krs;
                    for (int c = 0; c < SDPA_COLS; c++) {
                        int col = col0 + 32 * c;
                        if (col < e) acc[c] += dsj * ddrl_io<T>::load(kp, k.dtype, row + col * kcs);
                    }
                }
            }
        }
        long long ob = (z * tq + i) * (long long)e;
        for (int c = 0; c < SDPA_COLS; c++) {
            int col = col0 + 32 * c;
            if (col < e) ddrl_io<T>::store(out, odt, ob + col, acc[c] * scale);
        }
    }
}

// Entry points written out (no macro, no __launch_bounds__) so that the emulator's build, which finds
// kernels by a regular expression when nvcc is missing, sees every one.

extern "C" __global__ void ddrl_sdpa_bwd_rows_f32(long long batches, int tq, int tk, int e, int ev, const __grid_constant__ ddrl_view q,
        const void* qp, const __grid_constant__ ddrl_view k, const void* kp, const __grid_constant__ ddrl_view v, const void* vp,
        const __grid_constant__ ddrl_view g, const void* gp, const __grid_constant__ ddrl_view m, const void* mp, int mask_kind,
        int causal, double scale, void* stats) {
    sdpa_bwd_rows<float>(batches, tq, tk, e, ev, q, qp, k, kp, v, vp, g, gp, m, mp, mask_kind, causal, (float)scale, (float*)stats);
}

extern "C" __global__ void ddrl_sdpa_bwd_kv_f32(long long batches, int tq, int tk, int e, int ev, const __grid_constant__ ddrl_view q,
        const void* qp, const __grid_constant__ ddrl_view k, const void* kp, const __grid_constant__ ddrl_view v, const void* vp,
        const __grid_constant__ ddrl_view g, const void* gp, const __grid_constant__ ddrl_view m, const void* mp, int mask_kind,
        int causal, double scale, const void* stats, void* out, int odt) {
    sdpa_bwd_kv<float>(batches, tq, tk, e, ev, q, qp, k, kp, v, vp, g, gp, m, mp, mask_kind, causal, (float)scale, (const float*)stats, out, odt);
}

extern "C" __global__ void ddrl_sdpa_bwd_q_f32(long long batches, int tq, int tk, int e, int ev, const __grid_constant__ ddrl_view q,
        const void* qp, const __grid_constant__ ddrl_view k, const void* kp, const __grid_constant__ ddrl_view v, const void* vp,
        const __grid_constant__ ddrl_view g, const void* gp, const __grid_constant__ ddrl_view m, const void* mp, int mask_kind,
        int causal, double scale, const void* stats, void* out, int odt) {
    sdpa_bwd_q<float>(batches, tq, tk, e, ev, q, qp, k, kp, v, vp, g, gp, m, mp, mask_kind, causal, (float)scale, (const float*)stats, out, odt);
}

extern "C" __global__ void ddrl_sdpa_bwd_rows_f64(long long batches, int tq, int tk, int e, int ev, const __grid_constant__ ddrl_view q,
        const void* qp, const __grid_constant__ ddrl_view k, const void* kp, const __grid_constant__ ddrl_view v, const void* vp,
        const __grid_constant__ ddrl_view g, const void* gp, const __grid_constant__ ddrl_view m, const void* mp, int mask_kind,
        int causal, double scale, void* stats) {
    sdpa_bwd_rows<double>(batches, tq, tk, e, ev, q, qp, k, kp, v, vp, g, gp, m, mp, mask_kind, causal, (double)scale, (double*)stats);
}

extern "C" __global__ void ddrl_sdpa_bwd_kv_f64(long long batches, int tq, int tk, int e, int ev, const __grid_constant__ ddrl_view q,
        const void* qp, const __grid_constant__ ddrl_view k, const void* kp, const __grid_constant__ ddrl_view v, const void* vp,
        const __grid_constant__ ddrl_view g, const void* gp, const __grid_constant__ ddrl_view m, const void* mp, int mask_kind,
        int causal, double scale, const void* stats, void* out, int odt) {
    sdpa_bwd_kv<double>(batches, tq, tk, e, ev, q, qp, k, kp, v, vp, g, gp, m, mp, mask_kind, causal, (double)scale, (const double*)stats, out, odt);
}

extern "C" __global__ void ddrl_sdpa_bwd_q_f64(long long batches, int tq, int tk, int e, int ev, const __grid_constant__ ddrl_view q,
        const void* qp, const __grid_constant__ ddrl_view k, const void* kp, const __grid_constant__ ddrl_view v, const void* vp,
        const __grid_constant__ ddrl_view g, const void* gp, const __grid_constant__ ddrl_view m, const void* mp, int mask_kind,
        int causal, double scale, const void* stats, void* out, int odt) {
    sdpa_bwd_q<double>(batches, tq, tk, e, ev, q, qp, k, kp, v, vp, g, gp, m, mp, mask_kind, causal, (double)scale, (const double*)stats, out, odt);
}
