package org.ddrl.tensor.cuda;

import java.util.Map;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Kernel;
import org.ddrl.tensor.NormBackwardShape;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Tensor;

/**
 * layer_norm_backward, rms_norm_backward and group_norm_backward on CUDA (norm.cu): one block per normalized
 * row writes the input gradient (and saves what the parameter gradients need: each row's mean and rstd, or
 * group norm's per-channel sums), then one thread per parameter sums the rows in order. No atomics, so
 * the result is the same bits on every run. The packed result (see NormGrads) has x's dtype; inputs are
 * read in place through their strides.
 */
final class CudaNormBackward {
    private CudaNormBackward() {}

    static void register(Map<Op, Kernel> k, CudaBackend b) {
        for (Op op : new Op[] {Op.LAYER_NORM_BACKWARD, Op.RMS_NORM_BACKWARD, Op.GROUP_NORM_BACKWARD}) {
            k.put(op, (a, in) -> run(b, op, a, in[0], in[1], in.length > 2 ? in[2] : null));
        }
    }

    private static Tensor run(CudaBackend b, Op op, Attrs a, Tensor g, Tensor x, Tensor w) {
        NormBackwardShape s = NormBackwardShape.of(op, a, g, x, w);
        int total = Math.toIntExact(s.packedLength());
        // no rows: the parameter gradients are empty sums, zero
        if (s.numel() == 0) return b.zeros(x.dtype(), total);
        Tensor packed = b.empty(x.dtype(), total);
        DType cdt = x.dtype() == DType.F64 ? DType.F64 : DType.F32;
        String suffix = cdt == DType.F64 ? "f64" : "f32";
        boolean params = s.needWeight() || s.needBias();
        int nx = Math.toIntExact(s.numel());
        Tensor gx = s.needInput() ? packed.narrow(0, 0, nx).view(x.shape()) : null;
        int batch = x.size(0), channels = s.groupNorm() ? x.size(1) : 0;
        Tensor stats = params && !s.groupNorm() ? b.empty(cdt, Math.toIntExact(2 * s.rows())) : null;
        Tensor cstats = params && s.groupNorm() ? b.empty(cdt, 2 * batch * channels) : null;
        byte[][] v = gx == null ? Views.of(x.shape(), g, x) : Views.of(x.shape(), g, x, gx);
        Launch.of(b, "norm", "ddrl_norm_backward_rows_" + suffix).rows(s.rows(), s.len()).i64(s.rows()).i64(s.len())
                .view(v[0]).ptr(g).view(v[1]).ptr(x)
                .view(w == null ? ViewDesc.none() : Views.of(w)).ptr(w)
                .view(gx == null ? ViewDesc.none() : v[2]).ptr(gx).ptr(stats).ptr(cstats)
                .i32(s.rms() ? 1 : 0).i32(s.groupNorm() ? s.groups() : 0).i64(s.spatial()).f64(s.eps()).run();
        if (!params) return packed;
        int plen = Math.toIntExact(s.paramLen());
        Tensor gw = s.needWeight() ? packed.narrow(0, (int) s.packedOffset(1), plen) : null;
        Tensor gb = s.needBias() ? packed.narrow(0, (int) s.packedOffset(2), plen) : null;
        byte[] vw = gw == null ? ViewDesc.none() : Views.of(gw), vb = gb == null ? ViewDesc.none() : Views.of(gb);
        if (s.groupNorm()) {
            Launch.of(b, "norm", "ddrl_group_norm_backward_channels_" + suffix).elements(channels).i64(batch).i64(channels)
                    .ptr(cstats).view(vw).ptr(gw).view(vb).ptr(gb).run();
        } else {
            Launch.of(b, "norm", "ddrl_norm_backward_columns_" + suffix).elements(s.len()).i64(s.rows()).i64(s.len())
                    .view(v[0]).ptr(g).view(v[1]).ptr(x).ptr(stats).view(vw).ptr(gw).view(vb).ptr(gb).run();
        }
        return packed;
    }
}
