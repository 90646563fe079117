// Test kernels of the emulated CUDA device: together they use every feature the emulator provides, and
// some of them break the rules on purpose to check that strict mode reports it. They are valid CUDA, so
// the same file also builds with nvcc and can run on a GPU.
#include <cassert>
#include <cuda_bf16.h>
#include <cuda_fp16.h>

// y = a x + y; launched with a ragged last block.
extern "C" __global__ void selftest_saxpy(int n, float a, const float* x, float* y) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = a * x[i] + y[i];
}

// Per-block sums with static shared memory; works for any block size up to 1024.
extern "C" __global__ void selftest_block_sum(const float* x, float* block_sums, int n) {
    __shared__ float s[1024];
    unsigned t = threadIdx.x;
    int i = blockIdx.x * blockDim.x + t;
    s[t] = i < n ? x[i] : 0.0f;
    __syncthreads();
    for (unsigned stride = 1; stride < blockDim.x; stride *= 2) {
        if (t % (2 * stride) == 0 && t + stride < blockDim.x) s[t] += s[t + stride];
        __syncthreads();
    }
    if (t == 0) block_sums[blockIdx.x] = s[0];
}

// Per-block sums in dynamic shared memory (blockDim.x doubles), plus per-block counts of positive
// elements from __syncthreads_count and the and/or of "element is positive" from the other two forms.
extern "C" __global__ void selftest_dynamic_sum(const double* x, double* block_sums, int* block_votes, int n) {
    extern __shared__ double buf[];
    unsigned t = threadIdx.x;
    int i = blockIdx.x * blockDim.x + t;
    double v = i < n ? x[i] : 0.0;
    buf[t] = v;
    int positive = __syncthreads_count(v > 0.0);
    int all_positive = __syncthreads_and(i >= n || v > 0.0);
    int any_positive = __syncthreads_or(v > 0.0);
    for (unsigned stride = 1; stride < blockDim.x; stride *= 2) {
        if (t % (2 * stride) == 0 && t + stride < blockDim.x) buf[t] += buf[t + stride];
        __syncthreads();
    }
    if (t == 0) {
        block_sums[blockIdx.x] = buf[0];
        block_votes[3 * blockIdx.x] = positive;
        block_votes[3 * blockIdx.x + 1] = all_positive;
        block_votes[3 * blockIdx.x + 2] = any_positive;
    }
}

// Warp-level operations on full warps (blockDim.x a multiple of 32; elements past n count as 0).
// Eight results per thread: inclusive scan (__shfl_up_sync), warp total by butterfly (__shfl_xor_sync),
// warp total by tree (__shfl_down_sync, lane 0 only), lane 5's value (__shfl_sync), sums over groups of 8
// (width 8), __ballot_sync(v > 0), __any_sync(v < 0) and __all_sync(v >= 0), and the __activemask of the
// even lanes inside a branch.
extern "C" __global__ void selftest_warp_ops(const int* x, int* out, int n) {
    const unsigned full = 0xffffffffu;
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    int lane = threadIdx.x % 32;
    int v = i < n ? x[i] : 0;

    int scan = v;
    for (int d = 1; d < 32; d *= 2) {
        int up = __shfl_up_sync(full, scan, d);
        if (lane >= d) scan += up;
    }
    int butterfly = v;
    for (int m = 16; m > 0; m /= 2) butterfly += __shfl_xor_sync(full, butterfly, m);
    int tree = v;
    for (int d = 16; d > 0; d /= 2) tree += __shfl_down_sync(full, tree, d);
    int from5 = __shfl_sync(full, v, 5);
    int group8 = v;
    for (int m = 4; m > 0; m /= 2) group8 += __shfl_xor_sync(full, group8, m, 8);
    unsigned ballot = __ballot_sync(full, v > 0);
    int any_negative = __any_sync(full, v < 0);
    int all_nonnegative = __all_sync(full, v >= 0);
    unsigned active = 0;
    if (lane % 2 == 0) active = __activemask();
    __syncwarp();

    int* o = out + 10 * i;
    o[0] = scan;
    o[1] = butterfly;
    o[2] = lane == 0 ? tree : 0;
    o[3] = from5;
    o[4] = group8;
    o[5] = (int)ballot;
    o[6] = any_negative;
    o[7] = all_nonnegative;
    o[8] = (int)active;
    o[9] = lane;
}

