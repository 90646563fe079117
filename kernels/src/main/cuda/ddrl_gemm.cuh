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
// the loaders return. This is the portable path; a tensor-core path would go in a helper behind
// __CUDA_ARCH__ with this as its fallback.
#pragma once

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
