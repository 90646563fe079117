// A tiled GEMM engine, C[M, N] = A[M, K] B[K, N], shared by matmul and the implicit-GEMM convolutions.
//
// A problem type P says what the matrices are, element by element:
//   int M, N, K;                                   (members)
//   __device__ void begin(long long z)            selects problem z of the launch (a batch entry, a group)
//   __device__ T a(int i, int k), b(int k, int j)  read an element (the engine only asks for ones in range)
//   __device__ void store(int i, int j, T v)       writes a finished element of C
// so a convolution reads its input through im2col index arithmetic without ever forming the matrix.
//
// Each block computes a 64x64 tile of C with 256 threads, each thread a 4x4 grid of elements spaced 16
// apart (so the 16 threads of a row read 16 consecutive shared words). The K loop stages 16-wide slices of
// A and B in shared memory. T is the accumulation type (float, double or long long), which is also what
// the loaders return. This is the portable path, for every type and architecture.
//
// Float GEMMs can also run on tensor cores (ddrl_gemm_f32 below, `mma` a DDRL_MMA_* mode): the same 64x64
// tiles, each of the 8 warps computing a 16x32 strip with nvcuda::wmma. That code exists only where
// <mma.h> does: device code for compute capability 8.0 and newer, and the emulated device (its <mma.h> is
// a software WMMA, CUDAEMU_HAS_WMMA); elsewhere every mode runs the portable path.
//
// Tolerances of the tensor-core modes (what the tests allow, against an F64 reference):
//   BF16, F16  operands that are already bf16 / f16 lose nothing (products are exact, sums in float), so
//              the result differs from the portable path only in the order of the float additions:
//              |error| <= K * 2^-23 * sum_k |a_ik b_kj| before the output is rounded to its dtype. A GPU's
//              tensor cores truncate inside each 16-term dot product, a few float ulps more.
//   TF32       float operands are rounded to tf32 (10-bit mantissa, relative error 2^-11 each), so
//              |error| <= (2^-10 + K * 2^-23) * sum_k |a_ik b_kj|: about 1e-3 relative, against about
//              1e-6 for the float path. Opt-in only (ddrl.cuda.matmul.allowTf32), as in PyTorch.
#pragma once

#include "ddrl_dtype.cuh"

#define DDRL_GEMM_BM 64
#define DDRL_GEMM_BN 64
#define DDRL_GEMM_BK 16
#define DDRL_GEMM_THREADS 256

/** acc + a * b; integers wrap (two's complement) as Java's long arithmetic does. */
__device__ __forceinline__ float ddrl_madd(float acc, float a, float b) { return acc + a * b; }
__device__ __forceinline__ double ddrl_madd(double acc, double a, double b) { return acc + a * b; }
__device__ __forceinline__ long long ddrl_madd(long long acc, long long a, long long b) {
    return (long long)((unsigned long long)acc + (unsigned long long)a * (unsigned long long)b);
}

/** Runs every tile of every problem z of the launch: grid (tiles of N, tiles of M, any z count). */
template <class T, class P>
__device__ void ddrl_gemm(P& p, long long problems) {
    __shared__ T as[DDRL_GEMM_BK][DDRL_GEMM_BM + 1];
    __shared__ T bs[DDRL_GEMM_BK][DDRL_GEMM_BN + 1];
    const int tid = threadIdx.x, tx = tid % 16, ty = tid / 16;
    const int m0 = blockIdx.y * DDRL_GEMM_BM, n0 = blockIdx.x * DDRL_GEMM_BN;
    for (long long z = blockIdx.z; z < problems; z += gridDim.z) {
        p.begin(z);
        T acc[4][4];
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++) acc[i][j] = 0;
        for (int k0 = 0; k0 < p.K; k0 += DDRL_GEMM_BK) {
            for (int l = tid; l < DDRL_GEMM_BM * DDRL_GEMM_BK; l += DDRL_GEMM_THREADS) {
                int r = l / DDRL_GEMM_BK, c = l % DDRL_GEMM_BK;
                as[c][r] = m0 + r < p.M && k0 + c < p.K ? p.a(m0 + r, k0 + c) : (T)0;
            }
            for (int l = tid; l < DDRL_GEMM_BK * DDRL_GEMM_BN; l += DDRL_GEMM_THREADS) {
                int r = l / DDRL_GEMM_BN, c = l % DDRL_GEMM_BN;
                bs[r][c] = k0 + r < p.K && n0 + c < p.N ? p.b(k0 + r, n0 + c) : (T)0;
            }
            __syncthreads();
            for (int kk = 0; kk < DDRL_GEMM_BK; kk++) {
                T av[4], bv[4];
                for (int i = 0; i < 4; i++) av[i] = as[kk][ty + 16 * i];
                for (int j = 0; j < 4; j++) bv[j] = bs[kk][tx + 16 * j];
                for (int i = 0; i < 4; i++)
                    for (int j = 0; j < 4; j++) acc[i][j] = ddrl_madd(acc[i][j], av[i], bv[j]);
            }
            __syncthreads();
        }
        for (int i = 0; i < 4; i++) {
            int m = m0 + ty + 16 * i;
            if (m >= p.M) continue;
            for (int j = 0; j < 4; j++) {
                int n = n0 + tx + 16 * j;
                if (n < p.N) p.store(m, n, acc[i][j]);
            }
        }
    }
}

