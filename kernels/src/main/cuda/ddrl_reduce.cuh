// Warp and block reductions for kernels that reduce a row per block.
// Blocks must have a multiple of 32 threads (full warps), at most 1024.
#pragma once

#define DDRL_FULL_MASK 0xffffffffu

/** -infinity of the argument's type, without math.h (NVRTC compiles these sources without standard headers). */
__device__ __forceinline__ float ddrl_neg_inf(float) { return __uint_as_float(0xff800000u); }
__device__ __forceinline__ double ddrl_neg_inf(double) { return __longlong_as_double((long long)0xfff0000000000000ULL); }

/** Combines v across the 32 lanes of the warp; every lane gets the result. */
template <class T, class F>
__device__ __forceinline__ T ddrl_warp_reduce(T v, F f) {
    for (int o = 16; o > 0; o >>= 1) v = f(v, __shfl_xor_sync(DDRL_FULL_MASK, v, o));
    return v;
}

/**
 * Combines v across the block; every thread gets the result. identity fills the unused warp slots.
 * Safe to call repeatedly: the first barrier keeps a call from overwriting partials a previous call still reads.
 */
template <class T, class F>
__device__ __forceinline__ T ddrl_block_reduce(T v, F f, T identity) {
    __shared__ T part[32];
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = (blockDim.x + 31) >> 5;
    v = ddrl_warp_reduce(v, f);
    __syncthreads();
    if (lane == 0) part[warp] = v;
    __syncthreads();
    v = lane < warps ? part[lane] : identity;
    return ddrl_warp_reduce(v, f);
}

template <class T> struct ddrl_sum_op {
    __device__ __forceinline__ T operator()(T a, T b) const { return a + b; }
};

/** Java's Math.max / Math.min: NaN wins (a no-op for integers). */
template <class T> struct ddrl_max_op {
    __device__ __forceinline__ T operator()(T a, T b) const { return a != a ? a : b != b ? b : a > b ? a : b; }
};

template <class T> struct ddrl_min_op {
    __device__ __forceinline__ T operator()(T a, T b) const { return a != a ? a : b != b ? b : a < b ? a : b; }
};
