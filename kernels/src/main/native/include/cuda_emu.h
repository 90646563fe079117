// Compiles CUDA C++ kernels with the host g++ (`-include cuda_emu.h`) so that the emulated CUDA device can
// run them: each CUDA thread is a fiber of the runtime (libcudaemu.so), one block at a time per worker.
//
// Only light standard headers are included (parsing them is most of a module's compile time), and all of
// them before any CUDA qualifier is defined, so that macros such as __noinline__ cannot break them.
#pragma once

#include <atomic>
#include <bit>
#include <cfloat>
#include <climits>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <math.h> // brings the float overloads of the math functions into the global namespace
#include <type_traits>
#include <utility>

#include "cudaemu/abi.h"

// `__forceinline__` cannot add `inline` (kernels often write `inline __forceinline__`), and GCC warns when
// always_inline meets a function not declared inline.
#pragma GCC diagnostic ignored "-Wattributes"

#define CUDA_EMU 1
// The emulator's <mma.h> implements nvcuda::wmma (fragments, loads, stores, mma_sync) with warp-collective
// checks: kernels test this macro besides `__CUDA_ARCH__ >= 800` so that their tensor-core paths run here.
#define CUDAEMU_HAS_WMMA 1

// ---- qualifiers
#define __global__
#define __device__
#define __host__
#define __forceinline__ __attribute__((always_inline))
#define __noinline__ __attribute__((noinline))
#define __constant__ __attribute__((visibility("default")))
#define __managed__ __attribute__((visibility("default")))
#define __launch_bounds__(...)
#define __maxnreg__(n)
#define __grid_constant__
// an attribute rather than alignas, which C++ does not allow after `thread_local` (what __shared__ becomes)
#define __align__(n) __attribute__((aligned(n)))
#define __cudart_builtin__
// Each worker runs one block at a time, so a thread_local is exactly one instance per resident block.
// `extern __shared__` arrays become undefined TLS symbols that the module build aliases to one
// per-worker dynamic shared memory buffer.
#define __shared__ thread_local

// ---- vector types (CUDA sizes and alignments)
#define CUDAEMU_VEC1(T, N, A)                                                                                          \
    struct alignas(A) N##1 {                                                                                           \
        T x;                                                                                                           \
    };                                                                                                                 \
    constexpr N##1 make_##N##1(T x) { return N##1{x}; }
#define CUDAEMU_VEC2(T, N, A)                                                                                          \
    struct alignas(A) N##2 {                                                                                           \
        T x, y;                                                                                                        \
    };                                                                                                                 \
    constexpr N##2 make_##N##2(T x, T y) { return N##2{x, y}; }
#define CUDAEMU_VEC3(T, N)                                                                                             \
    struct N##3 {                                                                                                      \
        T x, y, z;                                                                                                     \
    };                                                                                                                 \
    constexpr N##3 make_##N##3(T x, T y, T z) { return N##3{x, y, z}; }
#define CUDAEMU_VEC4(T, N, A)                                                                                          \
    struct alignas(A) N##4 {                                                                                           \
        T x, y, z, w;                                                                                                  \
    };                                                                                                                 \
    constexpr N##4 make_##N##4(T x, T y, T z, T w) { return N##4{x, y, z, w}; }
#define CUDAEMU_VECS(T, N, A1, A2, A4)                                                                                 \
    CUDAEMU_VEC1(T, N, A1) CUDAEMU_VEC2(T, N, A2) CUDAEMU_VEC3(T, N) CUDAEMU_VEC4(T, N, A4)

