package org.ddrl.tensor.cpu;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Map;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Kernel;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;

/**
 * layer_norm, rms_norm and group_norm. Each normalizes rows of contiguous elements: statistics per row
 * (a two-pass mean and biased variance, or the mean square), computed in chunks over the pool like the
 * reductions, then one fused pass {@link NormAffine} that writes the output. F32, BF16 and F16 compute
 * in F32, F64 in double; the output has the input's dtype.
 */
final class NormKernels {
    private NormKernels() {}

    static void register(Map<Op, Kernel> k) {
        k.put(Op.LAYER_NORM, (a, in) -> trailing(false, a, in[0], optional(in, 1), optional(in, 2)));
        k.put(Op.RMS_NORM, (a, in) -> trailing(true, a, in[0], optional(in, 1), null));
        k.put(Op.GROUP_NORM, (a, in) -> groupNorm(a, in[0], optional(in, 1), optional(in, 2)));
        NormBackwardKernels.register(k);
    }

    private static Tensor optional(Tensor[] in, int i) {
        return in.length > i ? in[i] : null;
    }

    /** layer_norm, or rms_norm, over the trailing {@code ndim} dims. */
    private static Tensor trailing(boolean rms, Attrs a, Tensor x, Tensor w, Tensor b) {
        String name = rms ? "rms_norm" : "layer_norm";
        ReductionKernels.requireFloating(name, x);
        int ndim = a.i("ndim"), rank = x.dim();
        double eps = a.d("eps");
        if (ndim < 1 || ndim > rank) {
            throw new IllegalArgumentException(name + ": ndim " + ndim + " must be between 1 and the rank of input "
                    + CpuTensors.desc(x));
        }
        int[] shape = x.shape();
        int[] normShape = Arrays.copyOfRange(shape, rank - ndim, rank);
        checkParam(name, "weight", w, normShape, x);
        checkParam(name, "bias", b, normShape, x);
        Tensor out = CpuTensors.empty(x.dtype(), shape);
        if (out.numel() == 0) return out;
        long len = Shapes.numel(normShape);
        int rows = Math.toIntExact(x.numel() / len);
        DType cdt = ReductionKernels.floatCompute(x.dtype());
        boolean f32 = cdt == DType.F32;
        Tensor src = ReductionKernels.contiguousIn(x, cdt), dst = out.dtype() == cdt ? out : CpuTensors.empty(cdt, shape);
        MemorySegment s = CpuTensors.seg(src), o = CpuTensors.seg(dst);
        long sb = src.offset();
        double[] mean = rms ? new double[rows] : mean(f32, s, rows, len, sb);
        double[] scale = inverseRms(f32, s, rows, len, sb, mean, eps);
        if (w == null && b == null) {
            ReduceParallel.pieces(rows, len, (t, row, from, n) -> {
                long at = row * len + from;
                if (f32) NormAffine.scaleShiftF32(s, sb + at, o, at, n, (float) mean[row], (float) scale[row], 0);
                else NormAffine.scaleShiftF64(s, sb + at, o, at, n, mean[row], scale[row], 0);
            });
        } else {
            // One fused loop for every case: a missing weight is ones, a missing bias zeros.
            Tensor wd = w == null ? Tensor.ones(cdt, Device.CPU, normShape) : CpuTensors.dense(w, cdt, normShape);
            Tensor bd = b == null ? CpuTensors.zeros(cdt, normShape) : CpuTensors.dense(b, cdt, normShape);
            MemorySegment ws = CpuTensors.seg(wd), bs = CpuTensors.seg(bd);
            long wo = wd.offset(), bo = bd.offset();
            ReduceParallel.pieces(rows, len, (t, row, from, n) -> {
                long at = row * len + from;
                if (f32) {
                    NormAffine.affineF32(s, sb + at, o, at, n, (float) mean[row], (float) scale[row], ws, wo + from, bs, bo + from);
                } else {
                    NormAffine.affineF64(s, sb + at, o, at, n, mean[row], scale[row], ws, wo + from, bs, bo + from);
                }
            });
        }
        if (dst != out) CpuTensors.copyCast(dst, out);
        return out;
    }

