// layer_norm, rms_norm and group_norm: one block per normalized row, in two passes (mean, then the biased
// variance about it; rms_norm takes the mean as 0, so the second pass is the mean square), then one
// pass that writes (x - mean) / sqrt(var + eps) * weight + bias.
//
// Rows are consecutive runs of len elements in the row-major order of x (a view of any strides), which
// holds for all three: layer and rms norm normalize the trailing dims, group norm the C / groups channels
// (with every trailing dim) of one group of one sample. Element j of a row takes the affine parameters at
// j (layer and rms norm: weight and bias have the normalized shape) or at its channel
// (row % groups) * (len / spatial) + j / spatial (group norm, groups > 0). A null weight is one, a null
// bias zero.
#include "ddrl_dtype.cuh"
#include "ddrl_view.cuh"
#include "ddrl_reduce.cuh"

__device__ __forceinline__ float n_rsqrt(float x) { return 1.0f / sqrtf(x); }
__device__ __forceinline__ double n_rsqrt(double x) { return 1.0 / sqrt(x); }

// The statistics of one row of len elements starting at element base of x, in the order every norm kernel here
// takes them (a block-wide sum for the mean, then one for the squared deviations): mean (0 for an RMS norm) and
// 1 / sqrt(var + eps). Every thread of the block must call it.
template <class T, class I>
__device__ __forceinline__ void row_stats(const ddrl_view& x, const void* xp, I base, I len, int rms, double eps, T& mean, T& rstd) {
    ddrl_sum_op<T> add;
    mean = 0;
    if (!rms) {
        T s = 0;
        for (I j = threadIdx.x; j < len; j += blockDim.x) s += ddrl_io<T>::load(xp, x.dtype, ddrl_offset(x, base + j));
        mean = ddrl_block_reduce(s, add, (T)0) / (T)len;
    }
    T ss = 0;
    for (I j = threadIdx.x; j < len; j += blockDim.x) {
        T d = ddrl_io<T>::load(xp, x.dtype, ddrl_offset(x, base + j)) - mean;
        ss += d * d;
    }
    rstd = n_rsqrt(ddrl_block_reduce(ss, add, (T)0) / (T)len + (T)eps);
}

template <class T, class I>
__device__ void norm_rows(long long rows, I len, const ddrl_view& x, const void* xp, const ddrl_view& y, void* yp,
                          const ddrl_view& w, const void* wp, const ddrl_view& b, const void* bp, int rms, int groups,
                          long long spatial, double eps) {
    for (long long r = blockIdx.x; r < rows; r += gridDim.x) {
        I base = (I)r * len;
        T mean, scale;
        row_stats<T, I>(x, xp, base, len, rms, eps, mean, scale);
        long long per = groups > 0 ? (long long)len / spatial : 0, first = groups > 0 ? (r % groups) * per : 0;
        for (I j = threadIdx.x; j < len; j += blockDim.x) {
            long long oy, ox;
            ddrl_offset2(y, x, base + j, oy, ox);
            T v = (ddrl_io<T>::load(xp, x.dtype, ox) - mean) * scale;
            long long a = groups > 0 ? first + (long long)j / spatial : (long long)j;
            if (wp) v *= ddrl_io<T>::load(wp, w.dtype, ddrl_offset(w, a));
            if (bp) v += ddrl_io<T>::load(bp, b.dtype, ddrl_offset(b, a));
            ddrl_io<T>::store(yp, y.dtype, oy, v);
        }
    }
}

template <class T>
__device__ __forceinline__ void norm_dispatch(long long rows, long long len, const ddrl_view& x, const void* xp, const ddrl_view& y,
                                              void* yp, const ddrl_view& w, const void* wp, const ddrl_view& b, const void* bp,
                                              int rms, int groups, long long spatial, double eps) {
    if (rows * len <= 0x7fffffffLL) {
        norm_rows<T, unsigned>(rows, (unsigned)len, x, xp, y, yp, w, wp, b, bp, rms, groups, spatial, eps);
    } else {
        norm_rows<T, unsigned long long>(rows, (unsigned long long)len, x, xp, y, yp, w, wp, b, bp, rms, groups, spatial, eps);
    }
}

extern "C" __global__ void ddrl_norm_f32(long long rows, long long len, const __grid_constant__ ddrl_view x, const void* xp,
                                         const __grid_constant__ ddrl_view y, void* yp, const __grid_constant__ ddrl_view w,
                                         const void* wp, const __grid_constant__ ddrl_view b, const void* bp, int rms, int groups,
                                         long long spatial, double eps) {
    norm_dispatch<float>(rows, len, x, xp, y, yp, w, wp, b, bp, rms, groups, spatial, eps);
}

