package org.ddrl.tensor.cuda;

import java.util.Map;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.FusedGrads;
import org.ddrl.tensor.Kernel;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.PerSampleShape;
import org.ddrl.tensor.Tensor;

/**
 * The fused forward chains on CUDA: layer_norm_modulate (norm.cu, one block per row) and bias_gelu and
 * gated_residual (elementwise.cu, grid-stride), with their gradients. Every input is read in place through
 * its strides; a per-sample parameter ([B, C] or [B, 1, ..., 1, C]) or a bias [C] travels as a view
 * broadcast to x's sizes. Parameter gradients are sums taken by one thread per output element in row order
 * (no atomics: the same bits on every run). F32, BF16 and F16 compute in float, F64 in double; results
 * have x's dtype, packed as FusedGrads reads them.
 */
final class CudaFusedForward {
    private CudaFusedForward() {}

    private static final Tensor[] NONE = new Tensor[0];
    private static final String[] NO_NAMES = new String[0];

    static void register(Map<Op, Kernel> k, CudaBackend b) {
        k.put(Op.LAYER_NORM_MODULATE, (a, in) -> modulate(b, a, in[0], in[1], in[2]));
        k.put(Op.LAYER_NORM_MODULATE_BACKWARD, (a, in) -> modulateBackward(b, a, in[0], in[1], in[2]));
        k.put(Op.GATED_RESIDUAL, (a, in) -> gated(b, in[0], in[1], in[2]));
        k.put(Op.GATED_RESIDUAL_BACKWARD, (a, in) -> gatedBackward(b, a, in[0], in[1], in[2]));
        k.put(Op.BIAS_GELU, (a, in) -> biasGelu(b, a, in[0], in[1]));
        k.put(Op.BIAS_GELU_BACKWARD, (a, in) -> biasGeluBackward(b, a, in[0], in[1], in[2]));
    }

    private static String suffix(Tensor x) {
        return CudaReductions.floatSuffix(x.dtype());
    }

    private static Tensor broadcast(Tensor p, Tensor x) {
        return PerSampleShape.broadcastable(p, x.dim());
    }

    private static Tensor modulate(CudaBackend b, Attrs a, Tensor x, Tensor shift, Tensor scale) {
        PerSampleShape s = PerSampleShape.of(Op.LAYER_NORM_MODULATE, x, NONE, NO_NAMES, new Tensor[] {shift, scale},
                new String[] {"shift", "scale"});
        Tensor y = b.empty(x.dtype(), x.shape());
        if (s.numel() == 0) return y;
        byte[][] v = Views.of(x.shape(), x, y, broadcast(shift, x), broadcast(scale, x));
        Launch.of(b, "norm", "ddrl_layer_norm_modulate_" + suffix(x)).rows(s.rows(), s.channels()).i64(s.rows()).i64(s.channels())
                .view(v[0]).ptr(x).view(v[1]).ptr(y).view(v[2]).ptr(shift).view(v[3]).ptr(scale).f64(a.d("eps")).run();
        return y;
    }

    private static Tensor modulateBackward(CudaBackend b, Attrs a, Tensor g, Tensor x, Tensor scale) {
        PerSampleShape s = PerSampleShape.of(Op.LAYER_NORM_MODULATE_BACKWARD, x, new Tensor[] {g}, new String[] {"grad output"},
                new Tensor[] {scale}, new String[] {"scale"});
        int[] mask = FusedGrads.mask("layer_norm_modulate_backward", a, 3, "input, shift, scale");
        int nx = Math.toIntExact(s.numel()), np = s.batch() * s.channels();
        int total = Math.toIntExact((long) mask[0] * nx + (long) (mask[1] + mask[2]) * np);
        if (nx == 0) return b.zeros(x.dtype(), total);
        Tensor packed = b.empty(x.dtype(), total);
        DType cdt = x.dtype() == DType.F64 ? DType.F64 : DType.F32;
        boolean params = mask[1] + mask[2] > 0;
        Tensor gx = mask[0] == 1 ? packed.narrow(0, 0, nx).view(x.shape()) : null;
        Tensor stats = params ? b.empty(cdt, Math.toIntExact(2 * s.rows())) : null;
        Tensor sc = broadcast(scale, x);
        byte[][] v = gx == null ? Views.of(x.shape(), g, x, sc) : Views.of(x.shape(), g, x, sc, gx);
        Launch.of(b, "norm", "ddrl_layer_norm_modulate_backward_rows_" + suffix(x)).rows(s.rows(), s.channels()).i64(s.rows())
                .i64(s.channels()).view(v[0]).ptr(g).view(v[1]).ptr(x).view(v[2]).ptr(scale)
                .view(gx == null ? ViewDesc.none() : v[3]).ptr(gx).ptr(stats).f64(a.d("eps")).run();
        if (!params) return packed;
        int at = mask[0] * nx;
        Tensor gsh = mask[1] == 1 ? packed.narrow(0, at, np) : null;
        Tensor gsc = mask[2] == 1 ? packed.narrow(0, at + mask[1] * np, np) : null;
        Launch.of(b, "norm", "ddrl_layer_norm_modulate_backward_params_" + suffix(x)).elements(np).i64(s.batch()).i64(s.tokens())
                .i64(s.channels()).view(v[0]).ptr(g).view(v[1]).ptr(x).ptr(stats)
                .view(gsh == null ? ViewDesc.none() : Views.of(gsh)).ptr(gsh).view(gsc == null ? ViewDesc.none() : Views.of(gsc)).ptr(gsc)
                .run();
        return packed;
    }

