// Elementwise ops: unary, binary (broadcast through strides), logical, where and masked_fill.
//
// Every operand is a ddrl_view with the output's sizes (broadcast dims have stride 0) and its own dtype;
// values are converted to the kernel's compute type on load and rounded to the output dtype on store,
// so one kernel per compute type serves every dtype combination. The compute type is chosen by the
// host as the CPU backend does: float for F32, BF16 and F16 results, double for F64, and exact 64-bit
// integers for integer results. Op codes are mirrored in org.ddrl.tensor.cuda.CudaElementwise.
#include "ddrl_dtype.cuh"
#include "ddrl_view.cuh"

// unary op codes
#define U_NEG 0
#define U_ABS 1
#define U_SQRT 2
#define U_RSQRT 3
#define U_EXP 4
#define U_LOG 5
#define U_SIN 6
#define U_COS 7
#define U_TANH 8
#define U_SIGMOID 9
#define U_RELU 10
#define U_GELU 11
#define U_GELU_TANH 12
#define U_SILU 13
#define U_SOFTPLUS 14
#define U_CLAMP 15
#define U_ERF 16

// binary op codes
#define B_ADD 0
#define B_SUB 1
#define B_MUL 2
#define B_DIV 3
#define B_POW 4
#define B_MAXIMUM 5
#define B_MINIMUM 6
#define B_EQ 7
#define B_NE 8
#define B_LT 9
#define B_LE 10
#define B_GT 11
#define B_GE 12

// logical op codes
#define L_AND 0
#define L_OR 1
#define L_NOT 2

// ---------------------------------------------------------------- floating math, one overload per type

__device__ __forceinline__ float m_sqrt(float x) { return sqrtf(x); }
__device__ __forceinline__ double m_sqrt(double x) { return sqrt(x); }
__device__ __forceinline__ float m_exp(float x) { return expf(x); }
__device__ __forceinline__ double m_exp(double x) { return exp(x); }
__device__ __forceinline__ float m_log(float x) { return logf(x); }
__device__ __forceinline__ double m_log(double x) { return log(x); }
__device__ __forceinline__ float m_log1p(float x) { return log1pf(x); }
__device__ __forceinline__ double m_log1p(double x) { return log1p(x); }
__device__ __forceinline__ float m_sin(float x) { return sinf(x); }
__device__ __forceinline__ double m_sin(double x) { return sin(x); }
__device__ __forceinline__ float m_cos(float x) { return cosf(x); }
__device__ __forceinline__ double m_cos(double x) { return cos(x); }
__device__ __forceinline__ float m_tanh(float x) { return tanhf(x); }
__device__ __forceinline__ double m_tanh(double x) { return tanh(x); }
__device__ __forceinline__ float m_erf(float x) { return erff(x); }
__device__ __forceinline__ double m_erf(double x) { return erf(x); }
__device__ __forceinline__ float m_erfc(float x) { return erfcf(x); }
__device__ __forceinline__ double m_erfc(double x) { return erfc(x); }
__device__ __forceinline__ float m_pow(float x, float y) { return powf(x, y); }
__device__ __forceinline__ double m_pow(double x, double y) { return pow(x, y); }
__device__ __forceinline__ float m_abs(float x) { return fabsf(x); }
__device__ __forceinline__ double m_abs(double x) { return fabs(x); }

/** Java's Math.max: NaN if either is NaN. */
template <class T> __device__ __forceinline__ T nan_max(T a, T b) {
    if (a != a) return a;
    if (b != b) return b;
    return a > b ? a : b;
}

template <class T> __device__ __forceinline__ T nan_min(T a, T b) {
    if (a != a) return a;
    if (b != b) return b;
    return a < b ? a : b;
}

/** x * Phi(x) through erfc of a non-negative argument, so negative x keep their relative accuracy. */
template <class T> __device__ __forceinline__ T gelu_erf(T x) {
    const T inv_sqrt2 = (T)0.70710678118654752440;
    T half_erfc = (T)0.5 * m_erfc(m_abs(x) * inv_sqrt2);
    return x * (x < 0 ? half_erfc : (T)1 - half_erfc);
}