extern "C" __global__ void ddrl_norm_f64(long long rows, long long len, const __grid_constant__ ddrl_view x, const void* xp,
                                         const __grid_constant__ ddrl_view y, void* yp, const __grid_constant__ ddrl_view w,
                                         const void* wp, const __grid_constant__ ddrl_view b, const void* bp, int rms, int groups,
                                         long long spatial, double eps) {
    norm_dispatch<double>(rows, len, x, xp, y, yp, w, wp, b, bp, rms, groups, spatial, eps);
}

// ---------------------------------------------------------------- gradients
//
// layer_norm_backward, rms_norm_backward, group_norm_backward. The row kernel recomputes each row's mean and
// rstd in the forward's two passes, takes the row sums sum(gh) and sum(gh (x - mean)) with gh = g * weight,
// and writes grad x = rstd (gh - mean(gh) - xhat mean(gh xhat)) as a gh + b (x - mean) + c. Group norm takes
// the sums per channel (weighted by the channel's weight for the row sums) and keeps them for its weight and
// bias gradients. Weight and bias gradients are then column sums over rows (layer and rms norm, from the
// saved per-row mean and rstd) or sums over samples (group norm, from the per-channel sums), each taken by
// one thread in row order: no atomics, so the result is the same bits on every run.

template <class T>
__device__ void norm_backward_rows(long long rows, long long len, const ddrl_view& g, const void* gp, const ddrl_view& x,
                                   const void* xp, const ddrl_view& w, const void* wp, const ddrl_view& gx, void* gxp, T* stats,
                                   T* cstats, int rms, int groups, long long spatial, double eps) {
    ddrl_sum_op<T> add;
    for (long long r = blockIdx.x; r < rows; r += gridDim.x) {
        long long base = r * len;
        T mean, rstd;
        row_stats<T, long long>(x, xp, base, len, rms, eps, mean, rstd);
        T sg = 0, sgx = 0;
        long long per = groups > 0 ? len / spatial : 0, first = groups > 0 ? (r % groups) * per : 0;
        if (groups > 0) {
            // per channel: its sums give both the row sums and that channel's share of the parameter gradients
            long long nc = (r / groups) * (per * groups) + first;
            for (long long c = 0; c < per; c++) {
                T cg = 0, cgx = 0;
                for (long long j = threadIdx.x; j < spatial; j += blockDim.x) {
                    long long og, ox;
                    ddrl_offset2(g, x, base + c * spatial + j, og, ox);
                    T gv = ddrl_io<T>::load(gp, g.dtype, og);
                    cg += gv;
                    cgx += gv * (ddrl_io<T>::load(xp, x.dtype, ox) - mean);
                }
                cg = ddrl_block_reduce(cg, add, (T)0);
                cgx = ddrl_block_reduce(cgx, add, (T)0);
                T wc = wp ? ddrl_io<T>::load(wp, w.dtype, ddrl_offset(w, first + c)) : (T)1;
                sg += wc * cg;
                sgx += wc * cgx;
                if (cstats && threadIdx.x == 0) {
                    cstats[2 * (nc + c)] = cgx * rstd;
                    cstats[2 * (nc + c) + 1] = cg;
                }
            }
        } else {
            for (long long j = threadIdx.x; j < len; j += blockDim.x) {
                long long og, ox;
                ddrl_offset2(g, x, base + j, og, ox);
                T h = ddrl_io<T>::load(gp, g.dtype, og);
                if (wp) h *= ddrl_io<T>::load(wp, w.dtype, ddrl_offset(w, j));
                sg += h;
                sgx += h * (ddrl_io<T>::load(xp, x.dtype, ox) - mean);
            }
            sg = ddrl_block_reduce(sg, add, (T)0);
            sgx = ddrl_block_reduce(sgx, add, (T)0);
        }
        if (stats && threadIdx.x == 0) {
            stats[2 * r] = mean;
            stats[2 * r + 1] = rstd;
        }
        if (!gxp) continue;
        T b = -rstd * rstd * rstd * sgx / (T)len, cc = rms ? (T)0 : -rstd * sg / (T)len;
        for (long long j = threadIdx.x; j < len; j += blockDim.x) {
            long long og, ox, oy;
            ddrl_offset3(g, x, gx, base + j, og, ox, oy);
            T h = ddrl_io<T>::load(gp, g.dtype, og);
            long long a = groups > 0 ? first + j / spatial : j;
            if (wp) h *= ddrl_io<T>::load(wp, w.dtype, ddrl_offset(w, a));
            T v = rstd * h + (b * (ddrl_io<T>::load(xp, x.dtype, ox) - mean) + cc);
            ddrl_io<T>::store(gxp, gx.dtype, oy, v);
        }
    }
}