// Sum of each warp's elements for any block size: the lanes that exist in a partial last warp come from a
// ballot, and shuffles from lanes outside it are discarded.
extern "C" __global__ void selftest_partial_warp_sum(const float* x, float* warp_sums, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    int lane = threadIdx.x % 32;
    unsigned lanes = __ballot_sync(0xffffffffu, 1);
    int width = __popc(lanes);
    float v = i < n ? x[i] : 0.0f;
    for (int d = 16; d > 0; d /= 2) {
        float other = __shfl_down_sync(lanes, v, d);
        if (lane + d < width) v += other;
    }
    int warps_per_block = (blockDim.x + 31) / 32;
    if (lane == 0) warp_sums[blockIdx.x * warps_per_block + threadIdx.x / 32] = v;
}

// Histograms with integer and float atomics: counts[b] += 1 and weights[b] += w[i] for b = bins[i].
extern "C" __global__ void selftest_histogram(const int* bins, const float* w, int n, int* counts, float* weights) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        atomicAdd(&counts[bins[i]], 1);
        atomicAdd(&weights[bins[i]], w[i]);
    }
}

// Order-independent results of the other atomics over n threads; see EmulatedDeviceTest for each slot.
extern "C" __global__ void selftest_atomics(int n, int* ints, unsigned* uints, unsigned long long* wide,
                                            double* doubles) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    atomicSub(&ints[0], i);
    atomicMin(&ints[1], i - n / 2);
    atomicMax(&ints[2], i - n / 2);
    atomicExch(&ints[3], i);
    if (atomicCAS(&ints[4], 0, i + 1) == 0) atomicAdd(&ints[5], 1);
    atomicAnd(&uints[0], ~(1u << (i % 32)));
    atomicOr(&uints[1], 1u << (i % 32));
    atomicXor(&uints[2], 1u << (i % 32));
    atomicInc(&uints[3], 9u);
    atomicDec(&uints[4], 9u);
    atomicAdd(&uints[5], (unsigned)i);
    atomicAdd(&wide[0], (unsigned long long)i << 33);
    atomicMax(&wide[1], (unsigned long long)i << 33);
    atomicAdd(&doubles[0], 0.5 * i);
}

// 3-D grid and block indexing: out[z][y][x] = x + 1000 y + 1000000 z, and the linear index of the thread
// in its block and of the block in the grid.
extern "C" __global__ void selftest_index3d(int* out, int* thread_in_block, int* block_in_grid, int width, int height,
                                            int depth) {
    int x = blockIdx.x * blockDim.x + threadIdx.x;
    int y = blockIdx.y * blockDim.y + threadIdx.y;
    int z = blockIdx.z * blockDim.z + threadIdx.z;
    if (x >= width || y >= height || z >= depth) return;
    int at = (z * height + y) * width + x;
    out[at] = x + 1000 * y + 1000000 * z;
    thread_in_block[at] = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
    block_in_grid[at] = blockIdx.x + gridDim.x * (blockIdx.y + gridDim.y * blockIdx.z);
}

// A grid-stride loop over the float intrinsics and math functions.
extern "C" __global__ void selftest_grid_stride(int n, const float* x, float* y) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x) {
        float v = x[i];
        y[i] = __expf(v) + __logf(1.0f + v * v) + __fdividef(v, 3.0f) + rsqrtf(1.0f + v * v) + __saturatef(v) +
               fmaf(v, 2.0f, 1.0f) + sqrtf(fabsf(v)) + (float)__popc(i) + (float)__clz(i + 1) + (float)__ffs(i) +
               __ldg(&x[i]) + fminf(v, 0.5f) + fmaxf(v, -0.5f) + (float)max(i % 7, 3) + (float)min(i % 5, 2);
    }
}

// Asserts that every element is non-negative.
extern "C" __global__ void selftest_assert_nonnegative(const int* x, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) assert(x[i] >= 0);
}

// Only the first `limit` threads of each block reach the barrier (undefined behaviour; strict mode reports
// it). Without strict mode the returned threads count as arrived: out[t] = limit - 1 - t.
extern "C" __global__ void selftest_divergent_barrier(int* out, int limit) {
    __shared__ int s[1024];
    int t = threadIdx.x;
    if (t >= limit) return;
    s[t] = t;
    __syncthreads();
    out[blockIdx.x * blockDim.x + t] = s[limit - 1 - t];
}

// Writes one element past the end of y (i <= n): strict mode finds it in the allocation's red zone.
extern "C" __global__ void selftest_off_by_one(const float* x, float* y, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i <= n) y[i] = i < n ? 2.0f * x[i] : 0.0f;
}

// The lower half of each warp waits in a shuffle for the upper half, which waits at __syncthreads.
extern "C" __global__ void selftest_shuffle_deadlock(int* out) {
    int v = threadIdx.x;
    if (threadIdx.x % 32 < 16) v = __shfl_down_sync(0xffffffffu, v, 1);
    __syncthreads();
    out[threadIdx.x] = v;
}