CUDAEMU_VECS(signed char, char, 1, 2, 4)
CUDAEMU_VECS(unsigned char, uchar, 1, 2, 4)
CUDAEMU_VECS(short, short, 2, 4, 8)
CUDAEMU_VECS(unsigned short, ushort, 2, 4, 8)
CUDAEMU_VECS(int, int, 4, 8, 16)
CUDAEMU_VEC1(unsigned int, uint, 4)
CUDAEMU_VEC2(unsigned int, uint, 8)
CUDAEMU_VEC4(unsigned int, uint, 16)
constexpr uint3 make_uint3(unsigned x, unsigned y, unsigned z) { return uint3{x, y, z}; }
CUDAEMU_VECS(long long, longlong, 8, 16, 16)
CUDAEMU_VECS(unsigned long long, ulonglong, 8, 16, 16)
CUDAEMU_VECS(float, float, 4, 8, 16)
CUDAEMU_VECS(double, double, 8, 16, 16)

#undef CUDAEMU_VECS
#undef CUDAEMU_VEC1
#undef CUDAEMU_VEC2
#undef CUDAEMU_VEC3
#undef CUDAEMU_VEC4

// ---- built-ins (threadIdx, blockIdx, blockDim, gridDim come from cudaemu/abi.h)
constexpr int warpSize = 32;

// ---- block synchronization; the default arguments carry the caller's file:line into diagnostics
inline void __syncthreads(const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
    cudaemu_block_op(cudaemu::BLOCK_SYNC, 0, file, line);
}
inline int __syncthreads_count(int predicate, const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
    return cudaemu_block_op(cudaemu::BLOCK_COUNT, predicate != 0, file, line);
}
inline int __syncthreads_and(int predicate, const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
    return cudaemu_block_op(cudaemu::BLOCK_AND, predicate != 0, file, line);
}
inline int __syncthreads_or(int predicate, const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
    return cudaemu_block_op(cudaemu::BLOCK_OR, predicate != 0, file, line);
}

// ---- warp-synchronous operations
namespace cudaemu {
template <class T> inline unsigned long long to_bits(T v) {
    static_assert(sizeof(T) <= 8 && std::is_trivially_copyable_v<T>, "warp shuffles move values of at most 8 bytes");
    unsigned long long b = 0;
    std::memcpy(&b, &v, sizeof(T));
    return b;
}
template <class T> inline T from_bits(unsigned long long b) {
    T v;
    std::memcpy(&v, &b, sizeof(T));
    return v;
}
template <class T> inline T shfl(int op, unsigned mask, T v, int arg, int width, const char* file, int line) {
    return from_bits<T>(cudaemu_warp_op(op, mask, to_bits(v), arg, width, file, line));
}
} // namespace cudaemu

inline void __syncwarp(unsigned mask = 0xffffffffu, const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
    cudaemu_warp_op(cudaemu::WARP_SYNC, mask, 0, 0, 32, file, line);
}
inline unsigned __activemask(const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
    return cudaemu_activemask(file, line);
}
inline unsigned __ballot_sync(unsigned mask, int predicate, const char* file = __builtin_FILE(),
                              int line = __builtin_LINE()) {
    return (unsigned)cudaemu_warp_op(cudaemu::WARP_BALLOT, mask, predicate != 0, 0, 32, file, line);
}
inline int __any_sync(unsigned mask, int predicate, const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
    return (int)cudaemu_warp_op(cudaemu::WARP_ANY, mask, predicate != 0, 0, 32, file, line);
}
inline int __all_sync(unsigned mask, int predicate, const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
    return (int)cudaemu_warp_op(cudaemu::WARP_ALL, mask, predicate != 0, 0, 32, file, line);
}
template <class T>
inline T __shfl_sync(unsigned mask, T var, int srcLane, int width = 32, const char* file = __builtin_FILE(),
                     int line = __builtin_LINE()) {
    return cudaemu::shfl(cudaemu::WARP_SHFL_IDX, mask, var, srcLane, width, file, line);
}
template <class T>
inline T __shfl_up_sync(unsigned mask, T var, unsigned delta, int width = 32, const char* file = __builtin_FILE(),
                        int line = __builtin_LINE()) {
    return cudaemu::shfl(cudaemu::WARP_SHFL_UP, mask, var, (int)delta, width, file, line);
}
template <class T>
inline T __shfl_down_sync(unsigned mask, T var, unsigned delta, int width = 32, const char* file = __builtin_FILE(),
                          int line = __builtin_LINE()) {
    return cudaemu::shfl(cudaemu::WARP_SHFL_DOWN, mask, var, (int)delta, width, file, line);
}
template <class T>
inline T __shfl_xor_sync(unsigned mask, T var, int laneMask, int width = 32, const char* file = __builtin_FILE(),
                         int line = __builtin_LINE()) {
    return cudaemu::shfl(cudaemu::WARP_SHFL_XOR, mask, var, laneMask, width, file, line);
}
template <class T>
inline unsigned __match_any_sync(unsigned mask, T value, const char* file = __builtin_FILE(),
                                 int line = __builtin_LINE()) {
    return (unsigned)cudaemu_warp_op(cudaemu::WARP_MATCH_ANY, mask, cudaemu::to_bits(value), 0, 32, file, line);
}
template <class T>
inline unsigned __match_all_sync(unsigned mask, T value, int* pred, const char* file = __builtin_FILE(),
                                 int line = __builtin_LINE()) {
    unsigned r = (unsigned)cudaemu_warp_op(cudaemu::WARP_MATCH_ALL, mask, cudaemu::to_bits(value), 0, 32, file, line);
    *pred = r != 0;
    return r;
}
#define CUDAEMU_REDUCE(NAME, T, OP)                                                                                    \
    inline T NAME(unsigned mask, T value, const char* file = __builtin_FILE(), int line = __builtin_LINE()) {         \
        return (T)cudaemu_warp_op(OP, mask, (unsigned)value, 0, 32, file, line);                                       \
    }