    /** x [N, C, *] in groups of C / groups channels (with all trailing dims); weight and bias are per channel. */
    private static Tensor groupNorm(Attrs a, Tensor x, Tensor w, Tensor b) {
        ReductionKernels.requireFloating("group_norm", x);
        int[] shape = x.shape();
        if (x.dim() < 2) {
            throw new IllegalArgumentException("group_norm: input must have shape [N, C, *], got " + CpuTensors.desc(x));
        }
        int groups = a.i("groups");
        double eps = a.d("eps");
        int batch = shape[0], channels = shape[1];
        if (groups < 1 || channels % groups != 0) {
            throw new IllegalArgumentException("group_norm: the " + channels + " channels of input " + CpuTensors.desc(x)
                    + " are not divisible into " + groups + " groups");
        }
        checkParam("group_norm", "weight", w, new int[] {channels}, x);
        checkParam("group_norm", "bias", b, new int[] {channels}, x);
        Tensor out = CpuTensors.empty(x.dtype(), shape);
        if (out.numel() == 0) return out;
        long spatial = x.numel() / ((long) batch * channels);
        int perGroup = channels / groups;
        int rows = batch * groups;
        long len = perGroup * spatial;
        DType cdt = ReductionKernels.floatCompute(x.dtype());
        boolean f32 = cdt == DType.F32;
        Tensor src = ReductionKernels.contiguousIn(x, cdt), dst = out.dtype() == cdt ? out : CpuTensors.empty(cdt, shape);
        MemorySegment s = CpuTensors.seg(src), o = CpuTensors.seg(dst);
        long sb = src.offset();
        double[] mean = mean(f32, s, rows, len, sb);
        double[] rstd = inverseRms(f32, s, rows, len, sb, mean, eps);
        double[] wv = w == null ? null : w.toDoubleArray(), bv = b == null ? null : b.toDoubleArray();
        // Per channel the affine map is one scale and one shift: fold weight and bias into them.
        ReduceParallel.pieces(batch * channels, spatial, (t, ch, from, n) -> {
            int c = ch % channels, row = (ch / channels) * groups + c / perGroup;
            double scale = rstd[row] * (wv == null ? 1 : wv[c]), shift = bv == null ? 0 : bv[c];
            long at = ch * spatial + from;
            if (f32) NormAffine.scaleShiftF32(s, sb + at, o, at, n, (float) mean[row], (float) scale, (float) shift);
            else NormAffine.scaleShiftF64(s, sb + at, o, at, n, mean[row], scale, shift);
        });
        if (dst != out) CpuTensors.copyCast(dst, out);
        return out;
    }

    private static double[] mean(boolean f32, MemorySegment s, int rows, long len, long base) {
        double[] m = ReduceParallel.rows(rows, len, base,
                (r, off, n) -> f32 ? ReduceF32.sum(s, off, n) : ReduceF64.sum(s, off, n), Double::sum);
        for (int r = 0; r < rows; r++) m[r] /= len;
        return m;
    }

    /** 1 / sqrt(mean((x - mean)^2) + eps) per row: the biased variance (or, with mean 0, the mean square). */
    private static double[] inverseRms(boolean f32, MemorySegment s, int rows, long len, long base, double[] mean, double eps) {
        double[] v = ReduceParallel.rows(rows, len, base, (r, off, n) -> f32
                ? ReduceF32.sumSqDev(s, off, n, (float) mean[r])
                : ReduceF64.sumSqDev(s, off, n, mean[r]), Double::sum);
        for (int r = 0; r < rows; r++) v[r] = 1 / Math.sqrt(v[r] / len + eps);
        return v;
    }

    private static void checkParam(String op, String what, Tensor t, int[] expected, Tensor x) {
        if (t != null && !Arrays.equals(t.shape(), expected)) {
            throw new IllegalArgumentException(op + ": " + what + " has shape " + Shapes.str(t.shape()) + " but must have shape "
                    + Shapes.str(expected) + " for input " + CpuTensors.desc(x));
        }
    }
}
