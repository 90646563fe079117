// full, arange, linspace and eye into dense outputs. Values follow the CPU backend exactly: the affine
// formulas are evaluated in double with separate roundings (no fused multiply-add, which nvcc would
// otherwise contract), then stored to the dtype.
#include "ddrl_dtype.cuh"
#include "ddrl_view.cuh"

/** Every element set to value (stored to dt). */
extern "C" __global__ void ddrl_fill(long long n, void* out, int dt, double value) {
    ddrl_for_each(n, [&](auto i) { ddrl_store_f64(out, dt, (long long)i, value); });
}

/** start + i * step; exact is set for integer dtypes with whole start and step, computed then in wrapping long arithmetic. */
extern "C" __global__ void ddrl_arange(long long n, void* out, int dt, double start, double step, int exact) {
    long long s0 = ddrl_d2ll(start), st = ddrl_d2ll(step);
    ddrl_for_each(n, [&](auto i) {
        if (exact) {
            ddrl_store_i64(out, dt, (long long)i, (long long)((unsigned long long)s0 + (unsigned long long)i * (unsigned long long)st));
        } else {
            ddrl_store_f64(out, dt, (long long)i, __dadd_rn(start, __dmul_rn((double)(long long)i, step)));
        }
    });
}

/** n values from start to end: the first half counted up from start, the rest down from end (as PyTorch). */
extern "C" __global__ void ddrl_linspace(long long n, void* out, int dt, double start, double end, double step) {
    ddrl_for_each(n, [&](auto i) {
        long long k = (long long)i;
        double v = k < n / 2 ? __dadd_rn(start, __dmul_rn((double)k, step)) : __dadd_rn(end, -__dmul_rn((double)(n - 1 - k), step));
        ddrl_store_f64(out, dt, k, v);
    });
}

/** Ones on the diagonal of a zero-filled [n, m] output. */
extern "C" __global__ void ddrl_eye(int n, int m, void* out, int dt) {
    int k = n < m ? n : m;
    ddrl_for_each(k, [&](auto i) { ddrl_store_f64(out, dt, (long long)i * m + (long long)i, 1.0); });
}