CUDAEMU_REDUCE(__reduce_add_sync, unsigned, cudaemu::WARP_REDUCE_ADD)
CUDAEMU_REDUCE(__reduce_add_sync, int, cudaemu::WARP_REDUCE_ADD)
CUDAEMU_REDUCE(__reduce_min_sync, unsigned, cudaemu::WARP_REDUCE_MIN)
CUDAEMU_REDUCE(__reduce_min_sync, int, cudaemu::WARP_REDUCE_MIN_SIGNED)
CUDAEMU_REDUCE(__reduce_max_sync, unsigned, cudaemu::WARP_REDUCE_MAX)
CUDAEMU_REDUCE(__reduce_max_sync, int, cudaemu::WARP_REDUCE_MAX_SIGNED)
CUDAEMU_REDUCE(__reduce_and_sync, unsigned, cudaemu::WARP_REDUCE_AND)
CUDAEMU_REDUCE(__reduce_or_sync, unsigned, cudaemu::WARP_REDUCE_OR)
CUDAEMU_REDUCE(__reduce_xor_sync, unsigned, cudaemu::WARP_REDUCE_XOR)
#undef CUDAEMU_REDUCE

// ---- atomics: relaxed read-modify-writes on the host (device-scope atomics are relaxed too)
namespace cudaemu {
template <class T> inline std::atomic_ref<T> aref(T* p) { return std::atomic_ref<T>(*p); }
template <class T, class F> inline T atomic_update(T* p, F f) {
    std::atomic_ref<T> a(*p);
    T old = a.load(std::memory_order_relaxed);
    while (!a.compare_exchange_weak(old, f(old), std::memory_order_relaxed)) {
    }
    return old;
}
} // namespace cudaemu

#define CUDAEMU_ATOMIC_SCOPES(DECL) DECL() DECL(_block) DECL(_system)

