package org.ddrl.tensor.cpu;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import java.util.Map;
import org.ddrl.kernels.cpu.Parallel;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.FusedGrads;
import org.ddrl.tensor.Kernel;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.PerSampleShape;
import org.ddrl.tensor.Tensor;

/**
 * layer_norm_modulate, gated_residual and their gradients: x [B, T, C] as B T rows of C, each row taking
 * its sample's parameter row ([B, C] views are read in place, adaLN's chunks included, so no broadcast
 * copy is made). The forwards make one pass per row (the norm's two statistics passes run over a row that
 * stays in cache); the gradients recompute the row statistics, as the norm gradients do.
 *
 * <p>Per-sample gradients (shift, scale, gate) are sums over a sample's T rows. They are accumulated in
 * float per block of {@link #BLOCK_ROWS} consecutive rows of one sample, and the blocks added in order in
 * double: the cuts depend only on the shape, so the result is the same bits on any number of threads.
 * F32, BF16 and F16 compute in F32, F64 in double; results have x's (y's) dtype.
 */
final class PerSampleKernels {
    private PerSampleKernels() {}

    /** Rows per float partial of a per-sample gradient. */
    static final int BLOCK_ROWS = 32;
    /** Elements of work below which a range of rows is not split further. */
    private static final long GRAIN = 1 << 15;

    private static final Tensor[] NONE = new Tensor[0];
    private static final String[] NO_NAMES = new String[0];

    static void register(Map<Op, Kernel> k) {
        k.put(Op.LAYER_NORM_MODULATE, (a, in) -> modulate(a, in[0], in[1], in[2]));
        k.put(Op.LAYER_NORM_MODULATE_BACKWARD, (a, in) -> modulateBackward(a, in[0], in[1], in[2]));
        k.put(Op.GATED_RESIDUAL, (a, in) -> gated(in[0], in[1], in[2]));
        k.put(Op.GATED_RESIDUAL_BACKWARD, (a, in) -> gatedBackward(a, in[0], in[1], in[2]));
    }

    /** A per-sample parameter as rows of C in the compute dtype: in place when its rows are dense runs, else a dense copy. */
    private record Param(MemorySegment seg, long offset, long rowStride) {
        static Param of(Tensor p, DType cdt) {
            Tensor r = PerSampleShape.rows(p);
            long[] st = r.strides();
            if (r.dtype() == cdt && (r.size(1) <= 1 || st[1] == 1)) return new Param(CpuTensors.seg(r), r.offset(), st[0]);
            Tensor d = CpuTensors.dense(r, cdt, r.shape());
            return new Param(CpuTensors.seg(d), d.offset(), r.size(1));
        }

        long row(long b) {
            return offset + b * rowStride;
        }

        double get(DType cdt, long b, int j) {
            return cdt == DType.F32 ? seg.getAtIndex(JAVA_FLOAT, row(b) + j) : seg.getAtIndex(JAVA_DOUBLE, row(b) + j);
        }
    }

    private static long grain(int c) {
        return Math.max(1, GRAIN / Math.max(1, c));
    }

    // ------------------------------------------------------------------ layer_norm_modulate

    private static Tensor modulate(Attrs a, Tensor x, Tensor shift, Tensor scale) {
        PerSampleShape s = PerSampleShape.of(Op.LAYER_NORM_MODULATE, x, NONE, NO_NAMES, new Tensor[] {shift, scale},
                new String[] {"shift", "scale"});
        double eps = a.d("eps");
        Tensor out = CpuTensors.empty(x.dtype(), x.shape());
        if (s.numel() == 0) return out;
        DType cdt = ReductionKernels.floatCompute(x.dtype());
        Tensor xd = ReductionKernels.contiguousIn(x, cdt), dst = out.dtype() == cdt ? out : CpuTensors.empty(cdt, x.shape());
        Param sh = Param.of(shift, cdt), sc = Param.of(scale, cdt);
        MemorySegment xs = CpuTensors.seg(xd), ys = CpuTensors.seg(dst);
        long xo = xd.offset(), t = s.tokens();
        int c = s.channels();
        boolean f32 = cdt == DType.F32;
        Parallel.forRange(s.rows(), grain(c), (lo, hi) -> {
            for (long r = lo; r < hi; r++) {
                long b = r / t, off = r * c;
                if (f32) PerSampleF32.modulateRow(xs, xo + off, ys, off, c, eps, sh.seg(), sh.row(b), sc.seg(), sc.row(b));
                else modulateRowF64(xs, xo + off, ys, off, c, eps, sh, sc, b);
            }
        });
        if (dst != out) CpuTensors.copyCast(dst, out);
        return out;
    }

