// conv3d and its two backward ops as implicit GEMMs on the tiled engine of ddrl_gemm.cuh: the im2col
// matrix is never formed; its elements are computed from the input by index arithmetic as the tiles
// load them. One problem per group (grid z); with g the group, og = O / groups, cg = C / groups,
// kvol = kD kH kW, P = oD oH oW:
//
//   forward          M = og, N = batch P,   K = cg kvol:   out[n, g og + m, p] = bias + sum W[g og + m, k] col[k, (n, p)]
//   backward_input   M = cg, N = batch DHW, K = og kvol:   gx[n, g cg + c, q] = sum W[g og + o, c, tap] gy[n, g og + o, reader(q, tap)]
//   backward_weight  M = og, N = cg kvol,   K = batch P:   gw[g og + m, k]    = sum gy[n, g og + m, p] col[k, (n, p)]
//
// where col[(c, tap), (n, p)] is the input element that tap of output position p reads (0 in the padding).
// Inputs and weights are dense (the host copies other layouts), in any floating dtype, converted to the
// accumulation type T on load; results are dense in the output dtype. The float kernels take a tensor-core
// mode (DDRL_MMA_*, see ddrl_gemm.cuh), as matmul's does.
#include "ddrl_dtype.cuh"
#include "ddrl_view.cuh"
#include "ddrl_gemm.cuh"

/** The sizes of one convolution; layout (22 ints, 88 bytes) mirrored by org.ddrl.tensor.cuda.CudaConv. */
struct __align__(4) ddrl_conv {
    int n, c, d, h, w;      // input [n, c, d, h, w]
    int o, groups;          // output channels, groups
    int kd, kh, kw;         // kernel
    int sd, sh, sw;         // stride
    int pd, ph, pw;         // padding
    int dd, dh, dw;         // dilation
    int od, oh, ow;         // output spatial sizes
};

/** Input element read by tap (i, j, l) of channel c at output position (n, p) of group g, or 0 in the padding. */
template <class T>
__device__ __forceinline__ T im2col(const ddrl_conv& s, const void* x, int xdt, int g, int cg, int c, int tap, int n, int p) {
    int l = tap % s.kw, j = (tap / s.kw) % s.kh, i = tap / (s.kw * s.kh);
    int ox = p % s.ow, oy = (p / s.ow) % s.oh, oz = p / (s.ow * s.oh);
    int iz = oz * s.sd - s.pd + i * s.dd, iy = oy * s.sh - s.ph + j * s.dh, ix = ox * s.sw - s.pw + l * s.dw;
    if (iz < 0 || iz >= s.d || iy < 0 || iy >= s.h || ix < 0 || ix >= s.w) return (T)0;
    long long at = ((((long long)n * s.c + g * cg + c) * s.d + iz) * s.h + iy) * s.w + ix;
    return ddrl_io<T>::load(x, xdt, at);
}

/** The output position along one dim whose tap k reads input position at, or -1 when none does. */
__device__ __forceinline__ int reader(int at, int k, int stride, int pad, int dil, int out) {
    int num = at + pad - k * dil;
    if (num < 0 || num % stride != 0 || num / stride >= out) return -1;
    return num / stride;
}

template <class T> struct conv_forward {
    int M, N, K;
    const ddrl_conv& s;
    const void *x, *wt, *bias;
    void* out;
    int dt, cg, og, kvol, g;
    long long P;

    __device__ conv_forward(const ddrl_conv& s_, const void* x_, const void* w_, const void* b_, void* o_, int dt_)
        : s(s_), x(x_), wt(w_), bias(b_), out(o_), dt(dt_), cg(s_.c / s_.groups), og(s_.o / s_.groups), kvol(s_.kd * s_.kh * s_.kw),
          g(0), P((long long)s_.od * s_.oh * s_.ow) {
        M = og;
        N = (int)(s.n * P);
        K = cg * kvol;
    }
    __device__ void begin(long long z) { g = (int)z; }
    __device__ T a(int m, int k) const { return ddrl_io<T>::load(wt, dt, (long long)(g * og + m) * K + k); }
    __device__ T b(int k, int col) const { return im2col<T>(s, x, dt, g, cg, k / kvol, k % kvol, (int)(col / P), (int)(col % P)); }
    __device__ void store(int m, int col, T v) {
        int oc = g * og + m;
        if (bias) v += ddrl_io<T>::load(bias, dt, oc);
        ddrl_io<T>::store(out, dt, ((long long)(col / P) * s.o + oc) * P + col % P, v);
    }
};