/** 0.5 x (1 + tanh(u)) written as x / (1 + exp(-2u)), u = sqrt(2 / pi) (x + 0.044715 x^3). */
template <class T> __device__ __forceinline__ T gelu_tanh(T x) {
    const T c = (T)0.79788456080286535588;
    T u = c * (x + (T)0.044715 * x * x * x);
    return x / ((T)1 + m_exp((T)-2 * u));
}

template <class T> __device__ __forceinline__ T unary_float(int op, T x, T p, T q) {
    switch (op) {
        case U_NEG: return -x;
        case U_ABS: return m_abs(x);
        case U_SQRT: return m_sqrt(x);
        case U_RSQRT: return (T)1 / m_sqrt(x);
        case U_EXP: return m_exp(x);
        case U_LOG: return m_log(x);
        case U_SIN: return m_sin(x);
        case U_COS: return m_cos(x);
        case U_TANH: return m_tanh(x);
        case U_SIGMOID: return (T)1 / ((T)1 + m_exp(-x));
        case U_RELU: return x > 0 || x != x ? x : (T)0;
        case U_GELU: return gelu_erf(x);
        case U_GELU_TANH: return gelu_tanh(x);
        case U_SILU: return x / ((T)1 + m_exp(-x));
        case U_SOFTPLUS: { // p = beta, q = threshold
            T bx = p * x;
            return bx > q ? x : m_log1p(m_exp(bx)) / p;
        }
        case U_CLAMP: return nan_min(nan_max(x, p), q); // open sides arrive as infinities
        case U_ERF: return m_erf(x);
        default: return x;
    }
}

/** Integer unary ops in two's complement (wrapping, as Java's long arithmetic). */
__device__ __forceinline__ long long unary_long(int op, long long x, long long lo, long long hi) {
    switch (op) {
        case U_NEG: return (long long)(0ULL - (unsigned long long)x);
        case U_ABS: return x < 0 ? (long long)(0ULL - (unsigned long long)x) : x;
        case U_RELU: return x > 0 ? x : 0;
        case U_CLAMP: return x < lo ? lo : x > hi ? hi : x;
        default: return x;
    }
}

template <class T, class I>
__device__ __forceinline__ void unary_body(int op, const ddrl_view& y, void* yp, const ddrl_view& x, const void* xp, T p, T q, I i) {
    long long oy, ox;
    ddrl_offset2(y, x, i, oy, ox);
    ddrl_io<T>::store(yp, y.dtype, oy, unary_float<T>(op, ddrl_io<T>::load(xp, x.dtype, ox), p, q));
}

extern "C" __global__ void ddrl_unary_f32(int op, long long n, const __grid_constant__ ddrl_view y, void* yp,
                                          const __grid_constant__ ddrl_view x, const void* xp, double p, double q) {
    ddrl_for_each(n, [&](auto i) { unary_body<float>(op, y, yp, x, xp, (float)p, (float)q, i); });
}

extern "C" __global__ void ddrl_unary_f64(int op, long long n, const __grid_constant__ ddrl_view y, void* yp,
                                          const __grid_constant__ ddrl_view x, const void* xp, double p, double q) {
    ddrl_for_each(n, [&](auto i) { unary_body<double>(op, y, yp, x, xp, p, q, i); });
}

/** neg, abs, relu and clamp of integers; p and q are clamp's bounds (whole numbers or infinities). */
extern "C" __global__ void ddrl_unary_i64(int op, long long n, const __grid_constant__ ddrl_view y, void* yp,
                                          const __grid_constant__ ddrl_view x, const void* xp, double p, double q) {
    long long lo = ddrl_d2ll(p), hi = ddrl_d2ll(q);
    ddrl_for_each(n, [&](auto i) {
        long long oy, ox;
        ddrl_offset2(y, x, i, oy, ox);
        ddrl_store_i64(yp, y.dtype, oy, unary_long(op, ddrl_load_i64(xp, x.dtype, ox), lo, hi));
    });
}

// ---------------------------------------------------------------- binary

