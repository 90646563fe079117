// Software 16-bit floats for the emulator's cuda_fp16.h and cuda_bf16.h: storage is the 16-bit pattern,
// arithmetic is done in float and rounded back to nearest even, as the GPU's bf16 units do and as the
// GPU's fp16 units do up to rare double-rounding differences in sums and quotients.
#pragma once

#include <atomic>
#include <bit>
#include <cmath>
#include <cstdint>

namespace cudaemu {

inline unsigned short f32_to_f16(float f) {
    uint32_t x = std::bit_cast<uint32_t>(f);
    uint32_t sign = (x >> 16) & 0x8000u;
    uint32_t ax = x & 0x7fffffffu;
    if (ax > 0x7f800000u) return 0x7fff; // NaN: the canonical NaN, as the GPU converts it
    if (ax >= 0x477ff000u) return (unsigned short)(sign | 0x7c00u); // rounds past 65504: infinity
    if (ax < 0x38800000u) {
        // Subnormal or zero: units of 2^-24, scaled exactly and rounded to nearest even by nearbyint.
        float units = std::bit_cast<float>(ax) * 16777216.0f;
        return (unsigned short)(sign | (uint32_t)std::nearbyint(units));
    }
    uint32_t h = (((ax >> 23) - 112u) << 10) | ((ax & 0x7fffffu) >> 13);
    uint32_t rest = ax & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) h++; // a carry into the exponent is right too
    return (unsigned short)(sign | h);
}

inline float f16_to_f32(unsigned short h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t e = (h >> 10) & 0x1fu, m = h & 0x3ffu;
    if (e == 0) {
        float v = (float)m * 5.9604644775390625e-8f; // m * 2^-24, exact
        return std::bit_cast<float>(std::bit_cast<uint32_t>(v) | sign);
    }
    if (e == 31) return std::bit_cast<float>(sign | 0x7f800000u | (m << 13));
    return std::bit_cast<float>(sign | ((e + 112u) << 23) | (m << 13));
}

inline unsigned short f32_to_bf16(float f) {
    uint32_t x = std::bit_cast<uint32_t>(f);
    if ((x & 0x7fffffffu) > 0x7f800000u) return 0x7fff;
    return (unsigned short)((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);
}

inline float bf16_to_f32(unsigned short h) { return std::bit_cast<float>((uint32_t)h << 16); }

} // namespace cudaemu

