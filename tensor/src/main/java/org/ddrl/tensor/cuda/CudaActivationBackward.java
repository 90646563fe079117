package org.ddrl.tensor.cuda;

import java.util.Map;
import org.ddrl.tensor.ActivationGrads;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Kernel;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Tensor;

/**
 * gelu_backward and silu_backward on CUDA (elementwise.cu, ddrl_act_backward): gradOut * f'(x) in one
 * grid-stride pass, both inputs read in place through their strides. The result has x's dtype; F32, BF16
 * and F16 compute in float, F64 in double.
 */
final class CudaActivationBackward {
    private CudaActivationBackward() {}

    // op codes, mirrored in elementwise.cu
    private static final int GELU = 0, GELU_TANH = 1, SILU = 2;

    static void register(Map<Op, Kernel> k, CudaBackend b) {
        k.put(Op.GELU_BACKWARD, (a, in) -> run(b, Op.GELU_BACKWARD, a, in[0], in[1]));
        k.put(Op.SILU_BACKWARD, (a, in) -> run(b, Op.SILU_BACKWARD, a, in[0], in[1]));
    }

    private static Tensor run(CudaBackend b, Op op, Attrs a, Tensor g, Tensor x) {
        boolean tanh = ActivationGrads.check(op, a, g, x);
        int code = op == Op.SILU_BACKWARD ? SILU : tanh ? GELU_TANH : GELU;
        Tensor y = b.empty(x.dtype(), x.shape());
        long n = y.numel();
        if (n == 0) return y;
        byte[][] v = Views.of(y.shape(), y, g, x);
        String kernel = "ddrl_act_backward_" + (x.dtype() == DType.F64 ? "f64" : "f32");
        Launch.of(b, "elementwise", kernel).elements(n).i32(code).i64(n).view(v[0]).ptr(y).view(v[1]).ptr(g).view(v[2]).ptr(x).run();
        return y;
    }
}