/** Comparisons give 1 or 0 (stored to the BOOL output); IEEE semantics, so NaN compares unequal to everything. */
template <class T> __device__ __forceinline__ T binary_float(int op, T a, T b) {
    switch (op) {
        case B_ADD: return a + b;
        case B_SUB: return a - b;
        case B_MUL: return a * b;
        case B_DIV: return a / b;
        case B_POW: return m_pow(a, b);
        case B_MAXIMUM: return nan_max(a, b);
        case B_MINIMUM: return nan_min(a, b);
        case B_EQ: return a == b ? 1 : 0;
        case B_NE: return a != b ? 1 : 0;
        case B_LT: return a < b ? 1 : 0;
        case B_LE: return a <= b ? 1 : 0;
        case B_GT: return a > b ? 1 : 0;
        case B_GE: return a >= b ? 1 : 0;
        default: return a;
    }
}

template <class T, class I>
__device__ __forceinline__ void binary_body(int op, const ddrl_view& o, void* op_, const ddrl_view& a, const void* ap,
                                            const ddrl_view& b, const void* bp, I i) {
    long long oo, oa, ob;
    ddrl_offset3(o, a, b, i, oo, oa, ob);
    T r = binary_float<T>(op, ddrl_io<T>::load(ap, a.dtype, oa), ddrl_io<T>::load(bp, b.dtype, ob));
    ddrl_io<T>::store(op_, o.dtype, oo, r);
}

extern "C" __global__ void ddrl_binary_f32(int op, long long n, const __grid_constant__ ddrl_view o, void* out,
                                           const __grid_constant__ ddrl_view a, const void* ap,
                                           const __grid_constant__ ddrl_view b, const void* bp) {
    ddrl_for_each(n, [&](auto i) { binary_body<float>(op, o, out, a, ap, b, bp, i); });
}

extern "C" __global__ void ddrl_binary_f64(int op, long long n, const __grid_constant__ ddrl_view o, void* out,
                                           const __grid_constant__ ddrl_view a, const void* ap,
                                           const __grid_constant__ ddrl_view b, const void* bp) {
    ddrl_for_each(n, [&](auto i) { binary_body<double>(op, o, out, a, ap, b, bp, i); });
}

/** base^exp by repeated squaring, wrapping like the products it is made of; exp >= 0. */
__device__ __forceinline__ unsigned long long pow_long(unsigned long long base, long long exp) {
    unsigned long long r = 1;
    unsigned long long e = (unsigned long long)exp;
    while (e != 0) {
        if (e & 1) r *= base;
        e >>= 1;
        if (e != 0) base *= base;
    }
    return r;
}

/**
 * Integer (and BOOL) operands in exact two's complement arithmetic. A negative exponent of pow is an
 * error: the smallest such element index goes to *err (which the host set to all ones, "none"; err is
 * null for the other ops, which cannot fail).
 */
extern "C" __global__ void ddrl_binary_i64(int op, long long n, const __grid_constant__ ddrl_view o, void* out,
                                           const __grid_constant__ ddrl_view a, const void* ap,
                                           const __grid_constant__ ddrl_view b, const void* bp, unsigned long long* err) {
    ddrl_for_each(n, [&](auto i) {
        long long oo, oa, ob;
        ddrl_offset3(o, a, b, i, oo, oa, ob);
        long long x = ddrl_load_i64(ap, a.dtype, oa), y = ddrl_load_i64(bp, b.dtype, ob);
        unsigned long long ux = (unsigned long long)x, uy = (unsigned long long)y;
        long long r;
        switch (op) {
            case B_ADD: r = (long long)(ux + uy); break;
            case B_SUB: r = (long long)(ux - uy); break;
            case B_MUL: r = (long long)(ux * uy); break;
            case B_POW:
                if (y < 0) {
                    atomicMin(err, (unsigned long long)i);
                    return;
                }
                r = (long long)pow_long(ux, y);
                break;
            case B_MAXIMUM: r = x > y ? x : y; break;
            case B_MINIMUM: r = x < y ? x : y; break;
            case B_EQ: r = x == y; break;
            case B_NE: r = x != y; break;
            case B_LT: r = x < y; break;
            case B_LE: r = x <= y; break;
            case B_GT: r = x > y; break;
            case B_GE: r = x >= y; break;
            default: r = x; break;
        }
        ddrl_store_i64(out, o.dtype, oo, r);
    });
}

// ---------------------------------------------------------------- logical, where, masked_fill

