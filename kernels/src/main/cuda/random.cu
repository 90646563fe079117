// rand_uniform, rand_normal and rand_int: the Philox 4x32-10 stream layout of
// org.ddrl.tensor.rng.Philox, one thread per counter block, so the results equal the CPU's: bit for bit
// for uniform and randint (integer and exactly rounded arithmetic only, no fused multiply-add), and for
// normal within the last bit of the F64 log, sin and cos, which are CUDA's here and StrictMath's there
// (after rounding to F32 or a half type that almost never shows; F64 normals may differ in the last bit).
#include "ddrl_dtype.cuh"
#include "ddrl_view.cuh"

/** The four output words of counter block b under the key (seed low word, seed high word). */
__device__ __forceinline__ void philox_block(unsigned long long seed, unsigned long long b, unsigned w[4]) {
    unsigned c0 = (unsigned)b, c1 = (unsigned)(b >> 32), c2 = 0, c3 = 0;
    unsigned k0 = (unsigned)seed, k1 = (unsigned)(seed >> 32);
    for (int r = 0; r < 10; r++) {
        unsigned long long p0 = 0xD2511F53ull * c0;
        unsigned long long p1 = 0xCD9E8D57ull * c2;
        unsigned n0 = (unsigned)(p1 >> 32) ^ c1 ^ k0;
        unsigned n2 = (unsigned)(p0 >> 32) ^ c3 ^ k1;
        c1 = (unsigned)p1;
        c3 = (unsigned)p0;
        c0 = n0;
        c2 = n2;
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    w[0] = c0;
    w[1] = c1;
    w[2] = c2;
    w[3] = c3;
}

/** x as a store to the floating dtype dt rounds it. */
__device__ __forceinline__ double stored(int dt, double x) {
    switch (dt) {
        case DDRL_F64: return x;
        case DDRL_F32: return (float)x;
        case DDRL_BF16: return ddrl_bf16_to_f32(ddrl_f32_to_bf16((float)x));
        default: return ddrl_f16_to_f32(ddrl_f32_to_f16((float)x));
    }
}

/** Element i = low + (high - low) * u, u the top `bits` bits of its draw; low when rounding reaches high. */
extern "C" __global__ void ddrl_rand_uniform(long long n, void* out, int dt, unsigned long long seed, unsigned long long offset,
                                             double low, double high, double low_stored, int bits) {
    bool wide = dt == DDRL_F64;
    long long per = wide ? 2 : 4;
    double range = high - low, scale = ldexp(1.0, -bits);
    ddrl_for_each((n + per - 1) / per, [&](auto blk) {
        unsigned w[4];
        long long b = (long long)blk;
        philox_block(seed, offset + b, w);
        for (int j = 0; j < per && b * per + j < n; j++) {
            double u = wide ? (double)((((unsigned long long)w[2 * j + 1] << 32) | w[2 * j]) >> 11) * scale
                            : (double)(w[j] >> (32 - bits)) * scale;
            double v = stored(dt, __dadd_rn(low, __dmul_rn(range, u)));
            ddrl_store_f64(out, dt, b * per + j, v >= high ? low_stored : v);
        }
    });
}

/** Elements e (cosine) and e + 1 (sine) of one Box-Muller pair, those below n. */
__device__ __forceinline__ void box_muller(void* out, int dt, long long e, long long n, double mean, double std, double u1,
                                           double u2) {
    if (e >= n) return;
    const double two_pi = 2.0 * 3.141592653589793;
    double r = sqrt(-2.0 * log(u1));
    double t = __dmul_rn(two_pi, u2);
    ddrl_store_f64(out, dt, e, __dadd_rn(mean, __dmul_rn(std, __dmul_rn(r, cos(t)))));
    if (e + 1 < n) ddrl_store_f64(out, dt, e + 1, __dadd_rn(mean, __dmul_rn(std, __dmul_rn(r, sin(t)))));
}

extern "C" __global__ void ddrl_rand_normal(long long n, void* out, int dt, unsigned long long seed, unsigned long long offset,
                                            double mean, double std) {
    bool wide = dt == DDRL_F64;
    long long per = wide ? 2 : 4;
    ddrl_for_each((n + per - 1) / per, [&](auto blk) {
        unsigned w[4];
        long long b = (long long)blk;
        philox_block(seed, offset + b, w);
        if (wide) {
            unsigned long long d1 = ((((unsigned long long)w[1]) << 32) | w[0]) >> 11;
            unsigned long long d2 = ((((unsigned long long)w[3]) << 32) | w[2]) >> 11;
            box_muller(out, dt, 2 * b, n, mean, std, (double)(d1 + 1) * 0x1p-53, (double)d2 * 0x1p-53);
        } else {
            box_muller(out, dt, 4 * b, n, mean, std, ((double)w[0] + 1.0) * 0x1p-32, (double)w[1] * 0x1p-32);
            box_muller(out, dt, 4 * b + 2, n, mean, std, ((double)w[2] + 1.0) * 0x1p-32, (double)w[3] * 0x1p-32);
        }
    });
}

/** Element i = low + floor(draw_i * range / 2^64) with 64-bit wrap-around, range = high - low as unsigned. */
extern "C" __global__ void ddrl_rand_int(long long n, void* out, int dt, unsigned long long seed, unsigned long long offset,
                                         long long low, unsigned long long range) {
    ddrl_for_each((n + 1) / 2, [&](auto blk) {
        unsigned w[4];
        long long b = (long long)blk;
        philox_block(seed, offset + b, w);
        for (int j = 0; j < 2 && 2 * b + j < n; j++) {
            unsigned long long draw = ((unsigned long long)w[2 * j + 1] << 32) | w[2 * j];
            ddrl_store_i64(out, dt, 2 * b + j, (long long)((unsigned long long)low + __umul64hi(draw, range)));
        }
    });
}