    private static void modulateRowF64(MemorySegment x, long xo, MemorySegment y, long yo, int n, double eps, Param sh, Param sc,
                                       long b) {
        double mean = ReduceF64.sum(x, xo, n) / n;
        double rstd = 1 / Math.sqrt(ReduceF64.sumSqDev(x, xo, n, mean) / n + eps);
        for (int j = 0; j < n; j++) {
            double xh = (x.getAtIndex(JAVA_DOUBLE, xo + j) - mean) * rstd;
            y.setAtIndex(JAVA_DOUBLE, yo + j, xh * (1 + sc.get(DType.F64, b, j)) + sh.get(DType.F64, b, j));
        }
    }

    /** Dense operands and outputs of one per-sample gradient call. */
    private record Grad(PerSampleShape s, boolean f32, MemorySegment g, long go, MemorySegment v, long vo, MemorySegment w,
                        MemorySegment y, int blocksPerSample, float[] pa, float[] pb, double[] da, double[] db) {
        boolean params() {
            return pa != null || da != null;
        }
    }

    private static int blocksPerSample(long tokens) {
        return Math.toIntExact((tokens + BLOCK_ROWS - 1) / BLOCK_ROWS);
    }

    /**
     * inputs: gradOut, x, scale. The weight of the norm gradient is a = 1 + scale per sample (a dense [B, C]
     * temporary of B C elements); grad shift sums g, grad scale sums g xhat.
     */
    private static Tensor modulateBackward(Attrs a, Tensor g, Tensor x, Tensor scale) {
        PerSampleShape s = PerSampleShape.of(Op.LAYER_NORM_MODULATE_BACKWARD, x, new Tensor[] {g}, new String[] {"grad output"},
                new Tensor[] {scale}, new String[] {"scale"});
        int[] mask = FusedGrads.mask("layer_norm_modulate_backward", a, 3, "input, shift, scale");
        double eps = a.d("eps");
        int bsz = s.batch(), c = s.channels();
        long nx = s.numel(), np = (long) bsz * c;
        int total = Math.toIntExact(mask[0] * nx + (mask[1] + mask[2]) * np);
        if (nx == 0) return CpuTensors.zeros(x.dtype(), total);
        Tensor packed = CpuTensors.empty(x.dtype(), total);
        DType cdt = ReductionKernels.floatCompute(x.dtype());
        boolean f32 = cdt == DType.F32;
        Tensor gd = ReductionKernels.contiguousIn(g, cdt), xd = ReductionKernels.contiguousIn(x, cdt);
        Param sc = Param.of(scale, cdt);
        Tensor w = CpuTensors.empty(cdt, bsz, c);
        MemorySegment ws = CpuTensors.seg(w);
        for (int b = 0; b < bsz; b++) {
            for (int j = 0; j < c; j++) {
                if (f32) ws.setAtIndex(JAVA_FLOAT, (long) b * c + j, 1f + (float) sc.get(cdt, b, j));
                else ws.setAtIndex(JAVA_DOUBLE, (long) b * c + j, 1 + sc.get(cdt, b, j));
            }
        }
        Tensor gx = mask[0] == 0 ? null : x.dtype() == cdt ? packed.narrow(0, 0, (int) nx) : CpuTensors.empty(cdt, (int) nx);
        Grad k = grad(s, f32, gd, xd, ws, gx, mask[1] + mask[2] > 0 ? 2 : 0);
        Parallel.forRange((long) bsz * k.blocksPerSample(), Math.max(1, GRAIN / ((long) BLOCK_ROWS * c)), (lo, hi) -> {
            double[] sums = new double[2];
            for (long blk = lo; blk < hi; blk++) {
                long b = blk / k.blocksPerSample(), t0 = (blk % k.blocksPerSample()) * BLOCK_ROWS;
                long t1 = Math.min(s.tokens(), t0 + BLOCK_ROWS);
                for (long t = t0; t < t1; t++) modulateBackwardRow(k, b * s.tokens() + t, b, (int) blk * c, eps, sums);
            }
        });
        if (gx != null && gx.dtype() != x.dtype()) CpuTensors.copyCast(gx, packed.narrow(0, 0, (int) nx));
        // pa holds the scale gradient (sum g xhat), pb the shift gradient (sum g)
        long at = mask[0] * nx;
        if (mask[1] == 1) at = writeSums(k, false, packed, at);
        if (mask[2] == 1) writeSums(k, true, packed, at);
        return packed;
    }

