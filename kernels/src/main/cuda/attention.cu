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