/** logical_and / logical_or of a and b, or logical_not of a (b unused); inputs count as true when non-zero. */
extern "C" __global__ void ddrl_logical(int op, long long n, const __grid_constant__ ddrl_view o, unsigned char* out,
                                        const __grid_constant__ ddrl_view a, const void* ap,
                                        const __grid_constant__ ddrl_view b, const void* bp) {
    ddrl_for_each(n, [&](auto i) {
        long long oo, oa, ob;
        ddrl_offset3(o, a, b, i, oo, oa, ob);
        bool x = ddrl_load_bool(ap, a.dtype, oa);
        bool r = op == L_NOT ? !x : op == L_AND ? x && ddrl_load_bool(bp, b.dtype, ob) : x || ddrl_load_bool(bp, b.dtype, ob);
        out[oo] = r ? 1 : 0;
    });
}

/** out = cond ? a : b, a and b converted to the output dtype (exact bits when they already have it). */
extern "C" __global__ void ddrl_where(long long n, const __grid_constant__ ddrl_view o, void* out,
                                      const __grid_constant__ ddrl_view c, const void* cp,
                                      const __grid_constant__ ddrl_view a, const void* ap,
                                      const __grid_constant__ ddrl_view b, const void* bp) {
    ddrl_for_each(n, [&](auto i) {
        long long oo, oc, oa, ob;
        ddrl_offset2(o, c, i, oo, oc);
        if (ddrl_load_bool(cp, c.dtype, oc)) {
            oa = ddrl_offset(a, i);
            ddrl_convert(ap, a.dtype, oa, out, o.dtype, oo);
        } else {
            ob = ddrl_offset(b, i);
            ddrl_convert(bp, b.dtype, ob, out, o.dtype, oo);
        }
    });
}

/** out = mask ? value (stored to the dtype) : x. */
extern "C" __global__ void ddrl_masked_fill(long long n, const __grid_constant__ ddrl_view o, void* out,
                                            const __grid_constant__ ddrl_view x, const void* xp,
                                            const __grid_constant__ ddrl_view m, const void* mp, double value) {
    ddrl_for_each(n, [&](auto i) {
        long long oo, ox, om;
        ddrl_offset3(o, x, m, i, oo, ox, om);
        if (ddrl_load_bool(mp, m.dtype, om)) ddrl_store_f64(out, o.dtype, oo, value);
        else ddrl_convert(xp, x.dtype, ox, out, o.dtype, oo);
    });
}

// ---------------------------------------------------------------- fused activation gradients

// op codes of ddrl_act_backward, mirrored in org.ddrl.tensor.cuda.CudaActivationBackward
#define AB_GELU 0
#define AB_GELU_TANH 1
#define AB_SILU 2

/** Phi(x) + x phi(x), Phi from erfc of |x| / sqrt 2 as the forward, so the negative tail keeps its relative accuracy. */
template <class T> __device__ __forceinline__ T gelu_grad(T x) {
    const T inv_sqrt2 = (T)0.70710678118654752440, inv_sqrt_2pi = (T)0.39894228040143267794;
    T half_erfc = (T)0.5 * m_erfc(m_abs(x) * inv_sqrt2);
    T cdf = x < 0 ? half_erfc : (T)1 - half_erfc;
    return cdf + x * inv_sqrt_2pi * m_exp((T)-0.5 * x * x);
}

/**
 * d/dx of x sigmoid(2u), u = sqrt(2 / pi) (x + 0.044715 x^3): s + 2 x s (1 - s) u'. With e = exp(-2|u|) and
 * r = 1 / (1 + e), s is r (u >= 0) or e r (u < 0) and s (1 - s) = e r^2: one exp, no overflow.
 */
template <class T> __device__ __forceinline__ T gelu_tanh_grad(T x) {
    const T c = (T)0.79788456080286535588, k1 = c * (T)0.044715, k3 = (T)3 * c * (T)0.044715;
    T x2 = x * x;
    T u = x * (c + k1 * x2), du = c + k3 * x2;
    T e = m_exp((T)-2 * m_abs(u));
    T r = (T)1 / ((T)1 + e);
    T s = u < 0 ? e * r : r;
    return s + (T)2 * x * du * (e * r * r);
}

/** s (1 + x (1 - s)), s = sigmoid(x) as n / (1 + e), e = exp(-|x|), so nothing overflows. */
template <class T> __device__ __forceinline__ T silu_grad(T x) {
    T e = m_exp(-m_abs(x));
    T s = (x < 0 ? e : (T)1) / ((T)1 + e);
    return s * ((T)1 + x * ((T)1 - s));
}