extern "C" __global__ void ddrl_norm_backward_rows_f32(long long rows, long long len, const __grid_constant__ ddrl_view g,
                                                       const void* gp, const __grid_constant__ ddrl_view x, const void* xp,
                                                       const __grid_constant__ ddrl_view w, const void* wp,
                                                       const __grid_constant__ ddrl_view gx, void* gxp, float* stats, float* cstats,
                                                       int rms, int groups, long long spatial, double eps) {
    norm_backward_rows<float>(rows, len, g, gp, x, xp, w, wp, gx, gxp, stats, cstats, rms, groups, spatial, eps);
}

extern "C" __global__ void ddrl_norm_backward_rows_f64(long long rows, long long len, const __grid_constant__ ddrl_view g,
                                                       const void* gp, const __grid_constant__ ddrl_view x, const void* xp,
                                                       const __grid_constant__ ddrl_view w, const void* wp,
                                                       const __grid_constant__ ddrl_view gx, void* gxp, double* stats,
                                                       double* cstats, int rms, int groups, long long spatial, double eps) {
    norm_backward_rows<double>(rows, len, g, gp, x, xp, w, wp, gx, gxp, stats, cstats, rms, groups, spatial, eps);
}

/**
 * Layer and rms norm: column j of the weight gradient is sum over rows of g (x - mean) rstd, of the bias
 * gradient sum over rows of g, one thread per column adding the rows in order (in double: a column may
 * sum many rows). A null gwp or gbp skips that gradient.
 */
template <class T>
__device__ void norm_backward_columns(long long rows, long long len, const ddrl_view& g, const void* gp, const ddrl_view& x,
                                      const void* xp, const T* stats, const ddrl_view& gw, void* gwp, const ddrl_view& gb, void* gbp) {
    ddrl_for_each(len, [&](auto j) {
        double aw = 0, ab = 0;
        for (long long r = 0; r < rows; r++) {
            long long og, ox;
            ddrl_offset2(g, x, r * len + (long long)j, og, ox);
            T gv = ddrl_io<T>::load(gp, g.dtype, og);
            T xhat = (ddrl_io<T>::load(xp, x.dtype, ox) - stats[2 * r]) * stats[2 * r + 1];
            aw += (double)(gv * xhat);
            ab += (double)gv;
        }
        if (gwp) ddrl_io<T>::store(gwp, gw.dtype, ddrl_offset(gw, j), (T)aw);
        if (gbp) ddrl_io<T>::store(gbp, gb.dtype, ddrl_offset(gb, j), (T)ab);
    });
}

extern "C" __global__ void ddrl_norm_backward_columns_f32(long long rows, long long len, const __grid_constant__ ddrl_view g,
                                                          const void* gp, const __grid_constant__ ddrl_view x, const void* xp,
                                                          const float* stats, const __grid_constant__ ddrl_view gw, void* gwp,
                                                          const __grid_constant__ ddrl_view gb, void* gbp) {
    norm_backward_columns<float>(rows, len, g, gp, x, xp, stats, gw, gwp, gb, gbp);
}

extern "C" __global__ void ddrl_norm_backward_columns_f64(long long rows, long long len, const __grid_constant__ ddrl_view g,
                                                          const void* gp, const __grid_constant__ ddrl_view x, const void* xp,
                                                          const double* stats, const __grid_constant__ ddrl_view gw, void* gwp,
                                                          const __grid_constant__ ddrl_view gb, void* gbp) {
    norm_backward_columns<double>(rows, len, g, gp, x, xp, stats, gw, gwp, gb, gbp);
}

/** Group norm: channel c's weight and bias gradients, the per-(sample, channel) sums added over samples in order. */
template <class T>
__device__ void group_norm_backward_channels(long long batch, long long channels, const T* cstats, const ddrl_view& gw, void* gwp,
                                             const ddrl_view& gb, void* gbp) {
    ddrl_for_each(channels, [&](auto c) {
        double aw = 0, ab = 0;
        for (long long n = 0; n < batch; n++) {
            aw += (double)cstats[2 * (n * channels + (long long)c)];
            ab += (double)cstats[2 * (n * channels + (long long)c) + 1];
        }
        if (gwp) ddrl_io<T>::store(gwp, gw.dtype, ddrl_offset(gw, c), (T)aw);
        if (gbp) ddrl_io<T>::store(gbp, gb.dtype, ddrl_offset(gb, c), (T)ab);
    });
}

