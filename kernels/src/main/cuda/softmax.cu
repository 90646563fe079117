// softmax and log_softmax of rows: one block per row, stable by subtracting the row max. The host hands
// the input and the output as views with the softmax dim moved last (no copies): row r holds the linear
// indices r * len .. r * len + len - 1 of both. A row of all -inf gives NaN, as in PyTorch.
#include "ddrl_dtype.cuh"
#include "ddrl_view.cuh"
#include "ddrl_reduce.cuh"

__device__ __forceinline__ float s_exp(float x) { return expf(x); }
__device__ __forceinline__ double s_exp(double x) { return exp(x); }
__device__ __forceinline__ float s_log(float x) { return logf(x); }
__device__ __forceinline__ double s_log(double x) { return log(x); }

template <class T, class I>
__device__ void softmax_rows(bool log, long long rows, I len, const ddrl_view& y, void* yp, const ddrl_view& x, const void* xp) {
    for (long long r = blockIdx.x; r < rows; r += gridDim.x) {
        I base = (I)r * len;
        T m = ddrl_neg_inf((T)0);
        for (I j = threadIdx.x; j < len; j += blockDim.x) m = ddrl_max_op<T>()(m, ddrl_io<T>::load(xp, x.dtype, ddrl_offset(x, base + j)));
        m = ddrl_block_reduce(m, ddrl_max_op<T>(), ddrl_neg_inf((T)0));
        T s = 0;
        for (I j = threadIdx.x; j < len; j += blockDim.x) s += s_exp(ddrl_io<T>::load(xp, x.dtype, ddrl_offset(x, base + j)) - m);
        s = ddrl_block_reduce(s, ddrl_sum_op<T>(), (T)0);
        T ls = s_log(s);
        for (I j = threadIdx.x; j < len; j += blockDim.x) {
            long long oy, ox;
            ddrl_offset2(y, x, base + j, oy, ox);
            T v = ddrl_io<T>::load(xp, x.dtype, ox) - m;
            ddrl_io<T>::store(yp, y.dtype, oy, log ? v - ls : s_exp(v) / s);
        }
    }
}

template <class T>
__device__ __forceinline__ void softmax_dispatch(int log, long long rows, long long len, const ddrl_view& y, void* yp,
                                                 const ddrl_view& x, const void* xp) {
    if (rows * len <= 0x7fffffffLL) softmax_rows<T, unsigned>(log != 0, rows, (unsigned)len, y, yp, x, xp);
    else softmax_rows<T, unsigned long long>(log != 0, rows, (unsigned long long)len, y, yp, x, xp);
}

extern "C" __global__ void ddrl_softmax_f32(int log, long long rows, long long len, const __grid_constant__ ddrl_view y, void* yp,
                                            const __grid_constant__ ddrl_view x, const void* xp) {
    softmax_dispatch<float>(log, rows, len, y, yp, x, xp);
}

extern "C" __global__ void ddrl_softmax_f64(int log, long long rows, long long len, const __grid_constant__ ddrl_view y, void* yp,
                                            const __grid_constant__ ddrl_view x, const void* xp) {
    softmax_dispatch<double>(log, rows, len, y, yp, x, xp);
}
