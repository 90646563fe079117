// Test kernels of the emulator's WMMA (nvcuda::wmma from <mma.h>): one warp multiplies 16x16 tiles in every
// operand layout, and some kernels break WMMA's rules on purpose to check that the emulator reports it.
// Valid CUDA for compute capability 8.0 and newer, so the file also builds to PTX and runs on a GPU
// (where the rule-breaking kernels are undefined behaviour).
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <mma.h>

using namespace nvcuda;

template <class A, class B> struct selftest_same {
    static const bool value = false;
};
template <class A> struct selftest_same<A, A> {
    static const bool value = true;
};

template <class T> struct selftest_storage {
    typedef T type;
};
template <> struct selftest_storage<wmma::precision::tf32> {
    typedef float type;
};

/**
 * c = a b + c for one m16n16kK tile, a and b in the given layouts (leading dimension: the stored row or
 * column length), c in row- or column-major order. tf32 operands are rounded with __float_to_tf32 first.
 */
template <class T, int K, class LA, class LB>
__device__ void selftest_tile(const void* a, const void* b, float* c, int c_col) {
    typedef typename selftest_storage<T>::type S;
    const bool a_row = selftest_same<LA, wmma::row_major>::value, b_row = selftest_same<LB, wmma::row_major>::value;
    wmma::fragment<wmma::matrix_a, 16, 16, K, T, LA> fa;
    wmma::fragment<wmma::matrix_b, 16, 16, K, T, LB> fb;
    wmma::fragment<wmma::accumulator, 16, 16, K, float> fc;
    wmma::load_matrix_sync(fa, static_cast<const S*>(a), a_row ? K : 16);
    wmma::load_matrix_sync(fb, static_cast<const S*>(b), b_row ? 16 : K);
    if (selftest_same<T, wmma::precision::tf32>::value) {
        for (int i = 0; i < fa.num_elements; i++) fa.x[i] = wmma::__float_to_tf32(fa.x[i]);
        for (int i = 0; i < fb.num_elements; i++) fb.x[i] = wmma::__float_to_tf32(fb.x[i]);
    }
    wmma::layout_t lc = c_col ? wmma::mem_col_major : wmma::mem_row_major;
    wmma::load_matrix_sync(fc, c, 16, lc);
    wmma::mma_sync(fc, fa, fb, fc);
    wmma::store_matrix_sync(c, fc, 16, lc);
}

template <class T, int K>
__device__ void selftest_tile_layouts(const void* a, const void* b, float* c, int a_col, int b_col, int c_col) {
    if (a_col && b_col) selftest_tile<T, K, wmma::col_major, wmma::col_major>(a, b, c, c_col);
    else if (a_col) selftest_tile<T, K, wmma::col_major, wmma::row_major>(a, b, c, c_col);
    else if (b_col) selftest_tile<T, K, wmma::row_major, wmma::col_major>(a, b, c, c_col);
    else selftest_tile<T, K, wmma::row_major, wmma::row_major>(a, b, c, c_col);
}

// One warp: type 0 __half and 1 __nv_bfloat16 (m16n16k16), 2 tf32 (m16n16k8).
extern "C" __global__ void selftest_wmma_tile(const void* a, const void* b, float* c, int type, int a_col, int b_col, int c_col) {
    if (type == 0) selftest_tile_layouts<__half, 16>(a, b, c, a_col, b_col, c_col);
    else if (type == 1) selftest_tile_layouts<__nv_bfloat16, 16>(a, b, c, a_col, b_col, c_col);
    else selftest_tile_layouts<wmma::precision::tf32, 8>(a, b, c, a_col, b_col, c_col);
}

/** Loads a tile at a + offset (in elements), the same for all lanes unless lane_stride is nonzero. */
extern "C" __global__ void selftest_wmma_load(const __half* a, float* out, int offset, int lane_stride, int lanes) {
    if (threadIdx.x % 32 >= (unsigned)lanes) return;
    wmma::fragment<wmma::matrix_a, 16, 16, 16, __half, wmma::row_major> fa;
    wmma::load_matrix_sync(fa, a + offset + (threadIdx.x % 2) * lane_stride, 16);
    out[threadIdx.x] = __half2float(fa.x[0]);
}

/**
 * Each lane stores a tile of 3s to shared memory, then reads an element another lane stored: right after
 * a __syncwarp, undefined without one (the emulator then shows unwritten, poisoned memory).
 */
extern "C" __global__ void selftest_wmma_store_read(float* out, int sync) {
    __shared__ __align__(32) float tile[256];
    wmma::fragment<wmma::accumulator, 16, 16, 16, float> f;
    wmma::fill_fragment(f, 3.0f);
    wmma::store_matrix_sync(tile, f, 16, wmma::mem_row_major);
    if (sync) __syncwarp();
    out[threadIdx.x] = tile[(threadIdx.x * 8 + 1) % 256];
}