    /** The call's operands; {@code partials} float (F32) or double (F64) arrays of per-block sums: 0, 1 or 2. */
    private static Grad grad(PerSampleShape s, boolean f32, Tensor gd, Tensor vd, MemorySegment w, Tensor y, int partials) {
        int bps = blocksPerSample(s.tokens());
        int len = partials == 0 ? 0 : Math.multiplyExact(Math.multiplyExact(s.batch(), bps), s.channels());
        float[] pa = partials > 0 && f32 ? new float[len] : null, pb = partials > 1 && f32 ? new float[len] : null;
        double[] da = partials > 0 && !f32 ? new double[len] : null, db = partials > 1 && !f32 ? new double[len] : null;
        return new Grad(s, f32, CpuTensors.seg(gd), gd.offset(), CpuTensors.seg(vd), vd.offset(), w, y == null ? null : CpuTensors.seg(y),
                bps, pa, pb, da, db);
    }

    /** Adds each sample's blocks in order (double) and writes the B C sums at {@code at}; returns the next offset. */
    private static long writeSums(Grad k, boolean first, Tensor packed, long at) {
        int c = k.s().channels(), bps = k.blocksPerSample();
        MemorySegment out = CpuTensors.seg(packed);
        double[] acc = new double[c];
        for (int b = 0; b < k.s().batch(); b++) {
            java.util.Arrays.fill(acc, 0);
            for (int blk = b * bps; blk < (b + 1) * bps; blk++) {
                for (int j = 0; j < c; j++) {
                    int i = blk * c + j;
                    acc[j] += k.f32() ? (first ? k.pa()[i] : k.pb()[i]) : (first ? k.da()[i] : k.db()[i]);
                }
            }
            for (int j = 0; j < c; j++) Elements.setD(out, packed.dtype(), at + (long) b * c + j, acc[j]);
        }
        return at + (long) k.s().batch() * c;
    }

    private static void modulateBackwardRow(Grad k, long r, long b, int po, double eps, double[] sums) {
        int n = k.s().channels();
        long off = r * n, xo = k.vo() + off, go = k.go() + off, wo = b * n;
        if (k.f32()) {
            float mean = (float) (ReduceF32.sum(k.v(), xo, n) / n);
            double rstd = 1 / Math.sqrt(ReduceF32.sumSqDev(k.v(), xo, n, mean) / n + eps);
            if (k.y() != null) {
                NormBackwardF32.sumsWeighted(k.g(), go, k.v(), xo, k.w(), wo, n, mean, sums);
                double bb = -rstd * rstd * rstd * sums[1] / n, cc = -rstd * sums[0] / n;
                NormBackwardF32.inputGradWeighted(k.g(), go, k.v(), xo, k.w(), wo, k.y(), off, n, mean, (float) rstd, (float) bb,
                        (float) cc);
            }
            if (k.params()) NormBackwardF32.accumulate(k.g(), go, k.v(), xo, n, mean, (float) rstd, k.pa(), k.pb(), po);
            return;
        }
        double mean = ReduceF64.sum(k.v(), xo, n) / n;
        double rstd = 1 / Math.sqrt(ReduceF64.sumSqDev(k.v(), xo, n, mean) / n + eps);
        if (k.y() != null) {
            double sg = 0, sgx = 0;
            for (int j = 0; j < n; j++) {
                double h = d(k.g(), go + j) * d(k.w(), wo + j);
                sg += h;
                sgx += h * (d(k.v(), xo + j) - mean);
            }
            double bb = -rstd * rstd * rstd * sgx / n, cc = -rstd * sg / n;
            for (int j = 0; j < n; j++) {
                double h = d(k.g(), go + j) * d(k.w(), wo + j);
                k.y().setAtIndex(JAVA_DOUBLE, off + j, rstd * h + (bb * (d(k.v(), xo + j) - mean) + cc));
            }
        }
        if (k.params()) {
            for (int j = 0; j < n; j++) {
                double gv = d(k.g(), go + j);
                k.da()[po + j] += gv * (d(k.v(), xo + j) - mean) * rstd;
                k.db()[po + j] += gv;
            }
        }
    }

    private static double d(MemorySegment s, long i) {
        return s.getAtIndex(JAVA_DOUBLE, i);
    }

    // ------------------------------------------------------------------ gated_residual