extern "C" __global__ void ddrl_group_norm_backward_channels_f32(long long batch, long long channels, const float* cstats,
                                                                 const __grid_constant__ ddrl_view gw, void* gwp,
                                                                 const __grid_constant__ ddrl_view gb, void* gbp) {
    group_norm_backward_channels<float>(batch, channels, cstats, gw, gwp, gb, gbp);
}

extern "C" __global__ void ddrl_group_norm_backward_channels_f64(long long batch, long long channels, const double* cstats,
                                                                 const __grid_constant__ ddrl_view gw, void* gwp,
                                                                 const __grid_constant__ ddrl_view gb, void* gbp) {
    group_norm_backward_channels<double>(batch, channels, cstats, gw, gwp, gb, gbp);
}

// ---------------------------------------------------------------- layer_norm_modulate
//
// A layer norm without affine parameters over the last dim, modulated per sample (adaLN):
// y = (x - mean) rstd (1 + scale) + shift, one block per row of C, the statistics in the norm's two passes.
// shift and scale arrive as views with x's sizes (broadcast over the tokens of a sample). The gradient's row
// kernel writes grad x = rstd (gh - mean(gh) - xhat mean(gh xhat)) with gh = g (1 + scale) and saves each
// row's mean and rstd; then one thread per (sample, channel) sums g and g xhat over the sample's rows in
// order: no atomics, the same bits on every run.

template <class T>
__device__ void modulate_rows(long long rows, long long len, const ddrl_view& x, const void* xp, const ddrl_view& y, void* yp,
                              const ddrl_view& sh, const void* shp, const ddrl_view& sc, const void* scp, double eps) {
    for (long long r = blockIdx.x; r < rows; r += gridDim.x) {
        long long base = r * len;
        T mean, rstd;
        row_stats<T, long long>(x, xp, base, len, 0, eps, mean, rstd);
        for (long long j = threadIdx.x; j < len; j += blockDim.x) {
            long long oy, ox, osh, osc;
            ddrl_offset2(y, x, base + j, oy, ox);
            ddrl_offset2(sh, sc, base + j, osh, osc);
            T xh = (ddrl_io<T>::load(xp, x.dtype, ox) - mean) * rstd;
            T v = xh * ((T)1 + ddrl_io<T>::load(scp, sc.dtype, osc)) + ddrl_io<T>::load(shp, sh.dtype, osh);
            ddrl_io<T>::store(yp, y.dtype, oy, v);
        }
    }
}

extern "C" __global__ void ddrl_layer_norm_modulate_f32(long long rows, long long len, const __grid_constant__ ddrl_view x, const void* xp,
                                                        const __grid_constant__ ddrl_view y, void* yp, const __grid_constant__ ddrl_view sh,
                                                        const void* shp, const __grid_constant__ ddrl_view sc, const void* scp, double eps) {
    modulate_rows<float>(rows, len, x, xp, y, yp, sh, shp, sc, scp, eps);
}

extern "C" __global__ void ddrl_layer_norm_modulate_f64(long long rows, long long len, const __grid_constant__ ddrl_view x, const void* xp,
                                                        const __grid_constant__ ddrl_view y, void* yp, const __grid_constant__ ddrl_view sh,
                                                        const void* shp, const __grid_constant__ ddrl_view sc, const void* scp, double eps) {
    modulate_rows<double>(rows, len, x, xp, y, yp, sh, shp, sc, scp, eps);
}

/** grad x of each row (when gxp is not null) and each row's mean and rstd (when stats is not null). */
template <class T>
__device__ void modulate_backward_rows(long long rows, long long len, const ddrl_view& g, const void* gp, const ddrl_view& x,
                                       const void* xp, const ddrl_view& sc, const void* scp, const ddrl_view& gx, void* gxp, T* stats,
                                       double eps) {
    ddrl_sum_op<T> add;
    for (long long r = blockIdx.x; r < rows; r += gridDim.x) {
        long long base = r * len;
        T mean, rstd;
        row_stats<T, long long>(x, xp, base, len, 0, eps, mean, rstd);
        if (stats && threadIdx.x == 0) {
            stats[2 * r] = mean;
            stats[2 * r + 1] = rstd;
        }
        if (!gxp) continue;
        T sg = 0, sgx = 0;
        for (long long j = threadIdx.x; j < len; j += blockDim.x) {
            long long og, ox, osc;
            ddrl_offset3(g, x, sc, base + j, og, ox, osc);
            T h = ddrl_io<T>::load(gp, g.dtype, og) * ((T)1 + ddrl_io<T>::load(scp, sc.dtype, osc));
            sg += h;
            sgx += h * (ddrl_io<T>::load(xp, x.dtype, ox) - mean);
        }
        sg = ddrl_block_reduce(sg, add, (T)0);
        sgx = ddrl_block_reduce(sgx, add, (T)0);
        T b = -rstd * rstd * rstd * sgx / (T)len, cc = -rstd * sg / (T)len;
        for (long long j = threadIdx.x; j < len; j += blockDim.x) {
            long long og, ox, osc;
            ddrl_offset3(g, x, sc, base + j, og, ox, osc);
            T h = ddrl_io<T>::load(gp, g.dtype, og) * ((T)1 + ddrl_io<T>::load(scp, sc.dtype, osc));
            T v = rstd * h + (b * (ddrl_io<T>::load(xp, x.dtype, ox) - mean) + cc);
            ddrl_io<T>::store(gxp, gx.dtype, ddrl_offset(gx, base + j), v);
        }
    }
}