__device__ __noinline__ int selftest_deep(int depth, volatile char* sink) {
    volatile char frame[512];
    frame[depth % 512] = (char)depth;
    if (depth == 0) return 0;
    int below = selftest_deep(depth - 1, sink);
    sink[0] = frame[depth % 512]; // keeps the frame alive across the call: no tail call
    return below + 1;
}

// Faults on purpose: 0 = __trap(), 1 = store through a wild pointer, 2 = integer division by zero,
// 3 = unbounded recursion (fiber stack overflow). Thread 0 of block 0 only; the others write out[i] = i.
extern "C" __global__ void selftest_fault(int mode, int* out, int zero) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i != 0) {
        out[i] = i;
        return;
    }
    if (mode == 0) __trap();
    if (mode == 1) *(volatile int*)((unsigned long long)zero + 64) = 1; // the never-mapped first page
    if (mode == 2) out[0] = 100 / *(volatile int*)&zero;
    if (mode == 3) out[0] = selftest_deep(1 << 30, (volatile char*)out);
}

// Spins until the host sets *flag (through another stream), at most `spins` times; *saw tells whether it
// saw the flag. Keeps a stream busy for as long as a test needs.
extern "C" __global__ void selftest_wait_flag(volatile int* flag, int* saw, long long spins) {
    long long k = 0;
    while (*flag == 0 && k < spins) k++;
    *saw = *flag != 0;
}

// The upper half of each warp returns before a full-mask shuffle (undefined behaviour; strict mode
// reports it). Without strict mode the returned lanes are left out: out[t] = t + 1, and lane 15 reads a
// returned lane, which gives the poison value -1.
extern "C" __global__ void selftest_shuffle_after_return(int* out) {
    int t = threadIdx.x;
    if (t % 32 >= 16) return;
    out[t] = __shfl_down_sync(0xffffffffu, t, 1);
}

// 16-bit floats: the bits of x[i] rounded to fp16 and bf16, fma(x, y, 1) in each format, and n atomic
// additions of 0.25 to one total per format.
extern "C" __global__ void selftest_half(int n, const float* x, const float* y, unsigned short* f16,
                                        unsigned short* bf16, float* f16_fma, float* bf16_fma, __half* f16_total,
                                        __nv_bfloat16* bf16_total) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    __half h = __float2half(x[i]);
    __nv_bfloat16 b = __float2bfloat16(x[i]);
    f16[i] = __half_as_ushort(h);
    bf16[i] = __bfloat16_as_ushort(b);
    f16_fma[i] = __half2float(__hfma(h, __float2half(y[i]), __float2half(1.0f)));
    bf16_fma[i] = __bfloat162float(__hfma(b, __float2bfloat16(y[i]), __float2bfloat16(1.0f)));
    atomicAdd(f16_total, __float2half(0.25f));
    atomicAdd(bf16_total, __float2bfloat16(0.25f));
}

// CUDA math functions that the C library lacks: out[3i..3i+2] = erfinvf(2p-1), erfcinvf(2p), normcdfinvf(p).
extern "C" __global__ void selftest_inverse_erf(int n, const float* p, float* out) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    out[3 * i] = erfinvf(2.0f * p[i] - 1.0f);
    out[3 * i + 1] = erfcinvf(2.0f * p[i]);
    out[3 * i + 2] = normcdfinvf(p[i]);
}

// Reads shared memory that only the first `writers` threads wrote: the rest is uninitialised (on the
// emulator with poison on: NaN, never what an earlier block left there). out[b * blockDim.x + t] = s[t].
extern "C" __global__ void selftest_uninitialized_shared(float* out, int writers) {
    __shared__ float s[256];
    int t = threadIdx.x;
    if (t < writers) s[t] = blockIdx.x + 1.0f;
    __syncthreads();
    out[blockIdx.x * blockDim.x + t] = s[t];
}

namespace selftest {
// A kernel with a C++ (mangled) name, staging through dynamic shared memory declared in a namespace:
// data[i] *= factor. Without nvcc at build time the emulator registers extern "C" kernels only.
template <class T> __global__ void scale(T* data, T factor, int n) {
    extern __shared__ unsigned char staging[];
    T* tile = reinterpret_cast<T*>(staging);
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    tile[threadIdx.x] = i < n ? data[i] : T(0);
    __syncthreads();
    if (i < n) data[i] = tile[threadIdx.x] * factor;
}
template __global__ void scale<float>(float*, float, int);
template __global__ void scale<double>(double*, double, int);
} // namespace selftest

// Does nothing: measures the launch overhead.
extern "C" __global__ void selftest_empty() {}