    private static Tensor gated(Tensor x, Tensor y, Tensor gate) {
        PerSampleShape s = PerSampleShape.of(Op.GATED_RESIDUAL, x, new Tensor[] {y}, new String[] {"y"}, new Tensor[] {gate},
                new String[] {"gate"});
        Tensor out = CpuTensors.empty(x.dtype(), x.shape());
        if (s.numel() == 0) return out;
        DType cdt = ReductionKernels.floatCompute(x.dtype());
        Tensor xd = ReductionKernels.contiguousIn(x, cdt), yd = ReductionKernels.contiguousIn(y, cdt);
        Tensor dst = out.dtype() == cdt ? out : CpuTensors.empty(cdt, x.shape());
        Param gp = Param.of(gate, cdt);
        MemorySegment xs = CpuTensors.seg(xd), ys = CpuTensors.seg(yd), os = CpuTensors.seg(dst);
        long xo = xd.offset(), yo = yd.offset(), t = s.tokens();
        int c = s.channels();
        boolean f32 = cdt == DType.F32;
        Parallel.forRange(s.rows(), grain(c), (lo, hi) -> {
            for (long r = lo; r < hi; r++) {
                long b = r / t, off = r * c;
                if (f32) {
                    PerSampleF32.gatedRow(xs, xo + off, ys, yo + off, gp.seg(), gp.row(b), os, off, c);
                } else {
                    for (int j = 0; j < c; j++) {
                        double v = d(xs, xo + off + j) + gp.get(DType.F64, b, j) * d(ys, yo + off + j);
                        os.setAtIndex(JAVA_DOUBLE, off + j, v);
                    }
                }
            }
        });
        if (dst != out) CpuTensors.copyCast(dst, out);
        return out;
    }

    /** inputs: gradOut, y, gate. grad y = g gate, grad gate = sum over the sample's rows of g y. */
    private static Tensor gatedBackward(Attrs a, Tensor g, Tensor y, Tensor gate) {
        PerSampleShape s = PerSampleShape.of(Op.GATED_RESIDUAL_BACKWARD, y, new Tensor[] {g}, new String[] {"grad output"},
                new Tensor[] {gate}, new String[] {"gate"});
        int[] mask = FusedGrads.mask("gated_residual_backward", a, 2, "y, gate");
        int bsz = s.batch(), c = s.channels();
        long ny = s.numel(), np = (long) bsz * c;
        int total = Math.toIntExact(mask[0] * ny + mask[1] * np);
        if (ny == 0) return CpuTensors.zeros(y.dtype(), total);
        Tensor packed = CpuTensors.empty(y.dtype(), total);
        DType cdt = ReductionKernels.floatCompute(y.dtype());
        boolean f32 = cdt == DType.F32;
        Tensor gd = ReductionKernels.contiguousIn(g, cdt), yd = ReductionKernels.contiguousIn(y, cdt);
        Param gp = Param.of(gate, cdt);
        Tensor gy = mask[0] == 0 ? null : y.dtype() == cdt ? packed.narrow(0, 0, (int) ny) : CpuTensors.empty(cdt, (int) ny);
        Grad k = grad(s, f32, gd, yd, null, gy, mask[1]);
        Parallel.forRange((long) bsz * k.blocksPerSample(), Math.max(1, GRAIN / ((long) BLOCK_ROWS * c)), (lo, hi) -> {
            for (long blk = lo; blk < hi; blk++) {
                long b = blk / k.blocksPerSample(), t0 = (blk % k.blocksPerSample()) * BLOCK_ROWS;
                long t1 = Math.min(s.tokens(), t0 + BLOCK_ROWS);
                int po = (int) blk * c;
                for (long t = t0; t < t1; t++) {
                    long off = (b * s.tokens() + t) * c, go = k.go() + off, yo = k.vo() + off;
                    if (f32) {
                        if (k.y() != null) PerSampleF32.scaleRow(k.g(), go, gp.seg(), gp.row(b), k.y(), off, c);
                        if (k.params()) PerSampleF32.accumulateProduct(k.g(), go, k.v(), yo, c, k.pa(), po);
                    } else {
                        for (int j = 0; j < c; j++) {
                            double gv = d(k.g(), go + j);
                            if (k.y() != null) k.y().setAtIndex(JAVA_DOUBLE, off + j, gv * gp.get(DType.F64, b, j));
                            if (k.params()) k.da()[po + j] += gv * d(k.v(), yo + j);
                        }
                    }
                }
            }
        });
        if (gy != null && gy.dtype() != y.dtype()) CpuTensors.copyCast(gy, packed.narrow(0, 0, (int) ny));
        if (mask[1] == 1) writeSums(k, true, packed, mask[0] * ny);
        return packed;
    }
}