#define CUDAEMU_ATOMIC_ADD(S)                                                                                          \
    inline int atomicAdd##S(int* p, int v) { return cudaemu::aref(p).fetch_add(v, std::memory_order_relaxed); }       \
    inline unsigned atomicAdd##S(unsigned* p, unsigned v) {                                                           \
        return cudaemu::aref(p).fetch_add(v, std::memory_order_relaxed);                                               \
    }                                                                                                                  \
    inline unsigned long long atomicAdd##S(unsigned long long* p, unsigned long long v) {                             \
        return cudaemu::aref(p).fetch_add(v, std::memory_order_relaxed);                                               \
    }                                                                                                                  \
    inline long long atomicAdd##S(long long* p, long long v) {                                                        \
        return cudaemu::aref(p).fetch_add(v, std::memory_order_relaxed);                                               \
    }                                                                                                                  \
    inline float atomicAdd##S(float* p, float v) {                                                                    \
        return cudaemu::atomic_update(p, [v](float o) { return o + v; });                                              \
    }                                                                                                                  \
    inline double atomicAdd##S(double* p, double v) {                                                                 \
        return cudaemu::atomic_update(p, [v](double o) { return o + v; });                                             \
    }                                                                                                                  \
    inline int atomicSub##S(int* p, int v) { return cudaemu::aref(p).fetch_sub(v, std::memory_order_relaxed); }       \
    inline unsigned atomicSub##S(unsigned* p, unsigned v) {                                                           \
        return cudaemu::aref(p).fetch_sub(v, std::memory_order_relaxed);                                               \
    }
CUDAEMU_ATOMIC_SCOPES(CUDAEMU_ATOMIC_ADD)

#define CUDAEMU_ATOMIC_EXCH(S)                                                                                         \
    inline int atomicExch##S(int* p, int v) { return cudaemu::aref(p).exchange(v, std::memory_order_relaxed); }       \
    inline unsigned atomicExch##S(unsigned* p, unsigned v) {                                                          \
        return cudaemu::aref(p).exchange(v, std::memory_order_relaxed);                                                \
    }                                                                                                                  \
    inline unsigned long long atomicExch##S(unsigned long long* p, unsigned long long v) {                            \
        return cudaemu::aref(p).exchange(v, std::memory_order_relaxed);                                                \
    }                                                                                                                  \
    inline float atomicExch##S(float* p, float v) { return cudaemu::aref(p).exchange(v, std::memory_order_relaxed); }
CUDAEMU_ATOMIC_SCOPES(CUDAEMU_ATOMIC_EXCH)

#define CUDAEMU_ATOMIC_CAS(S)                                                                                          \
    template <class T> inline T atomicCAS##S(T* p, T compare, T v) {                                                  \
        static_assert(std::is_integral_v<T> && (sizeof(T) == 2 || sizeof(T) == 4 || sizeof(T) == 8),                  \
                      "atomicCAS takes 16-, 32- or 64-bit integers");                                                  \
        cudaemu::aref(p).compare_exchange_strong(compare, v, std::memory_order_relaxed);                               \
        return compare;                                                                                                \
    }
CUDAEMU_ATOMIC_SCOPES(CUDAEMU_ATOMIC_CAS)

#define CUDAEMU_ATOMIC_BITS_T(S, T)                                                                                    \
    inline T atomicAnd##S(T* p, T v) { return cudaemu::aref(p).fetch_and(v, std::memory_order_relaxed); }             \
    inline T atomicOr##S(T* p, T v) { return cudaemu::aref(p).fetch_or(v, std::memory_order_relaxed); }               \
    inline T atomicXor##S(T* p, T v) { return cudaemu::aref(p).fetch_xor(v, std::memory_order_relaxed); }             \
    inline T atomicMin##S(T* p, T v) {                                                                                 \
        return cudaemu::atomic_update(p, [v](T o) { return v < o ? v : o; });                                          \
    }                                                                                                                  \
    inline T atomicMax##S(T* p, T v) {                                                                                 \
        return cudaemu::atomic_update(p, [v](T o) { return v > o ? v : o; });                                          \
    }
#define CUDAEMU_ATOMIC_BITS(S)                                                                                         \
    CUDAEMU_ATOMIC_BITS_T(S, int)                                                                                      \
    CUDAEMU_ATOMIC_BITS_T(S, unsigned)                                                                                 \
    CUDAEMU_ATOMIC_BITS_T(S, long long)                                                                                \
    CUDAEMU_ATOMIC_BITS_T(S, unsigned long long)                                                                       \
    inline unsigned atomicInc##S(unsigned* p, unsigned limit) {                                                        \
        return cudaemu::atomic_update(p, [limit](unsigned o) { return o >= limit ? 0u : o + 1; });                     \
    }                                                                                                                  \
    inline unsigned atomicDec##S(unsigned* p, unsigned limit) {                                                        \
        return cudaemu::atomic_update(p, [limit](unsigned o) { return (o == 0 || o > limit) ? limit : o - 1; });       \
    }
