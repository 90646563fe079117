// sum, mean, var, max, min, logsumexp, argmax and argmin: one block per output element ("row").
//
// The host permutes the reduced dims last (a view, no copy): row r covers the elements with linear
// indices r * len .. r * len + len - 1 of the view x, read in any dtype and converted to the compute type
// T (float for F32, BF16 and F16 and for logsumexp of integers, double for F64, long long for integer
// sum, max and min). Each thread accumulates a strided share of the row, then warps combine with shuffles
// and the block through shared memory. Results go to the dense output (index r) in its dtype.
// Op codes are mirrored in org.ddrl.tensor.cuda.CudaReductions.
#include "ddrl_dtype.cuh"
#include "ddrl_view.cuh"
#include "ddrl_reduce.cuh"

#define R_SUM 0
#define R_MEAN 1
#define R_VAR 2
#define R_MAX 3
#define R_MIN 4
#define R_LOGSUMEXP 5

__device__ __forceinline__ float r_exp(float x) { return expf(x); }
__device__ __forceinline__ double r_exp(double x) { return exp(x); }
__device__ __forceinline__ long long r_exp(long long x) { return x; }
__device__ __forceinline__ float r_log(float x) { return logf(x); }
__device__ __forceinline__ double r_log(double x) { return log(x); }
__device__ __forceinline__ long long r_log(long long x) { return x; }

// Identities of max and min, chosen by overload on a value of the type.
__device__ __forceinline__ float r_lowest(float) { return -__int_as_float(0x7f800000); }
__device__ __forceinline__ double r_lowest(double) { return -__longlong_as_double(0x7ff0000000000000LL); }
__device__ __forceinline__ long long r_lowest(long long) { return -0x7fffffffffffffffLL - 1; }
__device__ __forceinline__ float r_highest(float) { return __int_as_float(0x7f800000); }
__device__ __forceinline__ double r_highest(double) { return __longlong_as_double(0x7ff0000000000000LL); }
__device__ __forceinline__ long long r_highest(long long) { return 0x7fffffffffffffffLL; }

template <class T> __device__ __forceinline__ bool r_isinf(T v) { return v == r_highest(v) || v == r_lowest(v); }

/** Strided share of this thread: sum of f(x) over its elements of row r. */
template <class T, class I, class F>
__device__ __forceinline__ T row_sum(const ddrl_view& x, const void* xp, I base, I len, F f) {
    T acc = 0;
    for (I j = threadIdx.x; j < len; j += blockDim.x) acc += f(ddrl_io<T>::load(xp, x.dtype, ddrl_offset(x, base + j)));
    return acc;
}

template <class T, class I, class Op>
__device__ __forceinline__ T row_extreme(const ddrl_view& x, const void* xp, I base, I len, Op op, T identity) {
    T acc = identity;
    for (I j = threadIdx.x; j < len; j += blockDim.x) acc = op(acc, ddrl_io<T>::load(xp, x.dtype, ddrl_offset(x, base + j)));
    return ddrl_block_reduce(acc, op, identity);
}

template <class T, class I>
__device__ void reduce_rows(int op, long long rows, I len, const ddrl_view& x, const void* xp, void* out, int odt, int correction) {
    ddrl_sum_op<T> add;
    for (long long r = blockIdx.x; r < rows; r += gridDim.x) {
        I base = (I)r * len;
        T result;
        switch (op) {
            case R_SUM:
            case R_MEAN: {
                T s = ddrl_block_reduce(row_sum<T>(x, xp, base, len, [](T v) { return v; }), add, (T)0);
                result = op == R_MEAN ? s / (T)len : s;
                break;
            }
            case R_VAR: {
                T mean = ddrl_block_reduce(row_sum<T>(x, xp, base, len, [](T v) { return v; }), add, (T)0) / (T)len;
                T ss = ddrl_block_reduce(row_sum<T>(x, xp, base, len, [mean](T v) { return (v - mean) * (v - mean); }), add, (T)0);
                long long dof = (long long)len - correction;
                result = ss / (T)(dof > 0 ? dof : 0);
                break;
            }
            case R_MAX: result = row_extreme(x, xp, base, len, ddrl_max_op<T>(), r_lowest((T)0)); break;
            case R_MIN: result = row_extreme(x, xp, base, len, ddrl_min_op<T>(), r_highest((T)0)); break;
            default: { // R_LOGSUMEXP; an infinite max is not subtracted, so all -inf rows give -inf and a +inf gives +inf
                T m = row_extreme(x, xp, base, len, ddrl_max_op<T>(), r_lowest((T)0));
                T shift = r_isinf(m) ? (T)0 : m;
                T s = ddrl_block_reduce(row_sum<T>(x, xp, base, len, [shift](T v) { return r_exp(v - shift); }), add, (T)0);
                result = r_log(s) + shift;
                break;
            }
        }
        if (threadIdx.x == 0) ddrl_io<T>::store(out, odt, r, result);
    }
}

