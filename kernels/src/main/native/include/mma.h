// The emulator's stand-in for <mma.h>: nvcuda::wmma (warp matrix multiply-accumulate on tensor cores) in
// software, for the shapes and types the project's kernels use:
//   __half and __nv_bfloat16 inputs at m16n16k16, m32n8k16 and m8n32k16, precision::tf32 inputs at
//   m16n16k8, float accumulators.
//
// CUDA leaves the mapping of a tile's elements to the lanes of a warp unspecified, so here every lane holds
// the whole tile (`x` is the tile in row-major order, num_elements = rows * cols). Code that touches
// fragment elements only through num_elements and x[i] with the same operation for every element, as
// CUDA requires, runs unchanged.
//
// What is checked, as on a GPU these are undefined behaviour (a launch error naming the call site):
//   - load_matrix_sync, store_matrix_sync and mma_sync are warp-collective: all 32 lanes of a complete warp
//     must reach the same call (a lane that returned, waits elsewhere or sits in a partial warp is reported);
//   - the lanes of a warp pass the same pointer, leading dimension and layout;
//   - the pointer is 256-bit aligned and the leading dimension a multiple of 16 bytes.
// The warp meets before a load (so the lanes' earlier writes are all in memory) and after it (so no lane
// overwrites the source before every lane has read it), and before a store, where each lane writes only
// every 32nd element: reading what other lanes stored needs a __syncwarp or __syncthreads, as on a GPU.
//
// Numerics: the products of 16-bit inputs are exact in float; tf32 inputs are truncated to their 10-bit
// mantissa (the tensor cores ignore the low 13 bits; round first with __float_to_tf32). Each mma_sync adds
// the exact k-long dot products to the accumulator with one rounding to float. Tensor cores round inside
// the dot product too (they align the products and truncate), so a GPU may differ from this in the last
// bits of float; compare with tolerances.
#pragma once

#include "cuda_bf16.h"
#include "cuda_fp16.h"