// ---------------------------------------------------------------- tensor cores

/** The `mma` argument of the float GEMM kernels; CudaMatmul.java mirrors the codes. */
#define DDRL_MMA_NONE 0 // the portable engine
#define DDRL_MMA_BF16 1 // operands rounded to bf16 (exact when they are bf16), float accumulation
#define DDRL_MMA_F16 2  // operands rounded to f16 (exact when they are f16), float accumulation
#define DDRL_MMA_TF32 3 // operands rounded to tf32, float accumulation

#if (defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800 && __has_include(<mma.h>)) || defined(CUDAEMU_HAS_WMMA)
#define DDRL_GEMM_WMMA 1
#include <mma.h>

/** Per mode: the fragment element type, what shared memory holds, the k of one mma and the row padding. */
template <int MODE> struct ddrl_mma_mode;
template <> struct ddrl_mma_mode<DDRL_MMA_BF16> {
    typedef __nv_bfloat16 element; // fragment element type, and how load_matrix_sync sees shared memory
    typedef unsigned short staged; // the bit patterns written to shared memory
    static const int K = 16;
    static const int PAD = 8; // leading dims stay multiples of 16 bytes and rows shift banks
    static __device__ __forceinline__ unsigned short stage(float v) { return ddrl_f32_to_bf16(v); }
};
template <> struct ddrl_mma_mode<DDRL_MMA_F16> {
    typedef __half element;
    typedef unsigned short staged;
    static const int K = 16;
    static const int PAD = 8;
    static __device__ __forceinline__ unsigned short stage(float v) { return ddrl_f32_to_f16(v); }
};
template <> struct ddrl_mma_mode<DDRL_MMA_TF32> {
    typedef float element;
    typedef float staged;
    static const int K = 8;
    static const int PAD = 4;
    // rounded once here, so that every warp's fragments hold tf32 values (the mma ignores the low bits)
    static __device__ __forceinline__ float stage(float v) { return nvcuda::wmma::__float_to_tf32(v); }
};
template <int MODE> struct ddrl_mma_input {
    typedef typename ddrl_mma_mode<MODE>::element type;
};
template <> struct ddrl_mma_input<DDRL_MMA_TF32> {
    typedef nvcuda::wmma::precision::tf32 type;
};

#define DDRL_MMA_LDC (DDRL_GEMM_BN + 4)
#define DDRL_MMA_SMEM_BYTES (DDRL_GEMM_BM * DDRL_MMA_LDC * 4)

/**
 * One shared buffer for every mode: the staged A and B slices during the K loop, then the finished float
 * tile (17 KiB; per mode it would be three times that). Aligned for wmma's 256-bit pointers.
 */
__device__ __forceinline__ unsigned char* ddrl_mma_smem() {
    __shared__ __align__(128) unsigned char buf[DDRL_MMA_SMEM_BYTES];
    return buf;
}

/** acc[t] += A strip (16 x BK at a, row-major, lda) x B columns 16t.. (BK x 16 at b, row-major, ldb), t = 0, 1. */
template <int MODE, class Acc>
__device__ __forceinline__ void ddrl_mma_strip(Acc* acc, const typename ddrl_mma_mode<MODE>::staged* a, int lda,
                                               const typename ddrl_mma_mode<MODE>::staged* b, int ldb) {
    using namespace nvcuda;
    typedef ddrl_mma_mode<MODE> Mo;
    typedef typename ddrl_mma_input<MODE>::type In;
    typedef typename Mo::element E;
    for (int kk = 0; kk < DDRL_GEMM_BK; kk += Mo::K) {
        wmma::fragment<wmma::matrix_a, 16, 16, Mo::K, In, wmma::row_major> fa;
        wmma::load_matrix_sync(fa, reinterpret_cast<const E*>(a + kk), lda);
        for (int t = 0; t < 2; t++) {
            wmma::fragment<wmma::matrix_b, 16, 16, Mo::K, In, wmma::row_major> fb;
            wmma::load_matrix_sync(fb, reinterpret_cast<const E*>(b + kk * ldb + 16 * t), ldb);
            wmma::mma_sync(acc[t], fa, fb, acc[t]);
        }
    }
}