template <class T, class I>
__device__ __forceinline__ void act_backward_body(int op, const ddrl_view& y, void* yp, const ddrl_view& g, const void* gp,
                                                  const ddrl_view& x, const void* xp, I i) {
    long long oy, og, ox;
    ddrl_offset3(y, g, x, i, oy, og, ox);
    T v = ddrl_io<T>::load(xp, x.dtype, ox);
    T d = op == AB_GELU ? gelu_grad(v) : op == AB_GELU_TANH ? gelu_tanh_grad(v) : silu_grad(v);
    ddrl_io<T>::store(yp, y.dtype, oy, ddrl_io<T>::load(gp, g.dtype, og) * d);
}

/** y = gradOut * f'(x) for gelu (exact or tanh form) and silu; all three of one shape. */
extern "C" __global__ void ddrl_act_backward_f32(int op, long long n, const __grid_constant__ ddrl_view y, void* yp,
                                                 const __grid_constant__ ddrl_view g, const void* gp,
                                                 const __grid_constant__ ddrl_view x, const void* xp) {
    ddrl_for_each(n, [&](auto i) { act_backward_body<float>(op, y, yp, g, gp, x, xp, i); });
}

extern "C" __global__ void ddrl_act_backward_f64(int op, long long n, const __grid_constant__ ddrl_view y, void* yp,
                                                 const __grid_constant__ ddrl_view g, const void* gp,
                                                 const __grid_constant__ ddrl_view x, const void* xp) {
    ddrl_for_each(n, [&](auto i) { act_backward_body<double>(op, y, yp, g, gp, x, xp, i); });
}

// ---------------------------------------------------------------- fused forward chains
//
// bias_gelu and gated_residual, and their gradients (org.ddrl.tensor.cuda.CudaFusedForward). Operands are
// views with x's sizes: the bias [C] and the per-sample gate [B, 1, ..., 1, C] arrive broadcast (stride 0
// across rows or tokens). The sums of grad bias and grad gate take one thread per output element adding the
// rows in order (in double), with no atomics: the same bits on every run.

/** y = gelu(x + bias), exact or tanh form. */
template <class T>
__device__ __forceinline__ void bias_gelu_body(int tanh_form, const ddrl_view& y, void* yp, const ddrl_view& x, const void* xp,
                                               const ddrl_view& b, const void* bp, long long i) {
    long long oy, ox, ob;
    ddrl_offset3(y, x, b, i, oy, ox, ob);
    T h = ddrl_io<T>::load(xp, x.dtype, ox) + ddrl_io<T>::load(bp, b.dtype, ob);
    ddrl_io<T>::store(yp, y.dtype, oy, tanh_form ? gelu_tanh(h) : gelu_erf(h));
}

extern "C" __global__ void ddrl_bias_gelu_f32(int tanh_form, long long n, const __grid_constant__ ddrl_view y, void* yp,
                                              const __grid_constant__ ddrl_view x, const void* xp, const __grid_constant__ ddrl_view b,
                                              const void* bp) {
    ddrl_for_each(n, [&](auto i) { bias_gelu_body<float>(tanh_form, y, yp, x, xp, b, bp, (long long)i); });
}

extern "C" __global__ void ddrl_bias_gelu_f64(int tanh_form, long long n, const __grid_constant__ ddrl_view y, void* yp,
                                              const __grid_constant__ ddrl_view x, const void* xp, const __grid_constant__ ddrl_view b,
                                              const void* bp) {
    ddrl_for_each(n, [&](auto i) { bias_gelu_body<double>(tanh_form, y, yp, x, xp, b, bp, (long long)i); });
}

/** g gelu'(x + bias) at linear index i. */
template <class T>
__device__ __forceinline__ T bias_gelu_grad_at(int tanh_form, const ddrl_view& g, const void* gp, const ddrl_view& x, const void* xp,
                                               const ddrl_view& b, const void* bp, long long i) {
    long long og, ox, ob;
    ddrl_offset3(g, x, b, i, og, ox, ob);
    T h = ddrl_io<T>::load(xp, x.dtype, ox) + ddrl_io<T>::load(bp, b.dtype, ob);
    return ddrl_io<T>::load(gp, g.dtype, og) * (tanh_form ? gelu_tanh_grad(h) : gelu_grad(h));
}