// T: the scalar type, T2: its pair, RAW: the raw struct, TO/FROM: conversions to and from float bits.
#define CUDAEMU_SMALL_FLOAT(T, T2, RAW, TO, FROM)                                                                      \
    struct RAW {                                                                                                       \
        unsigned short x;                                                                                              \
    };                                                                                                                 \
    struct alignas(2) T {                                                                                              \
        unsigned short __x;                                                                                            \
        T() = default;                                                                                                 \
        constexpr T(RAW r) : __x(r.x) {}                                                                               \
        T(float f) : __x(TO(f)) {}                                                                                     \
        T(double d) : __x(TO((float)d)) {}                                                                             \
        T(int v) : __x(TO((float)v)) {}                                                                                \
        T(unsigned v) : __x(TO((float)v)) {}                                                                           \
        T(long long v) : __x(TO((float)v)) {}                                                                          \
        T(unsigned long long v) : __x(TO((float)v)) {}                                                                 \
        T(short v) : __x(TO((float)v)) {}                                                                              \
        T(unsigned short v) : __x(TO((float)v)) {}                                                                     \
        operator float() const { return FROM(__x); }                                                                   \
        operator RAW() const { return RAW{__x}; }                                                                      \
    };                                                                                                                 \
    struct alignas(4) T2 {                                                                                             \
        T x, y;                                                                                                        \
    };                                                                                                                 \
    inline T operator+(T a, T b) { return T((float)a + (float)b); }                                                    \
    inline T operator-(T a, T b) { return T((float)a - (float)b); }                                                    \
    inline T operator*(T a, T b) { return T((float)a * (float)b); }                                                    \
    inline T operator/(T a, T b) { return T((float)a / (float)b); }                                                    \
    inline T operator-(T a) { return T(RAW{(unsigned short)(a.__x ^ 0x8000u)}); }                                      \
    inline T operator+(T a) { return a; }                                                                              \
    inline T& operator+=(T& a, T b) { return a = a + b; }                                                              \
    inline T& operator-=(T& a, T b) { return a = a - b; }                                                              \
    inline T& operator*=(T& a, T b) { return a = a * b; }                                                              \
    inline T& operator/=(T& a, T b) { return a = a / b; }                                                              \
    inline bool operator==(T a, T b) { return (float)a == (float)b; }                                                  \
    inline bool operator!=(T a, T b) { return (float)a != (float)b; }                                                  \
    inline bool operator<(T a, T b) { return (float)a < (float)b; }                                                    \
    inline bool operator<=(T a, T b) { return (float)a <= (float)b; }                                                  \
    inline bool operator>(T a, T b) { return (float)a > (float)b; }                                                    \
    inline bool operator>=(T a, T b) { return (float)a >= (float)b; }                                                  \
    inline T2 operator+(T2 a, T2 b) { return T2{a.x + b.x, a.y + b.y}; }                                               \
    inline T2 operator-(T2 a, T2 b) { return T2{a.x - b.x, a.y - b.y}; }                                               \
    inline T2 operator*(T2 a, T2 b) { return T2{a.x * b.x, a.y * b.y}; }                                               \
    inline T2 operator/(T2 a, T2 b) { return T2{a.x / b.x, a.y / b.y}; }                                               \
    inline T2& operator+=(T2& a, T2 b) { return a = a + b; }                                                           \
    inline T2& operator*=(T2& a, T2 b) { return a = a * b; }                                                           \
    inline T __hadd(T a, T b) { return a + b; }                                                                        \
    inline T __hsub(T a, T b) { return a - b; }                                                                        \
    inline T __hmul(T a, T b) { return a * b; }                                                                        \
    inline T __hdiv(T a, T b) { return a / b; }                                                                        \
    inline T __hfma(T a, T b, T c) { return T(::fmaf((float)a, (float)b, (float)c)); }                                 \
    inline T __hneg(T a) { return -a; }                                                                                \
    inline T __habs(T a) { return T(RAW{(unsigned short)(a.__x & 0x7fffu)}); }                                         \
    inline T __hmax(T a, T b) { return T(::fmaxf((float)a, (float)b)); }                                               \
    inline T __hmin(T a, T b) { return T(::fminf((float)a, (float)b)); }                                               \
    inline bool __heq(T a, T b) { return a == b; }                                                                     \
    inline bool __hne(T a, T b) { return a != b; }                                                                     \
    inline bool __hlt(T a, T b) { return a < b; }                                                                      \
    inline bool __hle(T a, T b) { return a <= b; }                                                                     \
    inline bool __hgt(T a, T b) { return a > b; }                                                                      \
    inline bool __hge(T a, T b) { return a >= b; }                                                                     \
    inline bool __hisnan(T a) { return std::isnan((float)a); }                                                         \
    inline int __hisinf(T a) { return std::isinf((float)a) ? ((float)a > 0 ? 1 : -1) : 0; }                           \
    inline T hsqrt(T a) { return T(::sqrtf((float)a)); }                                                               \
    inline T hrsqrt(T a) { return T(1.0f / ::sqrtf((float)a)); }                                                       \
    inline T hrcp(T a) { return T(1.0f / (float)a); }                                                                  \
    inline T hexp(T a) { return T(::expf((float)a)); }                                                                 \
    inline T hlog(T a) { return T(::logf((float)a)); }                                                                 \
    inline T htanh(T a) { return T(::tanhf((float)a)); }                                                               \
    inline T2 __hadd2(T2 a, T2 b) { return a + b; }                                                                    \
    inline T2 __hsub2(T2 a, T2 b) { return a - b; }                                                                    \
    inline T2 __hmul2(T2 a, T2 b) { return a * b; }                                                                    \
    inline T2 __hfma2(T2 a, T2 b, T2 c) { return T2{__hfma(a.x, b.x, c.x), __hfma(a.y, b.y, c.y)}; }                   \
    inline T __low2half(T2 a) { return a.x; }                                                                          \
    inline T __high2half(T2 a) { return a.y; }                                                                         \
    inline float __low2float(T2 a) { return (float)a.x; }                                                              \
    inline float __high2float(T2 a) { return (float)a.y; }                                                             \
    inline T2 __halves2half2(T a, T b) { return T2{a, b}; }                                                            \
    inline T2 __half2half2(T a) { return T2{a, a}; }                                                                   \
    inline T2 __lowhigh2highlow(T2 a) { return T2{a.y, a.x}; }                                                         \
    inline T atomicAdd(T* p, T v) {                                                                                    \
        std::atomic_ref<unsigned short> a(p->__x);                                                                     \
        unsigned short old = a.load(std::memory_order_relaxed);                                                        \
        while (!a.compare_exchange_weak(old, T(FROM(old) + (float)v).__x, std::memory_order_relaxed)) {                \
        }                                                                                                              \
        return T(RAW{old});                                                                                            \
    }                                                                                                                  \
    inline T2 atomicAdd(T2* p, T2 v) {                                                                                 \
        static_assert(sizeof(T2) == 4, "a pair of 16-bit floats is one 32-bit word");                                  \
        std::atomic_ref<unsigned> a(*reinterpret_cast<unsigned*>(p));                                                  \
        unsigned old = a.load(std::memory_order_relaxed);                                                              \
        for (;;) {                                                                                                     \
            T2 o = std::bit_cast<T2>(old);                                                                             \
            if (a.compare_exchange_weak(old, std::bit_cast<unsigned>(o + v), std::memory_order_relaxed)) return o;     \
        }                                                                                                              \
    }