template <class T>
__device__ __forceinline__ void reduce_dispatch(int op, long long rows, long long len, const ddrl_view& x, const void* xp, void* out,
                                                int odt, int correction) {
    if (rows * len <= 0x7fffffffLL) reduce_rows<T, unsigned>(op, rows, (unsigned)len, x, xp, out, odt, correction);
    else reduce_rows<T, unsigned long long>(op, rows, (unsigned long long)len, x, xp, out, odt, correction);
}

extern "C" __global__ void ddrl_reduce_f32(int op, long long rows, long long len, const __grid_constant__ ddrl_view x,
                                           const void* xp, void* out, int odt, int correction) {
    reduce_dispatch<float>(op, rows, len, x, xp, out, odt, correction);
}

extern "C" __global__ void ddrl_reduce_f64(int op, long long rows, long long len, const __grid_constant__ ddrl_view x,
                                           const void* xp, void* out, int odt, int correction) {
    reduce_dispatch<double>(op, rows, len, x, xp, out, odt, correction);
}

/** sum, max and min of integers and BOOL, exactly (sums wrap as Java's long arithmetic). */
extern "C" __global__ void ddrl_reduce_i64(int op, long long rows, long long len, const __grid_constant__ ddrl_view x,
                                           const void* xp, void* out, int odt, int correction) {
    reduce_dispatch<long long>(op, rows, len, x, xp, out, odt, correction);
}

// ---------------------------------------------------------------- long rows, split over several blocks
//
// A few long rows would leave most of a GPU idle with one block per row, so the host splits each row
// into parts: ddrl_reduce_part_* reduces part p of row r to partial[r * parts + p] (one block per part),
// and ddrl_reduce_finish_* combines a row's partials. The host composes the ops from these: sum and mean
// (sum, then divide), max and min, var (mean first, then the squared deviations about it) and logsumexp
// (max first, then the sum of exponentials shifted by it, finished with a log).

#define P_SUM 0
#define P_SUMSQDEV 1
#define P_SUMEXP 2
#define P_MAX 3
#define P_MIN 4

template <class T, class I>
__device__ void reduce_parts(int op, long long rows, I len, int parts, I chunk, const ddrl_view& x, const void* xp, const T* center,
                             T* partial) {
    ddrl_sum_op<T> add;
    for (long long w = blockIdx.x; w < rows * parts; w += gridDim.x) {
        long long r = w / parts;
        I j0 = (I)(w % parts) * chunk;
        I n = len - j0 < chunk ? len - j0 : chunk;
        I base = (I)r * len + j0;
        T c = center ? center[r] : (T)0;
        T v;
        switch (op) {
            case P_SUM: v = ddrl_block_reduce(row_sum<T>(x, xp, base, n, [](T e) { return e; }), add, (T)0); break;
            case P_SUMSQDEV: v = ddrl_block_reduce(row_sum<T>(x, xp, base, n, [c](T e) { return (e - c) * (e - c); }), add, (T)0); break;
            case P_SUMEXP: v = ddrl_block_reduce(row_sum<T>(x, xp, base, n, [c](T e) { return r_exp(e - c); }), add, (T)0); break;
            case P_MAX: v = row_extreme(x, xp, base, n, ddrl_max_op<T>(), r_lowest((T)0)); break;
            default: v = row_extreme(x, xp, base, n, ddrl_min_op<T>(), r_highest((T)0)); break;
        }
        if (threadIdx.x == 0) partial[w] = v;
    }
}