    private static Tensor gated(CudaBackend b, Tensor x, Tensor y, Tensor gate) {
        PerSampleShape s = PerSampleShape.of(Op.GATED_RESIDUAL, x, new Tensor[] {y}, new String[] {"y"}, new Tensor[] {gate},
                new String[] {"gate"});
        Tensor out = b.empty(x.dtype(), x.shape());
        if (s.numel() == 0) return out;
        byte[][] v = Views.of(x.shape(), out, x, y, broadcast(gate, x));
        Launch.of(b, "elementwise", "ddrl_gated_residual_" + suffix(x)).elements(s.numel()).i64(s.numel())
                .view(v[0]).ptr(out).view(v[1]).ptr(x).view(v[2]).ptr(y).view(v[3]).ptr(gate).run();
        return out;
    }

    private static Tensor gatedBackward(CudaBackend b, Attrs a, Tensor g, Tensor y, Tensor gate) {
        PerSampleShape s = PerSampleShape.of(Op.GATED_RESIDUAL_BACKWARD, y, new Tensor[] {g}, new String[] {"grad output"},
                new Tensor[] {gate}, new String[] {"gate"});
        int[] mask = FusedGrads.mask("gated_residual_backward", a, 2, "y, gate");
        int ny = Math.toIntExact(s.numel()), np = s.batch() * s.channels();
        int total = Math.toIntExact((long) mask[0] * ny + (long) mask[1] * np);
        if (ny == 0) return b.zeros(y.dtype(), total);
        Tensor packed = b.empty(y.dtype(), total);
        if (mask[0] == 1) {
            Tensor gy = packed.narrow(0, 0, ny).view(y.shape());
            byte[][] v = Views.of(y.shape(), gy, g, broadcast(gate, y));
            Launch.of(b, "elementwise", "ddrl_gated_residual_grad_y_" + suffix(y)).elements(ny).i64(ny)
                    .view(v[0]).ptr(gy).view(v[1]).ptr(g).view(v[2]).ptr(gate).run();
        }
        if (mask[1] == 1) {
            Tensor gg = packed.narrow(0, mask[0] * ny, np);
            byte[][] v = Views.of(y.shape(), g, y);
            Launch.of(b, "elementwise", "ddrl_gated_residual_grad_gate_" + suffix(y)).elements(np).i64(s.batch()).i64(s.tokens())
                    .i64(s.channels()).view(Views.of(gg)).ptr(gg).view(v[0]).ptr(g).view(v[1]).ptr(y).run();
        }
        return packed;
    }

    private static Tensor biasGelu(CudaBackend b, Attrs a, Tensor x, Tensor bias) {
        boolean tanh = FusedGrads.checkBiasGelu(Op.BIAS_GELU, a, null, x, bias);
        Tensor y = b.empty(x.dtype(), x.shape());
        long n = y.numel();
        if (n == 0) return y;
        byte[][] v = Views.of(x.shape(), y, x, bias);
        Launch.of(b, "elementwise", "ddrl_bias_gelu_" + suffix(x)).elements(n).i32(tanh ? 1 : 0).i64(n)
                .view(v[0]).ptr(y).view(v[1]).ptr(x).view(v[2]).ptr(bias).run();
        return y;
    }

    private static Tensor biasGeluBackward(CudaBackend b, Attrs a, Tensor g, Tensor x, Tensor bias) {
        boolean tanh = FusedGrads.checkBiasGelu(Op.BIAS_GELU_BACKWARD, a, g, x, bias);
        int[] mask = FusedGrads.mask("bias_gelu_backward", a, 2, "input, bias");
        int nx = Math.toIntExact(x.numel()), c = x.size(-1);
        int total = Math.toIntExact((long) mask[0] * nx + (long) mask[1] * c);
        if (nx == 0) return b.zeros(x.dtype(), total);
        Tensor packed = b.empty(x.dtype(), total);
        if (mask[0] == 1) {
            Tensor gx = packed.narrow(0, 0, nx).view(x.shape());
            byte[][] v = Views.of(x.shape(), gx, g, x, bias);
            Launch.of(b, "elementwise", "ddrl_bias_gelu_backward_" + suffix(x)).elements(nx).i32(tanh ? 1 : 0).i64(nx)
                    .view(v[0]).ptr(gx).view(v[1]).ptr(g).view(v[2]).ptr(x).view(v[3]).ptr(bias).run();
        }
        if (mask[1] == 1) {
            Tensor gb = packed.narrow(0, mask[0] * nx, c);
            byte[][] v = Views.of(x.shape(), g, x, bias);
            Launch.of(b, "elementwise", "ddrl_bias_gelu_backward_bias_" + suffix(x)).elements(c).i32(tanh ? 1 : 0).i64(nx / c).i64(c)
                    .view(Views.of(gb)).ptr(gb).view(v[0]).ptr(g).view(v[1]).ptr(x).view(v[2]).ptr(bias).run();
        }
        return packed;
    }
}