CUDAEMU_ATOMIC_SCOPES(CUDAEMU_ATOMIC_BITS)

#undef CUDAEMU_ATOMIC_SCOPES
#undef CUDAEMU_ATOMIC_ADD
#undef CUDAEMU_ATOMIC_EXCH
#undef CUDAEMU_ATOMIC_CAS
#undef CUDAEMU_ATOMIC_BITS_T
#undef CUDAEMU_ATOMIC_BITS

inline void __threadfence() { std::atomic_thread_fence(std::memory_order_seq_cst); }
inline void __threadfence_block() { std::atomic_thread_fence(std::memory_order_seq_cst); }
inline void __threadfence_system() { std::atomic_thread_fence(std::memory_order_seq_cst); }

// ---- float intrinsics. glibc already declares __expf, __logf, ... as functions, so these are macros.
// They compute the precise libm result: the device versions are approximations, so compare with tolerances.
#define __expf(x) ::expf(x)
#define __exp10f(x) ::exp10f(x)
#define __logf(x) ::logf(x)
#define __log2f(x) ::log2f(x)
#define __log10f(x) ::log10f(x)
#define __sinf(x) ::sinf(x)
#define __cosf(x) ::cosf(x)
#define __tanf(x) ::tanf(x)
#define __sincosf(x, s, c) ::sincosf((x), (s), (c))
#define __powf(x, y) ::powf((x), (y))
#define __fdividef(x, y) ((float)(x) / (float)(y))
#define __fdiv_rn(x, y) ((float)(x) / (float)(y))
#define __fadd_rn(x, y) ((float)(x) + (float)(y))
#define __fsub_rn(x, y) ((float)(x) - (float)(y))
#define __fmul_rn(x, y) ((float)(x) * (float)(y))
#define __fmaf_rn(x, y, z) ::fmaf((x), (y), (z))
#define __frcp_rn(x) (1.0f / (float)(x))
#define __fsqrt_rn(x) ::sqrtf(x)
#define __dadd_rn(x, y) ((double)(x) + (double)(y))
#define __dmul_rn(x, y) ((double)(x) * (double)(y))
#define __fma_rn(x, y, z) ::fma((x), (y), (z))

inline float __saturatef(float x) { return x > 0.0f ? (x < 1.0f ? x : 1.0f) : 0.0f; } // NaN gives 0, as on the GPU
inline float rsqrtf(float x) { return 1.0f / ::sqrtf(x); }
inline double rsqrt(double x) { return 1.0 / ::sqrt(x); }
inline float rcbrtf(float x) { return 1.0f / ::cbrtf(x); }
inline double rcbrt(double x) { return 1.0 / ::cbrt(x); }
inline float rhypotf(float x, float y) { return 1.0f / ::hypotf(x, y); }
inline float norm3df(float a, float b, float c) { return ::sqrtf(a * a + b * b + c * c); }
inline float rnorm3df(float a, float b, float c) { return 1.0f / ::sqrtf(a * a + b * b + c * c); }
inline float fdividef(float x, float y) { return x / y; }
inline float sinpif(float x) { return ::sinf((float)M_PI * x); }
inline float cospif(float x) { return ::cosf((float)M_PI * x); }
inline void sincospif(float x, float* s, float* c) { ::sincosf((float)M_PI * x, s, c); }
inline float normcdff(float x) { return 0.5f * ::erfcf(-x * (float)M_SQRT1_2); }
inline double normcdf(double x) { return 0.5 * ::erfc(-x * M_SQRT1_2); }

