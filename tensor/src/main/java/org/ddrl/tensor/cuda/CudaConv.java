package org.ddrl.tensor.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import org.ddrl.kernels.cuda.Dim3;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.ConvGeometry;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Kernel;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Tensor;

/**
 * conv3d and its gradients with respect to input and weight (conv.cu): implicit GEMMs, one problem per
 * group, that compute im2col elements as the tiles load them. Operands are made dense first (no copy when
 * they already are); F32, BF16 and F16 accumulate in float, F64 in double; results have the inputs' dtype.
 * BF16 and F16 run on tensor cores, and F32 in TF32 when allowed, under the matmul settings
 * ({@link CudaMatmulSettings}).
 */
final class CudaConv {
    private static final String MODULE = "conv";

    private CudaConv() {}

    static void register(Map<Op, Kernel> k, CudaBackend b) {
        k.put(Op.CONV3D, (a, in) -> forward(b, a, in[0], in[1], in.length > 2 ? in[2] : null));
        k.put(Op.CONV3D_BACKWARD_INPUT, (a, in) -> backwardInput(b, a, in[0], in[1]));
        k.put(Op.CONV3D_BACKWARD_WEIGHT, (a, in) -> backwardWeight(b, a, in[0], in[1]));
    }

    private static Tensor forward(CudaBackend b, Attrs a, Tensor x, Tensor w, Tensor bias) {
        ConvGeometry s = ConvGeometry.of(x, w, bias, a);
        Tensor out = b.empty(x.dtype(), s.outShape());
        if (out.numel() == 0) return out;
        long cols = s.n() * s.p();
        checkInt("conv3d", cols, (long) s.cg() * s.kvol());
        Tensor xd = CudaCopy.dense(b, x), wd = CudaCopy.dense(b, w), bd = bias == null ? null : CudaCopy.dense(b, bias);
        run(Launch.of(b, MODULE, "ddrl_conv3d_" + CudaReductions.floatSuffix(x.dtype())).grid(CudaMatmul.gemmGrid(cols, s.og(), s.groups()))
                .block(Dim3.of(256)).struct(pack(s), 4).ptr(xd).ptr(wd).ptr(bd).ptr(out).i32(ViewDesc.code(x.dtype())), x.dtype());
        return out;
    }

    private static Tensor backwardInput(CudaBackend b, Attrs a, Tensor gy, Tensor w) {
        ConvGeometry s = ConvGeometry.ofBackwardInput(gy, w, a);
        Tensor gx = b.empty(gy.dtype(), s.inShape());
        if (gx.numel() == 0) return gx;
        long cols = s.n() * s.dhw();
        checkInt("conv3d_backward_input", cols, (long) s.og() * s.kvol());
        Tensor gyd = CudaCopy.dense(b, gy), wd = CudaCopy.dense(b, w);
        run(Launch.of(b, MODULE, "ddrl_conv3d_backward_input_" + CudaReductions.floatSuffix(gy.dtype()))
                .grid(CudaMatmul.gemmGrid(cols, s.cg(), s.groups())).block(Dim3.of(256)).struct(pack(s), 4).ptr(gyd).ptr(wd).ptr(gx)
                .i32(ViewDesc.code(gy.dtype())), gy.dtype());
        return gx;
    }

    private static Tensor backwardWeight(CudaBackend b, Attrs a, Tensor x, Tensor gy) {
        ConvGeometry s = ConvGeometry.ofBackwardWeight(x, gy, a);
        Tensor gw = b.empty(x.dtype(), s.weightShape());
        if (gw.numel() == 0) return gw;
        long cols = (long) s.cg() * s.kvol();
        checkInt("conv3d_backward_weight", cols, s.n() * s.p());
        Tensor xd = CudaCopy.dense(b, x), gyd = CudaCopy.dense(b, gy);
        run(Launch.of(b, MODULE, "ddrl_conv3d_backward_weight_" + CudaReductions.floatSuffix(x.dtype()))
                .grid(CudaMatmul.gemmGrid(cols, s.og(), s.groups())).block(Dim3.of(256)).struct(pack(s), 4).ptr(xd).ptr(gyd).ptr(gw)
                .i32(ViewDesc.code(x.dtype())), x.dtype());
        return gw;
    }

    /** Appends the tensor-core mode the float kernels take (the f64 ones take none) for operands of dtype dt, and runs. */
    private static void run(Launch l, DType dt) {
        if (dt != DType.F64) l.i32(CudaMatmul.mmaMode(dt, dt, dt));
        l.run();
    }

    /**
     * The ddrl_conv struct of conv.cu: 22 ints in declaration order (n, c, d, h, w, o, groups, kd, kh, kw,
     * sd, sh, sw, pd, ph, pw, dd, dh, dw, od, oh, ow), 88 bytes, little-endian.
     */
    static byte[] pack(ConvGeometry g) {
        int[] v = {g.n(), g.c(), g.d(), g.h(), g.w(), g.o(), g.groups(), g.kd(), g.kh(), g.kw(), g.sd(), g.sh(), g.sw(), g.pd(), g.ph(),
            g.pw(), g.dd(), g.dh(), g.dw(), g.od(), g.oh(), g.ow()};
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) b.putInt(x);
        return b.array();
    }

    /** The GEMM's column count and inner size must fit the kernels' int indices. */
    private static void checkInt(String op, long cols, long inner) {
        if (cols > Integer.MAX_VALUE || inner > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": the implicit GEMM would have " + cols + " columns and inner size " + inner
                    + ", more than the CUDA kernels index; split the batch");
        }
    }
}
