// Element types of the tensor module and the conversions between them, for every kernel module.
//
// Dtype codes are the ordinals of org.ddrl.tensor.DType: F32 0, F64 1, BF16 2, F16 3, I32 4, I64 5, BOOL 6.
// The conversions reproduce the CPU backend exactly (org.ddrl.tensor.cpu.Elements and HalfFloats):
//   - BF16 and F16 are rounded to nearest even from F32; a double goes to them by way of F32;
//   - a double or float stored to I32/I64 truncates toward zero as Java's (long) cast does (NaN gives 0,
//     out-of-range values saturate to the long range), and I32 keeps the low 32 bits of that long;
//   - an integer read as F32 goes through double first ((float)(double)v), as the CPU does;
//   - BOOL stores v != 0 (so NaN is true) and reads as 0 or 1.
// The half types are plain bit patterns here (no cuda_fp16.h), so the same code runs on the emulator.
#pragma once

#define DDRL_F32 0
#define DDRL_F64 1
#define DDRL_BF16 2
#define DDRL_F16 3
#define DDRL_I32 4
#define DDRL_I64 5
#define DDRL_BOOL 6

__device__ __forceinline__ int ddrl_dtype_size(int dt) {
    switch (dt) {
        case DDRL_F64:
        case DDRL_I64: return 8;
        case DDRL_F32:
        case DDRL_I32: return 4;
        case DDRL_BF16:
        case DDRL_F16: return 2;
        default: return 1;
    }
}

__device__ __forceinline__ bool ddrl_is_floating(int dt) {
    return dt <= DDRL_F16;
}

// ---------------------------------------------------------------- 16-bit floats

__device__ __forceinline__ float ddrl_bf16_to_f32(unsigned short b) {
    return __uint_as_float((unsigned)b << 16);
}

