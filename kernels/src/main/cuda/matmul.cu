// matmul: [batch..., M, K] x [batch..., K, N] with broadcast batch dims, on the tiled engine of
// ddrl_gemm.cuh. Operands are read in place through their views (any strides, any dtype; broadcast
// batch dims have stride 0), converted to the accumulation type T on load; the result is dense
// [batches, M, N] in the output dtype, rounded once at the end. The float kernel takes a tensor-core mode
// (DDRL_MMA_*, see ddrl_gemm.cuh): BF16 and F16 operands go through WMMA by default, F32 through TF32
// only when the caller allows it.
#include "ddrl_dtype.cuh"
#include "ddrl_view.cuh"
#include "ddrl_gemm.cuh"

/** The batch entry z's offset in a view whose last two dims are the matrix. */
__device__ __forceinline__ long long batch_offset(const ddrl_view& v, long long z) {
    return ddrl_matrix_offset(v, z, 0, 0);
}

template <class T> struct matmul_problem {
    int M, N, K;
    const ddrl_view& av;
    const ddrl_view& bv;
    const void* ap;
    const void* bp;
    void* out;
    int odt;
    long long abase, bbase, obase, ars, acs, brs, bcs;

    __device__ matmul_problem(int m, int n, int k, const ddrl_view& a, const void* ap_, const ddrl_view& b, const void* bp_, void* o,
                              int odt_)
        : M(m), N(n), K(k), av(a), bv(b), ap(ap_), bp(bp_), out(o), odt(odt_), abase(0), bbase(0), obase(0),
          ars(a.stride[a.rank - 2]), acs(a.stride[a.rank - 1]), brs(b.stride[b.rank - 2]), bcs(b.stride[b.rank - 1]) {}

    __device__ void begin(long long z) {
        abase = batch_offset(av, z);
        bbase = batch_offset(bv, z);
        obase = z * (long long)M * N;
    }
    __device__ T a(int i, int k) const { return ddrl_io<T>::load(ap, av.dtype, abase + i * ars + k * acs); }
    __device__ T b(int k, int j) const { return ddrl_io<T>::load(bp, bv.dtype, bbase + k * brs + j * bcs); }
    __device__ void store(int i, int j, T v) { ddrl_io<T>::store(out, odt, obase + (long long)i * N + j, v); }
};

template <class T>
__device__ __forceinline__ void matmul(long long batches, int m, int n, int k, const ddrl_view& a, const void* ap, const ddrl_view& b,
                                       const void* bp, void* out, int odt) {
    matmul_problem<T> p(m, n, k, a, ap, b, bp, out, odt);
    ddrl_gemm<T>(p, batches);
}

extern "C" __global__ void __launch_bounds__(DDRL_GEMM_THREADS)
ddrl_matmul_f32(long long batches, int m, int n, int k, const __grid_constant__ ddrl_view a, const void* ap,
                const __grid_constant__ ddrl_view b, const void* bp, void* out, int odt, int mma) {
    matmul_problem<float> p(m, n, k, a, ap, b, bp, out, odt);
    ddrl_gemm_f32(p, batches, mma);
}

extern "C" __global__ void __launch_bounds__(DDRL_GEMM_THREADS)
ddrl_matmul_f64(long long batches, int m, int n, int k, const __grid_constant__ ddrl_view a, const void* ap,
                const __grid_constant__ ddrl_view b, const void* bp, void* out, int odt) {
    matmul<double>(batches, m, n, k, a, ap, b, bp, out, odt);
}

/** Integer and BOOL operands: exact sums in long (wrapping). */
extern "C" __global__ void __launch_bounds__(DDRL_GEMM_THREADS)
ddrl_matmul_i64(long long batches, int m, int n, int k, const __grid_constant__ ddrl_view a, const void* ap,
                const __grid_constant__ ddrl_view b, const void* bp, void* out, int odt) {
    matmul<long long>(batches, m, n, k, a, ap, b, bp, out, odt);
}