/** grad x = g gelu'(x + bias), all of x's sizes. */
template <class T>
__device__ void bias_gelu_backward(int tanh_form, long long n, const ddrl_view& gx, void* gxp, const ddrl_view& g, const void* gp,
                                   const ddrl_view& x, const void* xp, const ddrl_view& b, const void* bp) {
    ddrl_for_each(n, [&](auto i) {
        T v = bias_gelu_grad_at<T>(tanh_form, g, gp, x, xp, b, bp, (long long)i);
        ddrl_io<T>::store(gxp, gx.dtype, ddrl_offset(gx, (long long)i), v);
    });
}

extern "C" __global__ void ddrl_bias_gelu_backward_f32(int tanh_form, long long n, const __grid_constant__ ddrl_view gx, void* gxp,
                                                       const __grid_constant__ ddrl_view g, const void* gp,
                                                       const __grid_constant__ ddrl_view x, const void* xp,
                                                       const __grid_constant__ ddrl_view b, const void* bp) {
    bias_gelu_backward<float>(tanh_form, n, gx, gxp, g, gp, x, xp, b, bp);
}

extern "C" __global__ void ddrl_bias_gelu_backward_f64(int tanh_form, long long n, const __grid_constant__ ddrl_view gx, void* gxp,
                                                       const __grid_constant__ ddrl_view g, const void* gp,
                                                       const __grid_constant__ ddrl_view x, const void* xp,
                                                       const __grid_constant__ ddrl_view b, const void* bp) {
    bias_gelu_backward<double>(tanh_form, n, gx, gxp, g, gp, x, xp, b, bp);
}

/** grad bias [C]: column j sums g gelu'(x + bias) over the rows in order. */
template <class T>
__device__ void bias_gelu_backward_bias(int tanh_form, long long rows, long long cols, const ddrl_view& gb, void* gbp,
                                        const ddrl_view& g, const void* gp, const ddrl_view& x, const void* xp, const ddrl_view& b,
                                        const void* bp) {
    ddrl_for_each(cols, [&](auto j) {
        double acc = 0;
        for (long long r = 0; r < rows; r++) acc += (double)bias_gelu_grad_at<T>(tanh_form, g, gp, x, xp, b, bp, r * cols + (long long)j);
        ddrl_io<T>::store(gbp, gb.dtype, ddrl_offset(gb, (long long)j), (T)acc);
    });
}

extern "C" __global__ void ddrl_bias_gelu_backward_bias_f32(int tanh_form, long long rows, long long cols,
                                                            const __grid_constant__ ddrl_view gb, void* gbp,
                                                            const __grid_constant__ ddrl_view g, const void* gp,
                                                            const __grid_constant__ ddrl_view x, const void* xp,
                                                            const __grid_constant__ ddrl_view b, const void* bp) {
    bias_gelu_backward_bias<float>(tanh_form, rows, cols, gb, gbp, g, gp, x, xp, b, bp);
}

extern "C" __global__ void ddrl_bias_gelu_backward_bias_f64(int tanh_form, long long rows, long long cols,
                                                            const __grid_constant__ ddrl_view gb, void* gbp,
                                                            const __grid_constant__ ddrl_view g, const void* gp,
                                                            const __grid_constant__ ddrl_view x, const void* xp,
                                                            const __grid_constant__ ddrl_view b, const void* bp) {
    bias_gelu_backward_bias<double>(tanh_form, rows, cols, gb, gbp, g, gp, x, xp, b, bp);
}

/** out = x + gate y (gate broadcast over tokens). */
template <class T>
__device__ __forceinline__ void gated_residual_body(const ddrl_view& o, void* op, const ddrl_view& x, const void* xp, const ddrl_view& y,
                                                    const void* yp, const ddrl_view& w, const void* wp, long long i) {
    long long oo, ox, oy, ow;
    ddrl_offset3(o, x, y, i, oo, ox, oy);
    ow = ddrl_offset(w, i);
    T v = ddrl_io<T>::load(wp, w.dtype, ow) * ddrl_io<T>::load(yp, y.dtype, oy) + ddrl_io<T>::load(xp, x.dtype, ox);
    ddrl_io<T>::store(op, o.dtype, oo, v);
}