/** ddrl_gemm<float> on tensor cores: same grid, block and problem interface, operands rounded by the mode. */
template <int MODE, class P>
__device__ void ddrl_gemm_wmma(P& p, long long problems) {
    using namespace nvcuda;
    typedef ddrl_mma_mode<MODE> Mo;
    typedef typename Mo::staged S;
    const int lda = DDRL_GEMM_BK + Mo::PAD, ldb = DDRL_GEMM_BN + Mo::PAD, ldc = DDRL_MMA_LDC;
    unsigned char* smem = ddrl_mma_smem();
    S* as = reinterpret_cast<S*>(smem);       // [BM][lda]: the A slice, row-major
    S* bs = as + DDRL_GEMM_BM * lda;          // [BK][ldb]: the B slice, row-major
    float* cs = reinterpret_cast<float*>(smem); // [BM][ldc]: the finished tile, after the K loop
    const int tid = threadIdx.x, warp = tid / 32;
    const int wr = warp / 2, wc = warp % 2; // the warp's 16-row strip and 32-column half of the tile
    const int m0 = blockIdx.y * DDRL_GEMM_BM, n0 = blockIdx.x * DDRL_GEMM_BN;
    for (long long z = blockIdx.z; z < problems; z += gridDim.z) {
        p.begin(z);
        wmma::fragment<wmma::accumulator, 16, 16, Mo::K, float> acc[2];
        wmma::fill_fragment(acc[0], 0.0f);
        wmma::fill_fragment(acc[1], 0.0f);
        for (int k0 = 0; k0 < p.K; k0 += DDRL_GEMM_BK) {
            for (int l = tid; l < DDRL_GEMM_BM * DDRL_GEMM_BK; l += DDRL_GEMM_THREADS) {
                int r = l / DDRL_GEMM_BK, c = l % DDRL_GEMM_BK;
                as[r * lda + c] = Mo::stage(m0 + r < p.M && k0 + c < p.K ? p.a(m0 + r, k0 + c) : 0.0f);
            }
            for (int l = tid; l < DDRL_GEMM_BK * DDRL_GEMM_BN; l += DDRL_GEMM_THREADS) {
                int r = l / DDRL_GEMM_BN, c = l % DDRL_GEMM_BN;
                bs[r * ldb + c] = Mo::stage(k0 + r < p.K && n0 + c < p.N ? p.b(k0 + r, n0 + c) : 0.0f);
            }
            __syncthreads();
            ddrl_mma_strip<MODE>(acc, as + 16 * wr * lda, lda, bs + 32 * wc, ldb);
            __syncthreads();
        }
        // through shared memory, since fragment elements have no known (row, column)
        wmma::store_matrix_sync(cs + 16 * wr * ldc + 32 * wc, acc[0], ldc, wmma::mem_row_major);
        wmma::store_matrix_sync(cs + 16 * wr * ldc + 32 * wc + 16, acc[1], ldc, wmma::mem_row_major);
        __syncthreads();
        for (int l = tid; l < DDRL_GEMM_BM * DDRL_GEMM_BN; l += DDRL_GEMM_THREADS) {
            int r = l / DDRL_GEMM_BN, c = l % DDRL_GEMM_BN;
            if (m0 + r < p.M && n0 + c < p.N) p.store(m0 + r, n0 + c, cs[r * ldc + c]);
        }
        __syncthreads(); // the next problem stages its slices over this tile
    }
}
#endif

/**
 * A float GEMM in the tensor-core mode `mma` (DDRL_MMA_*, uniform over the launch) where this build has
 * tensor cores, else, and for DDRL_MMA_NONE, on the portable engine.
 */
template <class P>
__device__ void ddrl_gemm_f32(P& p, long long problems, int mma) {
#ifdef DDRL_GEMM_WMMA
    switch (mma) {
        case DDRL_MMA_BF16: ddrl_gemm_wmma<DDRL_MMA_BF16>(p, problems); return;
        case DDRL_MMA_F16: ddrl_gemm_wmma<DDRL_MMA_F16>(p, problems); return;
        case DDRL_MMA_TF32: ddrl_gemm_wmma<DDRL_MMA_TF32>(p, problems); return;
        default: break;
    }
#endif
    ddrl_gemm<float>(p, problems);
}