namespace nvcuda {
namespace wmma {

struct row_major;
struct col_major;
struct matrix_a;
struct matrix_b;
struct accumulator;
namespace precision {
struct tf32;
}
enum layout_t { mem_row_major, mem_col_major };

/** Rounds to the nearest tf32 value, ties away from zero (cvt.rna.tf32.f32): the low 13 mantissa bits become 0. */
inline float __float_to_tf32(float in) {
    unsigned u = std::bit_cast<unsigned>(in);
    if ((u & 0x7f800000u) == 0x7f800000u) return in; // infinities and NaNs pass unchanged
    return std::bit_cast<float>((u + 0x1000u) & ~0x1fffu);
}

namespace cudaemu_detail {
template <class T> struct storage {
    using type = T;
};
template <> struct storage<precision::tf32> {
    using type = float;
};

template <class Use, int M, int N, int K> struct tile;
template <int M, int N, int K> struct tile<matrix_a, M, N, K> {
    static constexpr int rows = M, cols = K;
};
template <int M, int N, int K> struct tile<matrix_b, M, N, K> {
    static constexpr int rows = K, cols = N;
};
template <int M, int N, int K> struct tile<accumulator, M, N, K> {
    static constexpr int rows = M, cols = N;
};

template <int M, int N, int K> constexpr bool half_shape = (M == 16 && N == 16 && K == 16) || (M == 32 && N == 8 && K == 16) ||
                                                           (M == 8 && N == 32 && K == 16);
template <int M, int N, int K> constexpr bool tf32_shape = M == 16 && N == 16 && K == 8;

template <class Use, int M, int N, int K, class T, class Layout> constexpr bool supported() {
    if constexpr (std::is_same_v<Use, accumulator>) {
        return std::is_same_v<T, float> && std::is_void_v<Layout> && (half_shape<M, N, K> || tf32_shape<M, N, K>);
    } else {
        constexpr bool layout = std::is_same_v<Layout, row_major> || std::is_same_v<Layout, col_major>;
        constexpr bool half = std::is_same_v<T, __half> || std::is_same_v<T, __nv_bfloat16>;
        return layout && ((half && half_shape<M, N, K>) || (std::is_same_v<T, precision::tf32> && tf32_shape<M, N, K>));
    }
}

inline float to_float(float v) { return v; }
inline float to_float(__half v) { return (float)v; }
inline float to_float(__nv_bfloat16 v) { return (float)v; }

/** The linear thread index in the block, and whether its warp has all 32 lanes. */
inline unsigned linear_thread() { return threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z); }

/** Ends the launch with "wmma::<op>: <problem>" at the caller's line. */
[[noreturn]] inline void fail(const char* op, const char* problem, const char* file, int line) {
    thread_local char what[200];
    std::snprintf(what, sizeof what, "wmma::%s: %s", op, problem);
    cudaemu_trap(what, file, line);
}

inline void check_warp(const char* op, const char* file, int line) {
    unsigned threads = blockDim.x * blockDim.y * blockDim.z;
    if ((linear_thread() / 32 + 1) * 32 > threads) {
        fail(op, "needs a complete warp of 32 lanes, and this thread is in the block's partial last warp", file, line);
    }
}

/**
 * The warp-collective part of a load or store: every lane of the warp arrives (a lane missing is a
 * deadlock or a strict-mode error reported at this call), and all pass the same arguments.
 */
inline void meet(const char* op, const void* p, unsigned ldm, int layout, unsigned bytes_per_element, const char* file,
                 int line) {
    check_warp(op, file, line);
    unsigned long long key = (unsigned long long)(uintptr_t)p * 0x9e3779b97f4a7c15ull ^ ((unsigned long long)ldm << 2) ^
                             (unsigned long long)layout;
    if (cudaemu_warp_op(::cudaemu::WARP_MATCH_ALL, 0xffffffffu, key, 0, 32, file, line) == 0) {
        fail(op, "the lanes of the warp passed different pointers, leading dimensions or layouts", file, line);
    }
    if ((uintptr_t)p % 32 != 0) fail(op, "the pointer is not 256-bit (32-byte) aligned", file, line);
    if (ldm * bytes_per_element % 16 != 0) fail(op, "the leading dimension is not a multiple of 16 bytes", file, line);
}

inline void warp_sync(const char* file, int line) { cudaemu_warp_op(::cudaemu::WARP_SYNC, 0xffffffffu, 0, 0, 32, file, line); }

/** Element (r, c) of a matrix at p with leading dimension ldm, read without aliasing assumptions. */
template <class S> inline S read(const S* p, unsigned ldm, bool row_major, int r, int c) {
    S v;
    std::memcpy(&v, p + (row_major ? (size_t)r * ldm + c : (size_t)c * ldm + r), sizeof(S));
    return v;
}

/** The value the tensor cores read: tf32 operands lose their low 13 mantissa bits. */
template <class T, class S> inline double operand(S v) {
    if constexpr (std::is_same_v<T, precision::tf32>) {
        return (double)std::bit_cast<float>(std::bit_cast<unsigned>(v) & ~0x1fffu);
    } else {
        return (double)to_float(v);
    }
}
} // namespace cudaemu_detail

template <class Use, int M, int N, int K, class T, class Layout = void> class fragment {
    static_assert(cudaemu_detail::supported<Use, M, N, K, T, Layout>(),
                  "this wmma fragment (use, shape, type, layout) is not provided by the CUDA emulator: matrix_a/matrix_b "
                  "of __half or __nv_bfloat16 at m16n16k16, m32n8k16, m8n32k16 or precision::tf32 at m16n16k8 with "
                  "row_major or col_major, and float accumulators");

  public:
    static constexpr int rows = cudaemu_detail::tile<Use, M, N, K>::rows;
    static constexpr int cols = cudaemu_detail::tile<Use, M, N, K>::cols;
    enum { num_elements = rows * cols, num_storage_elements = rows * cols };
    typedef T element_type;
    typedef typename cudaemu_detail::storage<T>::type storage_element_type;
    storage_element_type x[num_elements];
};

template <class Use, int M, int N, int K, class T, class Layout, class V>
inline void fill_fragment(fragment<Use, M, N, K, T, Layout>& f, const V& v) {
    using S = typename fragment<Use, M, N, K, T, Layout>::storage_element_type;
    for (int i = 0; i < f.num_elements; i++) f.x[i] = S(v);
}

template <class Use, int M, int N, int K, class T, class Layout>
inline void load_matrix_sync(fragment<Use, M, N, K, T, Layout>& f,
                             const typename fragment<Use, M, N, K, T, Layout>::storage_element_type* p, unsigned ldm,
                             const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
    static_assert(!std::is_same_v<Use, accumulator>, "an accumulator load takes a layout_t");
    using F = fragment<Use, M, N, K, T, Layout>;
    constexpr bool row = std::is_same_v<Layout, row_major>;
    cudaemu_detail::meet("load_matrix_sync", p, ldm, row ? 0 : 1, sizeof(typename F::storage_element_type), file, line);
    for (int r = 0; r < F::rows; r++)
        for (int c = 0; c < F::cols; c++) f.x[r * F::cols + c] = cudaemu_detail::read(p, ldm, row, r, c);
    cudaemu_detail::warp_sync(file, line);
}

template <int M, int N, int K>
inline void load_matrix_sync(fragment<accumulator, M, N, K, float>& f, const float* p, unsigned ldm, layout_t layout,
                             const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
    using F = fragment<accumulator, M, N, K, float>;
    cudaemu_detail::meet("load_matrix_sync", p, ldm, (int)layout, sizeof(float), file, line);
    for (int r = 0; r < F::rows; r++)
        for (int c = 0; c < F::cols; c++) f.x[r * F::cols + c] = cudaemu_detail::read(p, ldm, layout == mem_row_major, r, c);
    cudaemu_detail::warp_sync(file, line);
}

template <int M, int N, int K>
inline void store_matrix_sync(float* p, const fragment<accumulator, M, N, K, float>& f, unsigned ldm, layout_t layout,
                              const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
    using F = fragment<accumulator, M, N, K, float>;
    cudaemu_detail::meet("store_matrix_sync", p, ldm, (int)layout, sizeof(float), file, line);
    // Each lane writes its share: a lane that reads another lane's elements without a barrier reads stale memory.
    for (int i = (int)(cudaemu_detail::linear_thread() % 32); i < F::num_elements; i += 32) {
        int r = i / F::cols, c = i % F::cols;
        float v = f.x[i];
        std::memcpy(p + (layout == mem_row_major ? (size_t)r * ldm + c : (size_t)c * ldm + r), &v, sizeof v);
    }
}

/** d = a b + c; d may be c. */
template <int M, int N, int K, class T, class LA, class LB>
inline void mma_sync(fragment<accumulator, M, N, K, float>& d, const fragment<matrix_a, M, N, K, T, LA>& a,
                     const fragment<matrix_b, M, N, K, T, LB>& b, const fragment<accumulator, M, N, K, float>& c,
                     const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
    cudaemu_detail::check_warp("mma_sync", file, line);
    cudaemu_detail::warp_sync(file, line);
    double av[M][K], bv[K][N];
    for (int i = 0; i < M; i++)
        for (int k = 0; k < K; k++) av[i][k] = cudaemu_detail::operand<T>(a.x[i * K + k]);
    for (int k = 0; k < K; k++)
        for (int j = 0; j < N; j++) bv[k][j] = cudaemu_detail::operand<T>(b.x[k * N + j]);
    for (int i = 0; i < M; i++) {
        for (int j = 0; j < N; j++) {
            double dot = 0; // the products are exact in double, the sum nearly so
            for (int k = 0; k < K; k++) dot += av[i][k] * bv[k][j];
            d.x[i * N + j] = (float)((double)c.x[i * N + j] + dot);
        }
    }
}

} // namespace wmma
} // namespace nvcuda
