package org.ddrl.tensor.cuda;

import java.util.Arrays;
import java.util.Map;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.Kernel;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;

/**
 * layer_norm, rms_norm and group_norm (norm.cu): one block per normalized row, reading x, weight and bias
 * through their strides. F32, BF16 and F16 compute in float, F64 in double; the output has x's dtype.
 */
final class CudaNorms {
    private CudaNorms() {}

    static void register(Map<Op, Kernel> k, CudaBackend b) {
        k.put(Op.LAYER_NORM, (a, in) -> trailing(b, false, a, in[0], optional(in, 1), optional(in, 2)));
        k.put(Op.RMS_NORM, (a, in) -> trailing(b, true, a, in[0], optional(in, 1), null));
        k.put(Op.GROUP_NORM, (a, in) -> groupNorm(b, a, in[0], optional(in, 1), optional(in, 2)));
        CudaNormBackward.register(k, b);
    }

    private static Tensor optional(Tensor[] in, int i) {
        return in.length > i ? in[i] : null;
    }

    /** layer_norm, or rms_norm, over the trailing {@code ndim} dims. */
    private static Tensor trailing(CudaBackend b, boolean rms, Attrs a, Tensor x, Tensor w, Tensor bias) {
        String name = rms ? "rms_norm" : "layer_norm";
        CudaReductions.requireFloating(name, x);
        int ndim = a.i("ndim"), rank = x.dim();
        if (ndim < 1 || ndim > rank) {
            throw new IllegalArgumentException(name + ": ndim " + ndim + " must be between 1 and the rank of input " + Views.desc(x));
        }
        int[] shape = x.shape();
        int[] normShape = Arrays.copyOfRange(shape, rank - ndim, rank);
        checkParam(name, "weight", w, normShape, x);
        checkParam(name, "bias", bias, normShape, x);
        Tensor y = b.empty(x.dtype(), shape);
        long n = y.numel();
        if (n == 0) return y;
        long len = Shapes.numel(normShape);
        launch(b, x, y, w, bias, n / len, len, rms, 0, 1, a.d("eps"));
        return y;
    }

    /** x [N, C, *] in groups of C / groups channels (with all trailing dims); weight and bias are per channel. */
    private static Tensor groupNorm(CudaBackend b, Attrs a, Tensor x, Tensor w, Tensor bias) {
        CudaReductions.requireFloating("group_norm", x);
        int[] shape = x.shape();
        if (x.dim() < 2) throw new IllegalArgumentException("group_norm: input must have shape [N, C, *], got " + Views.desc(x));
        int groups = a.i("groups");
        int batch = shape[0], channels = shape[1];
        if (groups < 1 || channels % groups != 0) {
            throw new IllegalArgumentException("group_norm: the " + channels + " channels of input " + Views.desc(x)
                    + " are not divisible into " + groups + " groups");
        }
        checkParam("group_norm", "weight", w, new int[] {channels}, x);
        checkParam("group_norm", "bias", bias, new int[] {channels}, x);
        Tensor y = b.empty(x.dtype(), shape);
        long n = y.numel();
        if (n == 0) return y;
        long spatial = n / ((long) batch * channels);
        launch(b, x, y, w, bias, (long) batch * groups, (long) (channels / groups) * spatial, false, groups, spatial, a.d("eps"));
        return y;
    }

    private static void launch(CudaBackend b, Tensor x, Tensor y, Tensor w, Tensor bias, long rows, long len, boolean rms, int groups,
                               long spatial, double eps) {
        byte[][] v = Views.of(x.shape(), x, y);
        Launch.of(b, "norm", "ddrl_norm_" + CudaReductions.floatSuffix(x.dtype())).rows(rows, len).i64(rows).i64(len)
                .view(v[0]).ptr(x).view(v[1]).ptr(y)
                .view(w == null ? ViewDesc.none() : Views.of(w)).ptr(w)
                .view(bias == null ? ViewDesc.none() : Views.of(bias)).ptr(bias)
                .i32(rms ? 1 : 0).i32(groups).i64(spatial).f64(eps).run();
    }

    private static void checkParam(String op, String what, Tensor t, int[] expected, Tensor x) {
        if (t != null && !Arrays.equals(t.shape(), expected)) {
            throw new IllegalArgumentException(op + ": " + what + " has shape " + Shapes.str(t.shape()) + " but must have shape "
                    + Shapes.str(expected) + " for input " + Views.desc(x));
        }
    }
}