// Inverse error functions, which the C library lacks: an initial guess from Winitzki's approximation
// (relative error below 2e-3), refined by Newton steps on erfc or erf in double precision.
namespace cudaemu {
inline double inverse_erf_guess(double log_one_minus_y2) { // argument: log(1 - y^2), computed without cancellation
    const double a = 0.147;
    double t = 2.0 / (M_PI * a) + log_one_minus_y2 / 2.0;
    return std::sqrt(std::sqrt(t * t - log_one_minus_y2 / a) - t);
}
inline double erfcinv_small(double q) { // q in (0, 1]: the x >= 0 with erfc(x) = q
    double x = inverse_erf_guess(std::log(q * (2.0 - q)));
    for (int i = 0; i < 8; i++) {
        double step = (std::erfc(x) - q) / (M_2_SQRTPI * std::exp(-x * x));
        x += step;
        if (std::fabs(step) <= 1e-15 * x) break;
    }
    return x;
}
inline double erfcinv(double q) {
    if (!(q >= 0.0 && q <= 2.0)) return NAN;
    if (q == 0.0) return INFINITY;
    if (q == 2.0) return -INFINITY;
    return q > 1.0 ? -erfcinv_small(2.0 - q) : erfcinv_small(q);
}
inline double erfinv(double y) {
    if (!(y >= -1.0 && y <= 1.0)) return NAN;
    if (std::fabs(y) > 0.5) return y > 0 ? erfcinv(1.0 - y) : -erfcinv(1.0 + y); // 1 - |y| is exact there
    double x = std::copysign(inverse_erf_guess(std::log1p(-y * y)), y);
    for (int i = 0; i < 8 && y != 0.0; i++) {
        double step = (std::erf(x) - y) / (M_2_SQRTPI * std::exp(-x * x));
        x -= step;
        if (std::fabs(step) <= 1e-15 * std::fabs(x)) break;
    }
    return x;
}
} // namespace cudaemu
inline double erfinv(double y) { return cudaemu::erfinv(y); }
inline float erfinvf(float y) { return (float)cudaemu::erfinv(y); }
inline double erfcinv(double q) { return cudaemu::erfcinv(q); }
inline float erfcinvf(float q) { return (float)cudaemu::erfcinv(q); }
inline double normcdfinv(double p) { return -M_SQRT2 * cudaemu::erfcinv(2.0 * p); }
inline float normcdfinvf(float p) { return (float)(-M_SQRT2 * cudaemu::erfcinv(2.0 * p)); }

// ---- conversions and bit casts
inline float __int_as_float(int v) { return std::bit_cast<float>(v); }
inline int __float_as_int(float v) { return std::bit_cast<int>(v); }
inline float __uint_as_float(unsigned v) { return std::bit_cast<float>(v); }
inline unsigned __float_as_uint(float v) { return std::bit_cast<unsigned>(v); }
inline double __longlong_as_double(long long v) { return std::bit_cast<double>(v); }
inline long long __double_as_longlong(double v) { return std::bit_cast<long long>(v); }
inline int __double2hiint(double v) { return (int)(std::bit_cast<unsigned long long>(v) >> 32); }
inline int __double2loint(double v) { return (int)std::bit_cast<unsigned long long>(v); }
inline double __hiloint2double(int hi, int lo) {
    return std::bit_cast<double>(((unsigned long long)(unsigned)hi << 32) | (unsigned)lo);
}
inline int __float2int_rn(float x) { return (int)::nearbyintf(x); }
inline int __float2int_rz(float x) { return (int)x; }
inline int __float2int_rd(float x) { return (int)::floorf(x); }
inline int __float2int_ru(float x) { return (int)::ceilf(x); }
inline unsigned __float2uint_rn(float x) { return (unsigned)::nearbyintf(x); }
inline unsigned __float2uint_rz(float x) { return (unsigned)x; }
inline long long __float2ll_rn(float x) { return (long long)::nearbyintf(x); }
inline long long __float2ll_rz(float x) { return (long long)x; }
inline int __double2int_rn(double x) { return (int)::nearbyint(x); }
inline int __double2int_rz(double x) { return (int)x; }
inline float __int2float_rn(int x) { return (float)x; }
inline float __uint2float_rn(unsigned x) { return (float)x; }
inline float __ll2float_rn(long long x) { return (float)x; }
inline double __int2double_rn(int x) { return (double)x; }
inline float __double2float_rn(double x) { return (float)x; }