extern "C" __global__ void ddrl_layer_norm_modulate_backward_rows_f32(long long rows, long long len, const __grid_constant__ ddrl_view g,
                                                                      const void* gp, const __grid_constant__ ddrl_view x, const void* xp,
                                                                      const __grid_constant__ ddrl_view sc, const void* scp,
                                                                      const __grid_constant__ ddrl_view gx, void* gxp, float* stats,
                                                                      double eps) {
    modulate_backward_rows<float>(rows, len, g, gp, x, xp, sc, scp, gx, gxp, stats, eps);
}

extern "C" __global__ void ddrl_layer_norm_modulate_backward_rows_f64(long long rows, long long len, const __grid_constant__ ddrl_view g,
                                                                      const void* gp, const __grid_constant__ ddrl_view x, const void* xp,
                                                                      const __grid_constant__ ddrl_view sc, const void* scp,
                                                                      const __grid_constant__ ddrl_view gx, void* gxp, double* stats,
                                                                      double eps) {
    modulate_backward_rows<double>(rows, len, g, gp, x, xp, sc, scp, gx, gxp, stats, eps);
}

/** grad shift and grad scale [B, C]: (b, c) sums g and g xhat over the sample's rows in order. A null pointer skips one. */
template <class T>
__device__ void modulate_backward_params(long long batch, long long tokens, long long channels, const ddrl_view& g, const void* gp,
                                         const ddrl_view& x, const void* xp, const T* stats, const ddrl_view& gsh, void* gshp,
                                         const ddrl_view& gsc, void* gscp) {
    ddrl_for_each(batch * channels, [&](auto k) {
        long long b = (long long)k / channels, c = (long long)k % channels;
        double ash = 0, asc = 0;
        for (long long t = 0; t < tokens; t++) {
            long long r = b * tokens + t, og, ox;
            ddrl_offset2(g, x, r * channels + c, og, ox);
            T gv = ddrl_io<T>::load(gp, g.dtype, og);
            T xhat = (ddrl_io<T>::load(xp, x.dtype, ox) - stats[2 * r]) * stats[2 * r + 1];
            ash += (double)gv;
            asc += (double)(gv * xhat);
        }
        if (gshp) ddrl_io<T>::store(gshp, gsh.dtype, ddrl_offset(gsh, (long long)k), (T)ash);
        if (gscp) ddrl_io<T>::store(gscp, gsc.dtype, ddrl_offset(gsc, (long long)k), (T)asc);
    });
}

extern "C" __global__ void ddrl_layer_norm_modulate_backward_params_f32(long long batch, long long tokens, long long channels,
                                                                        const __grid_constant__ ddrl_view g, const void* gp,
                                                                        const __grid_constant__ ddrl_view x, const void* xp,
                                                                        const float* stats, const __grid_constant__ ddrl_view gsh,
                                                                        void* gshp, const __grid_constant__ ddrl_view gsc, void* gscp) {
    modulate_backward_params<float>(batch, tokens, channels, g, gp, x, xp, stats, gsh, gshp, gsc, gscp);
}

extern "C" __global__ void ddrl_layer_norm_modulate_backward_params_f64(long long batch, long long tokens, long long channels,
                                                                        const __grid_constant__ ddrl_view g, const void* gp,
                                                                        const __grid_constant__ ddrl_view x, const void* xp,
                                                                        const double* stats, const __grid_constant__ ddrl_view gsh,
                                                                        void* gshp, const __grid_constant__ ddrl_view gsc, void* gscp) {
    modulate_backward_params<double>(batch, tokens, channels, g, gp, x, xp, stats, gsh, gshp, gsc, gscp);
}
