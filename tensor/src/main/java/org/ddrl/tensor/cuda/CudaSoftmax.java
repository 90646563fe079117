package org.ddrl.tensor.cuda;

import java.util.Map;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Kernel;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;

/**
 * softmax and log_softmax along one dim (softmax.cu): input and output are handed to the kernel as views
 * with that dim moved last, so any dim and any strides run without a copy. F32, BF16 and F16 compute in
 * float, F64 in double; the output has the input's dtype.
 */
final class CudaSoftmax {
    private CudaSoftmax() {}

    static void register(Map<Op, Kernel> k, CudaBackend b) {
        k.put(Op.SOFTMAX, (a, in) -> softmax(b, false, a, in[0]));
        k.put(Op.LOG_SOFTMAX, (a, in) -> softmax(b, true, a, in[0]));
    }

    private static Tensor softmax(CudaBackend b, boolean log, Attrs a, Tensor x) {
        String name = log ? "log_softmax" : "softmax";
        CudaReductions.requireFloating(name, x);
        int rank = x.dim();
        int d = Shapes.dim(name, a.i("dim"), rank);
        Tensor y = b.empty(x.dtype(), x.shape());
        long n = y.numel();
        if (n == 0) return y;
        long len = rank == 0 ? 1 : x.size(d);
        int[] perm = Views.moveLast(rank, rank == 0 ? new int[0] : new int[] {d});
        int[] shape = Views.permute(x.shape(), perm);
        byte[][] v = Views.of(shape, new long[][] {Views.permute(y.strides(), perm), Views.permute(x.strides(), perm)},
                new long[] {0, x.offset()}, new DType[] {y.dtype(), x.dtype()});
        Launch.of(b, "softmax", "ddrl_softmax_" + CudaReductions.floatSuffix(x.dtype())).rows(n / len, len).i32(log ? 1 : 0)
                .i64(n / len).i64(len).view(v[0]).ptr(y).view(v[1]).ptr(x).run();
        return y;
    }
}