// ---- integer intrinsics
inline int __popc(unsigned x) { return std::popcount(x); }
inline int __popcll(unsigned long long x) { return std::popcount(x); }
inline int __clz(int x) { return std::countl_zero((unsigned)x); }
inline int __clzll(long long x) { return std::countl_zero((unsigned long long)x); }
inline int __ffs(int x) { return __builtin_ffs(x); }
inline int __ffsll(long long x) { return __builtin_ffsll(x); }
inline unsigned __brev(unsigned x) {
    unsigned r = 0;
    for (int i = 0; i < 32; i++) r |= ((x >> i) & 1u) << (31 - i);
    return r;
}
inline unsigned long long __brevll(unsigned long long x) {
    return ((unsigned long long)__brev((unsigned)x) << 32) | __brev((unsigned)(x >> 32));
}
inline unsigned __byte_perm(unsigned x, unsigned y, unsigned s) {
    unsigned long long v = ((unsigned long long)y << 32) | x;
    unsigned r = 0;
    for (int i = 0; i < 4; i++) r |= (unsigned)((v >> (8 * ((s >> (4 * i)) & 7))) & 0xff) << (8 * i);
    return r;
}
inline unsigned __funnelshift_l(unsigned lo, unsigned hi, unsigned shift) {
    unsigned long long v = ((unsigned long long)hi << 32) | lo;
    return (unsigned)((v << (shift & 31)) >> 32);
}
inline unsigned __funnelshift_r(unsigned lo, unsigned hi, unsigned shift) {
    unsigned long long v = ((unsigned long long)hi << 32) | lo;
    return (unsigned)(v >> (shift & 31));
}
inline int __mul24(int x, int y) { return ((x << 8) >> 8) * ((y << 8) >> 8); }
inline unsigned __umul24(unsigned x, unsigned y) { return (x & 0xffffffu) * (y & 0xffffffu); }
inline int __mulhi(int x, int y) { return (int)(((long long)x * y) >> 32); }
inline unsigned __umulhi(unsigned x, unsigned y) { return (unsigned)(((unsigned long long)x * y) >> 32); }
inline long long __mul64hi(long long x, long long y) { return (long long)(((__int128)x * y) >> 64); }
inline unsigned long long __umul64hi(unsigned long long x, unsigned long long y) {
    return (unsigned long long)(((unsigned __int128)x * y) >> 64);
}
inline int __hadd(int x, int y) { return (int)(((long long)x + y) >> 1); }
inline int __rhadd(int x, int y) { return (int)(((long long)x + y + 1) >> 1); }
inline unsigned __uhadd(unsigned x, unsigned y) { return (unsigned)(((unsigned long long)x + y) >> 1); }
inline unsigned __sad(int x, int y, unsigned z) { return z + (unsigned)(x > y ? x - y : y - x); }
inline unsigned __usad(unsigned x, unsigned y, unsigned z) { return z + (x > y ? x - y : y - x); }

// min/max as the CUDA math API overloads them (non-templates, so that they win over std::min/std::max).
#define CUDAEMU_MINMAX(A, B, R)                                                                                        \
    inline R min(A a, B b) { return (R)a < (R)b ? (R)a : (R)b; }                                                       \
    inline R max(A a, B b) { return (R)a > (R)b ? (R)a : (R)b; }