template <class T>
__device__ __forceinline__ void parts_dispatch(int op, long long rows, long long len, int parts, long long chunk, const ddrl_view& x,
                                               const void* xp, const T* center, T* partial) {
    if (rows * len <= 0x7fffffffLL) reduce_parts<T, unsigned>(op, rows, (unsigned)len, parts, (unsigned)chunk, x, xp, center, partial);
    else reduce_parts<T, unsigned long long>(op, rows, (unsigned long long)len, parts, (unsigned long long)chunk, x, xp, center, partial);
}

#define F_SUM 0
#define F_MAX 1
#define F_MIN 2

/**
 * Row r's result from its partials: their sum (divided by divisor), max or min. With take_log, the result
 * is log(sum) + center[r]; with zero_infinite, an infinite result becomes 0 (the shift of logsumexp).
 */
template <class T>
__device__ void finish_rows(int op, long long rows, int parts, const T* partial, const T* center, double divisor, int take_log,
                            int zero_infinite, void* out, int odt) {
    for (long long r = blockIdx.x; r < rows; r += gridDim.x) {
        const T* p = partial + r * parts;
        T v;
        if (op == F_SUM) {
            T acc = 0;
            for (int j = threadIdx.x; j < parts; j += blockDim.x) acc += p[j];
            v = ddrl_block_reduce(acc, ddrl_sum_op<T>(), (T)0);
            if (divisor != 1.0) v = (T)(v / (T)divisor);
        } else {
            bool max = op == F_MAX;
            T acc = max ? r_lowest((T)0) : r_highest((T)0);
            for (int j = threadIdx.x; j < parts; j += blockDim.x) acc = max ? ddrl_max_op<T>()(acc, p[j]) : ddrl_min_op<T>()(acc, p[j]);
            v = max ? ddrl_block_reduce(acc, ddrl_max_op<T>(), r_lowest((T)0)) : ddrl_block_reduce(acc, ddrl_min_op<T>(), r_highest((T)0));
        }
        if (take_log) v = r_log(v) + center[r];
        if (zero_infinite && r_isinf(v)) v = 0;
        if (threadIdx.x == 0) ddrl_io<T>::store(out, odt, r, v);
    }
}

extern "C" __global__ void ddrl_reduce_part_f32(int op, long long rows, long long len, int parts, long long chunk,
                                                const __grid_constant__ ddrl_view x, const void* xp, const float* center, float* partial) {
    parts_dispatch<float>(op, rows, len, parts, chunk, x, xp, center, partial);
}

extern "C" __global__ void ddrl_reduce_part_f64(int op, long long rows, long long len, int parts, long long chunk,
                                                const __grid_constant__ ddrl_view x, const void* xp, const double* center, double* partial) {
    parts_dispatch<double>(op, rows, len, parts, chunk, x, xp, center, partial);
}

extern "C" __global__ void ddrl_reduce_part_i64(int op, long long rows, long long len, int parts, long long chunk,
                                                const __grid_constant__ ddrl_view x, const void* xp, const long long* center,
                                                long long* partial) {
    parts_dispatch<long long>(op, rows, len, parts, chunk, x, xp, center, partial);
}

extern "C" __global__ void ddrl_reduce_finish_f32(int op, long long rows, int parts, const float* partial, const float* center,
                                                  double divisor, int take_log, int zero_infinite, void* out, int odt) {
    finish_rows<float>(op, rows, parts, partial, center, divisor, take_log, zero_infinite, out, odt);
}

