// The emulator's stand-in for <cuda_fp16.h>: __half and __half2 in software (see cudaemu/small_float.h).
#pragma once
#include "cudaemu/small_float.h"

CUDAEMU_SMALL_FLOAT(__half, __half2, __half_raw, cudaemu::f32_to_f16, cudaemu::f16_to_f32)

struct __half2_raw {
    unsigned short x, y;
};

inline __half __float2half(float f) { return __half(f); }
inline __half __float2half_rn(float f) { return __half(f); }
inline __half __double2half(double d) { return __half((float)d); }
inline float __half2float(__half h) { return (float)h; }
inline __half __int2half_rn(int v) { return __half((float)v); }
inline int __half2int_rn(__half h) { return (int)::nearbyintf((float)h); }
inline int __half2int_rz(__half h) { return (int)(float)h; }
inline __half2 __float2half2_rn(float f) { return __half2{__half(f), __half(f)}; }
inline __half2 __floats2half2_rn(float a, float b) { return __half2{__half(a), __half(b)}; }
inline __half2 __float22half2_rn(float2 f) { return __half2{__half(f.x), __half(f.y)}; }
inline float2 __half22float2(__half2 h) { return make_float2((float)h.x, (float)h.y); }
inline unsigned short __half_as_ushort(__half h) { return h.__x; }
inline short __half_as_short(__half h) { return (short)h.__x; }
inline __half __ushort_as_half(unsigned short v) { return __half(__half_raw{v}); }
inline __half __short_as_half(short v) { return __half(__half_raw{(unsigned short)v}); }