extern "C" __global__ void ddrl_gated_residual_f32(long long n, const __grid_constant__ ddrl_view o, void* op,
                                                   const __grid_constant__ ddrl_view x, const void* xp, const __grid_constant__ ddrl_view y,
                                                   const void* yp, const __grid_constant__ ddrl_view w, const void* wp) {
    ddrl_for_each(n, [&](auto i) { gated_residual_body<float>(o, op, x, xp, y, yp, w, wp, (long long)i); });
}

extern "C" __global__ void ddrl_gated_residual_f64(long long n, const __grid_constant__ ddrl_view o, void* op,
                                                   const __grid_constant__ ddrl_view x, const void* xp, const __grid_constant__ ddrl_view y,
                                                   const void* yp, const __grid_constant__ ddrl_view w, const void* wp) {
    ddrl_for_each(n, [&](auto i) { gated_residual_body<double>(o, op, x, xp, y, yp, w, wp, (long long)i); });
}

/** grad y = g gate. */
template <class T>
__device__ __forceinline__ void gated_grad_y_body(const ddrl_view& o, void* op, const ddrl_view& g, const void* gp, const ddrl_view& w,
                                                  const void* wp, long long i) {
    long long oo, og, ow;
    ddrl_offset3(o, g, w, i, oo, og, ow);
    ddrl_io<T>::store(op, o.dtype, oo, ddrl_io<T>::load(gp, g.dtype, og) * ddrl_io<T>::load(wp, w.dtype, ow));
}

extern "C" __global__ void ddrl_gated_residual_grad_y_f32(long long n, const __grid_constant__ ddrl_view o, void* op,
                                                          const __grid_constant__ ddrl_view g, const void* gp,
                                                          const __grid_constant__ ddrl_view w, const void* wp) {
    ddrl_for_each(n, [&](auto i) { gated_grad_y_body<float>(o, op, g, gp, w, wp, (long long)i); });
}

extern "C" __global__ void ddrl_gated_residual_grad_y_f64(long long n, const __grid_constant__ ddrl_view o, void* op,
                                                          const __grid_constant__ ddrl_view g, const void* gp,
                                                          const __grid_constant__ ddrl_view w, const void* wp) {
    ddrl_for_each(n, [&](auto i) { gated_grad_y_body<double>(o, op, g, gp, w, wp, (long long)i); });
}

/** grad gate [B, C]: element (b, c) sums g y over the sample's tokens in order. */
template <class T>
__device__ void gated_grad_gate(long long batch, long long tokens, long long channels, const ddrl_view& o, void* op, const ddrl_view& g,
                                const void* gp, const ddrl_view& y, const void* yp) {
    ddrl_for_each(batch * channels, [&](auto k) {
        long long b = (long long)k / channels, c = (long long)k % channels;
        double acc = 0;
        for (long long t = 0; t < tokens; t++) {
            long long og, oy;
            ddrl_offset2(g, y, (b * tokens + t) * channels + c, og, oy);
            acc += (double)(ddrl_io<T>::load(gp, g.dtype, og) * ddrl_io<T>::load(yp, y.dtype, oy));
        }
        ddrl_io<T>::store(op, o.dtype, ddrl_offset(o, (long long)k), (T)acc);
    });
}

extern "C" __global__ void ddrl_gated_residual_grad_gate_f32(long long batch, long long tokens, long long channels,
                                                             const __grid_constant__ ddrl_view o, void* op,
                                                             const __grid_constant__ ddrl_view g, const void* gp,
                                                             const __grid_constant__ ddrl_view y, const void* yp) {
    gated_grad_gate<float>(batch, tokens, channels, o, op, g, gp, y, yp);
}

extern "C" __global__ void ddrl_gated_residual_grad_gate_f64(long long batch, long long tokens, long long channels,
                                                             const __grid_constant__ ddrl_view o, void* op,
                                                             const __grid_constant__ ddrl_view g, const void* gp,
                                                             const __grid_constant__ ddrl_view y, const void* yp) {
    gated_grad_gate<double>(batch, tokens, channels, o, op, g, gp, y, yp);
}
