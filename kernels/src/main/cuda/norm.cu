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

template <class T, class I>
__device__ void norm_rows(long long rows, I len, const ddrl_view& x, const void* xp, const ddrl_view& y, void* yp,
                          const ddrl_view& w, const void* wp, const ddrl_view& b, const void* bp, int rms, int groups,
                          long long spatial, double eps) {
    ddrl_sum_op<T> add;
    for (long long r = blockIdx.x; r < rows; r += gridDim.x) {
        I base = (I)r * len;
        T mean = 0;
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
        T scale = n_rsqrt(ddrl_block_reduce(ss, add, (T)0) / (T)len + (T)eps);
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