template <class T> struct conv_backward_input {
    int M, N, K;
    const ddrl_conv& s;
    const void *gy, *wt;
    void* gx;
    int dt, cg, og, kvol, g;
    long long P, Q;

    __device__ conv_backward_input(const ddrl_conv& s_, const void* gy_, const void* w_, void* gx_, int dt_)
        : s(s_), gy(gy_), wt(w_), gx(gx_), dt(dt_), cg(s_.c / s_.groups), og(s_.o / s_.groups), kvol(s_.kd * s_.kh * s_.kw), g(0),
          P((long long)s_.od * s_.oh * s_.ow), Q((long long)s_.d * s_.h * s_.w) {
        M = cg;
        N = (int)(s.n * Q);
        K = og * kvol;
    }
    __device__ void begin(long long z) { g = (int)z; }
    /** W[g og + o, c, tap] with k = (o, tap). */
    __device__ T a(int c, int k) const {
        int o = k / kvol, tap = k % kvol;
        return ddrl_io<T>::load(wt, dt, ((long long)(g * og + o) * cg + c) * kvol + tap);
    }
    /** gy at the output position whose tap reads input position q of sample n, or 0 when none does. */
    __device__ T b(int k, int col) const {
        int o = k / kvol, tap = k % kvol;
        int l = tap % s.kw, j = (tap / s.kw) % s.kh, i = tap / (s.kw * s.kh);
        int n = (int)(col / Q);
        int q = (int)(col % Q);
        int x = q % s.w, y = (q / s.w) % s.h, z = q / (s.w * s.h);
        int oz = reader(z, i, s.sd, s.pd, s.dd, s.od);
        if (oz < 0) return (T)0;
        int oy = reader(y, j, s.sh, s.ph, s.dh, s.oh);
        if (oy < 0) return (T)0;
        int ox = reader(x, l, s.sw, s.pw, s.dw, s.ow);
        if (ox < 0) return (T)0;
        return ddrl_io<T>::load(gy, dt, (((long long)n * s.o + g * og + o) * s.od + oz) * s.oh * s.ow + (long long)oy * s.ow + ox);
    }
    __device__ void store(int c, int col, T v) {
        ddrl_io<T>::store(gx, dt, ((long long)(col / Q) * s.c + g * cg + c) * Q + col % Q, v);
    }
};

template <class T> struct conv_backward_weight {
    int M, N, K;
    const ddrl_conv& s;
    const void *x, *gy;
    void* gw;
    int dt, cg, og, kvol, g;
    long long P;

    __device__ conv_backward_weight(const ddrl_conv& s_, const void* x_, const void* gy_, void* gw_, int dt_)
        : s(s_), x(x_), gy(gy_), gw(gw_), dt(dt_), cg(s_.c / s_.groups), og(s_.o / s_.groups), kvol(s_.kd * s_.kh * s_.kw), g(0),
          P((long long)s_.od * s_.oh * s_.ow) {
        M = og;
        N = cg * kvol;
        K = (int)(s.n * P);
    }
    __device__ void begin(long long z) { g = (int)z; }
    /** gy[n, g og + m, p] with k = (n, p). */
    __device__ T a(int m, int k) const {
        return ddrl_io<T>::load(gy, dt, ((long long)(k / P) * s.o + g * og + m) * P + k % P);
    }
    __device__ T b(int k, int col) const { return im2col<T>(s, x, dt, g, cg, col / kvol, col % kvol, (int)(k / P), (int)(k % P)); }
    __device__ void store(int m, int col, T v) { ddrl_io<T>::store(gw, dt, (long long)(g * og + m) * N + col, v); }
};

extern "C" __global__ void __launch_bounds__(DDRL_GEMM_THREADS)
ddrl_conv3d_f32(const __grid_constant__ ddrl_conv s, const void* x, const void* w, const void* bias, void* out, int dt, int mma) {
    conv_forward<float> p(s, x, w, bias, out, dt);
    ddrl_gemm_f32(p, s.groups, mma);
}

extern "C" __global__ void __launch_bounds__(DDRL_GEMM_THREADS)
ddrl_conv3d_f64(const __grid_constant__ ddrl_conv s, const void* x, const void* w, const void* bias, void* out, int dt) {
    conv_forward<double> p(s, x, w, bias, out, dt);
    ddrl_gemm<double>(p, s.groups);
}

extern "C" __global__ void __launch_bounds__(DDRL_GEMM_THREADS)
ddrl_conv3d_backward_input_f32(const __grid_constant__ ddrl_conv s, const void* gy, const void* w, void* gx, int dt, int mma) {
    conv_backward_input<float> p(s, gy, w, gx, dt);
    ddrl_gemm_f32(p, s.groups, mma);
}

extern "C" __global__ void __launch_bounds__(DDRL_GEMM_THREADS)
ddrl_conv3d_backward_input_f64(const __grid_constant__ ddrl_conv s, const void* gy, const void* w, void* gx, int dt) {
    conv_backward_input<double> p(s, gy, w, gx, dt);
    ddrl_gemm<double>(p, s.groups);
}

extern "C" __global__ void __launch_bounds__(DDRL_GEMM_THREADS)
ddrl_conv3d_backward_weight_f32(const __grid_constant__ ddrl_conv s, const void* x, const void* gy, void* gw, int dt, int mma) {
    conv_backward_weight<float> p(s, x, gy, gw, dt);
    ddrl_gemm_f32(p, s.groups, mma);
}

extern "C" __global__ void __launch_bounds__(DDRL_GEMM_THREADS)
ddrl_conv3d_backward_weight_f64(const __grid_constant__ ddrl_conv s, const void* x, const void* gy, void* gw, int dt) {
    conv_backward_weight<double> p(s, x, gy, gw, dt);
    ddrl_gemm<double>(p, s.groups);
}