__device__ __forceinline__ unsigned short ddrl_f32_to_bf16(float f) {
    unsigned x = __float_as_uint(f);
    if ((x & 0x7fffffffu) > 0x7f800000u) return (unsigned short)((x >> 16) | 0x0040u); // NaN stays a quiet NaN
    return (unsigned short)((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);
}

__device__ __forceinline__ float ddrl_f16_to_f32(unsigned short h) {
    unsigned sign = ((unsigned)h & 0x8000u) << 16;
    unsigned e = ((unsigned)h >> 10) & 0x1fu, m = (unsigned)h & 0x3ffu;
    if (e == 0) {
        float v = (float)m * 5.9604644775390625e-8f; // m * 2^-24, exact
        return sign ? -v : v;
    }
    if (e == 31) return __uint_as_float(sign | 0x7f800000u | (m << 13));
    return __uint_as_float(sign | ((e + 112u) << 23) | (m << 13));
}

__device__ __forceinline__ unsigned short ddrl_f32_to_f16(float f) {
    unsigned x = __float_as_uint(f);
    unsigned sign = (x >> 16) & 0x8000u, ax = x & 0x7fffffffu;
    if (ax > 0x7f800000u) return (unsigned short)(sign | 0x7e00u | ((ax >> 13) & 0x3ffu)); // NaN, quiet
    if (ax >= 0x477ff000u) return (unsigned short)(sign | 0x7c00u); // from 65520 up rounds to infinity
    if (ax >= 0x38800000u) { // normal in half: round the mantissa to nearest even at bit 13, then rebias
        unsigned r = ax + 0xfffu + ((ax >> 13) & 1u);
        return (unsigned short)(sign | ((r - 0x38000000u) >> 13));
    }
    // subnormal (or zero): the value in units of 2^-24, rounded to nearest even; 1024 carries into the
    // smallest normal, which is the right encoding
    unsigned m = (unsigned)rintf(__uint_as_float(ax) * 16777216.0f);
    return (unsigned short)(sign | m);
}

// ---------------------------------------------------------------- Java's casts

/** (long) v in Java: truncation, NaN gives 0, saturation outside the long range. */
__device__ __forceinline__ long long ddrl_d2ll(double v) {
    if (v != v) return 0;
    if (v >= 9.2233720368547758e18) return 0x7fffffffffffffffLL;
    if (v <= -9.2233720368547758e18) return (long long)(-0x7fffffffffffffffLL - 1);
    return (long long)v;
}

// ---------------------------------------------------------------- loads (element index i, not bytes)

__device__ __forceinline__ double ddrl_load_f64(const void* p, int dt, long long i) {
    switch (dt) {
        case DDRL_F32: return ((const float*)p)[i];
        case DDRL_F64: return ((const double*)p)[i];
        case DDRL_BF16: return ddrl_bf16_to_f32(((const unsigned short*)p)[i]);
        case DDRL_F16: return ddrl_f16_to_f32(((const unsigned short*)p)[i]);
        case DDRL_I32: return ((const int*)p)[i];
        case DDRL_I64: return (double)((const long long*)p)[i];
        default: return ((const unsigned char*)p)[i] != 0 ? 1.0 : 0.0;
    }
}

__device__ __forceinline__ float ddrl_load_f32(const void* p, int dt, long long i) {
    switch (dt) {
        case DDRL_F32: return ((const float*)p)[i];
        case DDRL_BF16: return ddrl_bf16_to_f32(((const unsigned short*)p)[i]);
        case DDRL_F16: return ddrl_f16_to_f32(((const unsigned short*)p)[i]);
        default: return (float)ddrl_load_f64(p, dt, i);
    }
}

__device__ __forceinline__ long long ddrl_load_i64(const void* p, int dt, long long i) {
    switch (dt) {
        case DDRL_I32: return ((const int*)p)[i];
        case DDRL_I64: return ((const long long*)p)[i];
        case DDRL_BOOL: return ((const unsigned char*)p)[i] != 0 ? 1 : 0;
        default: return ddrl_d2ll(ddrl_load_f64(p, dt, i));
    }
}

/** Whether the element is non-zero: what casting it to BOOL gives (NaN is true). */
__device__ __forceinline__ bool ddrl_load_bool(const void* p, int dt, long long i) {
    switch (dt) {
        case DDRL_BOOL: return ((const unsigned char*)p)[i] != 0;
        case DDRL_I32: return ((const int*)p)[i] != 0;
        case DDRL_I64: return ((const long long*)p)[i] != 0;
        default: return ddrl_load_f64(p, dt, i) != 0.0;
    }
}

// ---------------------------------------------------------------- stores

__device__ __forceinline__ void ddrl_store_f64(void* p, int dt, long long i, double v) {
    switch (dt) {
        case DDRL_F32: ((float*)p)[i] = (float)v; break;
        case DDRL_F64: ((double*)p)[i] = v; break;
        case DDRL_BF16: ((unsigned short*)p)[i] = ddrl_f32_to_bf16((float)v); break;
        case DDRL_F16: ((unsigned short*)p)[i] = ddrl_f32_to_f16((float)v); break;
        case DDRL_I32: ((int*)p)[i] = (int)ddrl_d2ll(v); break;
        case DDRL_I64: ((long long*)p)[i] = ddrl_d2ll(v); break;
        default: ((unsigned char*)p)[i] = v != 0.0 ? 1 : 0; break;
    }
}

__device__ __forceinline__ void ddrl_store_f32(void* p, int dt, long long i, float v) {
    switch (dt) {
        case DDRL_F32: ((float*)p)[i] = v; break;
        case DDRL_BF16: ((unsigned short*)p)[i] = ddrl_f32_to_bf16(v); break;
        case DDRL_F16: ((unsigned short*)p)[i] = ddrl_f32_to_f16(v); break;
        default: ddrl_store_f64(p, dt, i, (double)v); break;
    }
}

__device__ __forceinline__ void ddrl_store_i64(void* p, int dt, long long i, long long v) {
    switch (dt) {
        case DDRL_I32: ((int*)p)[i] = (int)v; break;
        case DDRL_I64: ((long long*)p)[i] = v; break;
        case DDRL_BOOL: ((unsigned char*)p)[i] = v != 0 ? 1 : 0; break;
        default: ddrl_store_f64(p, dt, i, (double)v); break;
    }
}

/** Copies element si of s to element di of d, converting as the CPU's cast does (bits when the dtypes match). */
__device__ __forceinline__ void ddrl_convert(const void* s, int sdt, long long si, void* d, int ddt, long long di) {
    if (sdt == ddt) {
        switch (ddrl_dtype_size(sdt)) {
            case 8: ((unsigned long long*)d)[di] = ((const unsigned long long*)s)[si]; break;
            case 4: ((unsigned*)d)[di] = ((const unsigned*)s)[si]; break;
            case 2: ((unsigned short*)d)[di] = ((const unsigned short*)s)[si]; break;
            default: ((unsigned char*)d)[di] = ((const unsigned char*)s)[si]; break;
        }
    } else if (!ddrl_is_floating(sdt) && !ddrl_is_floating(ddt)) {
        ddrl_store_i64(d, ddt, di, ddrl_load_i64(s, sdt, si));
    } else {
        ddrl_store_f64(d, ddt, di, ddrl_load_f64(s, sdt, si));
    }
}

// ---------------------------------------------------------------- compute-type dispatch

/** Loads and stores in a kernel's compute type T: float, double or long long. */
template <class T> struct ddrl_io;

template <> struct ddrl_io<float> {
    static __device__ __forceinline__ float load(const void* p, int dt, long long i) { return ddrl_load_f32(p, dt, i); }
    static __device__ __forceinline__ void store(void* p, int dt, long long i, float v) { ddrl_store_f32(p, dt, i, v); }
};

template <> struct ddrl_io<double> {
    static __device__ __forceinline__ double load(const void* p, int dt, long long i) { return ddrl_load_f64(p, dt, i); }
    static __device__ __forceinline__ void store(void* p, int dt, long long i, double v) { ddrl_store_f64(p, dt, i, v); }
};

template <> struct ddrl_io<long long> {
    static __device__ __forceinline__ long long load(const void* p, int dt, long long i) { return ddrl_load_i64(p, dt, i); }
    static __device__ __forceinline__ void store(void* p, int dt, long long i, long long v) { ddrl_store_i64(p, dt, i, v); }
};