CUDAEMU_MINMAX(int, int, int)
CUDAEMU_MINMAX(unsigned, unsigned, unsigned)
CUDAEMU_MINMAX(int, unsigned, unsigned)
CUDAEMU_MINMAX(unsigned, int, unsigned)
CUDAEMU_MINMAX(long, long, long)
CUDAEMU_MINMAX(unsigned long, unsigned long, unsigned long)
CUDAEMU_MINMAX(long long, long long, long long)
CUDAEMU_MINMAX(unsigned long long, unsigned long long, unsigned long long)
CUDAEMU_MINMAX(long long, unsigned long long, unsigned long long)
CUDAEMU_MINMAX(unsigned long long, long long, unsigned long long)
#undef CUDAEMU_MINMAX
inline float min(float a, float b) { return ::fminf(a, b); }
inline float max(float a, float b) { return ::fmaxf(a, b); }
inline double min(double a, double b) { return ::fmin(a, b); }
inline double max(double a, double b) { return ::fmax(a, b); }
inline double min(float a, double b) { return ::fmin(a, b); }
inline double max(float a, double b) { return ::fmax(a, b); }
inline double min(double a, float b) { return ::fmin(a, b); }
inline double max(double a, float b) { return ::fmax(a, b); }

// ---- memory access hints are plain accesses on the host
template <class T> inline T __ldg(const T* p) { return *p; }
template <class T> inline T __ldcg(const T* p) { return *p; }
template <class T> inline T __ldca(const T* p) { return *p; }
template <class T> inline T __ldcs(const T* p) { return *p; }
template <class T> inline T __ldlu(const T* p) { return *p; }
template <class T> inline T __ldcv(const T* p) { return *p; }
template <class T> inline void __stwb(T* p, T v) { *p = v; }
template <class T> inline void __stcg(T* p, T v) { *p = v; }
template <class T> inline void __stcs(T* p, T v) { *p = v; }
template <class T> inline void __stwt(T* p, T v) { *p = v; }

inline long long clock64() { return (long long)__builtin_ia32_rdtsc(); }
inline void __nanosleep(unsigned) {}

// ---- device errors: a failed assert or __trap ends the launch with an error instead of the process
#undef assert
#ifdef NDEBUG
#define assert(e) ((void)0)
#else
#define assert(e) (static_cast<bool>(e) ? void(0) : cudaemu_assert_fail(#e, __FILE__, __LINE__, __func__))
#endif
inline void __trap(const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
    cudaemu_trap("__trap()", file, line);
}
inline void __brkpt(const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
    cudaemu_trap("__brkpt()", file, line);
}

// ---- module registration, used by the generated <module>_emu.cpp
namespace cudaemu {
template <class A> constexpr uint32_t pointee_size() {
    if constexpr (!std::is_pointer_v<A>) {
        return 0;
    } else if constexpr (std::is_void_v<std::remove_pointer_t<A>>) {
        return 1;
    } else {
        return (uint32_t)sizeof(std::remove_pointer_t<A>);
    }
}
template <class F> struct Signature;
template <class... A> struct Signature<void (*)(A...)> {
    static constexpr uint32_t count = sizeof...(A);
    // One extra entry keeps the array non-empty for kernels without parameters.
    static constexpr ParamInfo params[sizeof...(A) + 1] = {
        {(uint32_t)sizeof(A), (uint32_t)alignof(A), pointee_size<A>()}..., {0, 1, 0}};
    template <auto F, size_t... I> static void call(void** p, std::index_sequence<I...>) {
        F(*static_cast<std::remove_cv_t<A>*>(p[I])...);
    }
};
template <auto F> void thunk(void** p) {
    using S = Signature<decltype(F)>;
    S::template call<F>(p, std::make_index_sequence<S::count>{});
}
} // namespace cudaemu

// `kernel` is an expression naming the kernel function (a static_cast selects a template instance).
#define CUDAEMU_KERNEL(entry, kernel)                                                                                  \
    cudaemu::KernelDesc {                                                                                              \
        entry, &cudaemu::thunk<kernel>, cudaemu::Signature<std::decay_t<decltype(kernel)>>::count,                     \
            cudaemu::Signature<std::decay_t<decltype(kernel)>>::params                                                 \
    }