extern "C" __global__ void ddrl_reduce_finish_f64(int op, long long rows, int parts, const double* partial, const double* center,
                                                  double divisor, int take_log, int zero_infinite, void* out, int odt) {
    finish_rows<double>(op, rows, parts, partial, center, divisor, take_log, zero_infinite, out, odt);
}

extern "C" __global__ void ddrl_reduce_finish_i64(int op, long long rows, int parts, const long long* partial, const long long* center,
                                                  double divisor, int take_log, int zero_infinite, void* out, int odt) {
    finish_rows<long long>(op, rows, parts, partial, center, divisor, take_log, zero_infinite, out, odt);
}

// ---------------------------------------------------------------- argmax / argmin

/** A candidate: value and its index in the row. */
template <class T> struct arg_pair {
    T v;
    long long i;
};

/** The better of two candidates: a NaN beats every number, then the larger (smaller) value, then the lower index. */
template <class T> __device__ __forceinline__ arg_pair<T> arg_better(bool max, arg_pair<T> a, arg_pair<T> b) {
    if (b.i < 0) return a;
    if (a.i < 0) return b;
    bool an = a.v != a.v, bn = b.v != b.v;
    if (an || bn) return an && bn ? (a.i < b.i ? a : b) : an ? a : b;
    if (a.v == b.v) return a.i < b.i ? a : b;
    return (max ? b.v > a.v : b.v < a.v) ? b : a;
}

template <class T> __device__ __forceinline__ arg_pair<T> arg_warp(bool max, arg_pair<T> p) {
    for (int o = 16; o > 0; o >>= 1) {
        arg_pair<T> q;
        q.v = __shfl_xor_sync(DDRL_FULL_MASK, p.v, o);
        q.i = __shfl_xor_sync(DDRL_FULL_MASK, p.i, o);
        p = arg_better(max, p, q);
    }
    return p;
}

template <class T, class I>
__device__ void arg_rows(bool max, long long rows, I len, const ddrl_view& x, const void* xp, long long* out) {
    __shared__ T pv[32];
    __shared__ long long pi[32];
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = (blockDim.x + 31) >> 5;
    for (long long r = blockIdx.x; r < rows; r += gridDim.x) {
        I base = (I)r * len;
        arg_pair<T> best = {0, -1}; // index -1: no candidate yet
        for (I j = threadIdx.x; j < len; j += blockDim.x) {
            arg_pair<T> c = {ddrl_io<T>::load(xp, x.dtype, ddrl_offset(x, base + j)), (long long)j};
            best = arg_better(max, best, c);
        }
        best = arg_warp(max, best);
        __syncthreads();
        if (lane == 0) {
            pv[warp] = best.v;
            pi[warp] = best.i;
        }
        __syncthreads();
        arg_pair<T> p = {lane < warps ? pv[lane] : (T)0, lane < warps ? pi[lane] : -1};
        p = arg_warp(max, p);
        if (threadIdx.x == 0) out[r] = p.i;
    }
}

template <class T>
__device__ __forceinline__ void arg_dispatch(int max, long long rows, long long len, const ddrl_view& x, const void* xp, long long* out) {
    if (rows * len <= 0x7fffffffLL) arg_rows<T, unsigned>(max != 0, rows, (unsigned)len, x, xp, out);
    else arg_rows<T, unsigned long long>(max != 0, rows, (unsigned long long)len, x, xp, out);
}

extern "C" __global__ void ddrl_arg_f32(int max, long long rows, long long len, const __grid_constant__ ddrl_view x, const void* xp,
                                        long long* out) {
    arg_dispatch<float>(max, rows, len, x, xp, out);
}

extern "C" __global__ void ddrl_arg_f64(int max, long long rows, long long len, const __grid_constant__ ddrl_view x, const void* xp,
                                        long long* out) {
    arg_dispatch<double>(max, rows, len, x, xp, out);
}

extern "C" __global__ void ddrl_arg_i64(int max, long long rows, long long len, const __grid_constant__ ddrl_view x, const void* xp,
                                        long long* out) {
    arg_dispatch<long long>(max, rows, len, x, xp, out);
}
