package org.ddrl.tensor.cpu;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import java.util.Map;
import org.ddrl.kernels.cpu.Parallel;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Kernel;
import org.ddrl.tensor.NormBackwardShape;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Tensor;

/**
 * layer_norm_backward, rms_norm_backward and group_norm_backward. Each normalized row is one task's work
 * from start to end: its mean and variance again (two passes, as the forward, so the statistics are the
 * forward's own), the two sums sum(gh) and sum(gh (x - mean)) with gh = gradOut * weight, then the input
 * gradient rstd (gh - mean(gh) - xhat mean(gh xhat)) written as a g w + b (x - mean) + c with per-row
 * constants. The row stays in cache between these loops, so memory sees about one pass.
 *
 * <p>Weight and bias gradients are sums over rows. Layer and rms norm accumulate them per block of
 * {@link #BLOCK_ROWS} consecutive rows (float, short enough to keep F32 accuracy) and add the blocks in
 * order in double; group norm keeps one partial per (sample, channel) and adds the samples in order. The
 * cuts depend only on the shape, so results are the same bits whatever the number of threads.
 * F32, BF16 and F16 compute in F32, F64 in double; the packed result has x's dtype.
 */
final class NormBackwardKernels {
    private NormBackwardKernels() {}

    /** Rows per partial of the weight and bias gradients of layer and rms norm. */
    static final int BLOCK_ROWS = 32;
    /** Elements of work below which a range of rows is not split further. */
    private static final long GRAIN = 1 << 15;

    static void register(Map<Op, Kernel> k) {
        for (Op op : new Op[] {Op.LAYER_NORM_BACKWARD, Op.RMS_NORM_BACKWARD, Op.GROUP_NORM_BACKWARD}) {
            k.put(op, (a, in) -> run(op, a, in[0], in[1], in.length > 2 ? in[2] : null));
        }
    }

    /** Dense compute-type operands and the outputs of one call. */
    private record Work(NormBackwardShape s, boolean f32, MemorySegment g, long go, MemorySegment x, long xo, MemorySegment w,
                        MemorySegment y, double[] gw, double[] gb) {
        boolean params() {
            return s.needWeight() || s.needBias();
        }
    }

    private static Tensor run(Op op, Attrs a, Tensor g, Tensor x, Tensor w) {
        NormBackwardShape s = NormBackwardShape.of(op, a, g, x, w);
        // no rows: the parameter gradients are empty sums, zero; otherwise every requested element is written
        if (s.numel() == 0) return CpuTensors.zeros(x.dtype(), Math.toIntExact(s.packedLength()));
        Tensor packed = CpuTensors.empty(x.dtype(), Math.toIntExact(s.packedLength()));
        DType cdt = ReductionKernels.floatCompute(x.dtype());
        Tensor gd = ReductionKernels.contiguousIn(g, cdt), xd = ReductionKernels.contiguousIn(x, cdt);
        Tensor wd = w == null ? null : CpuTensors.dense(w, cdt, s.paramShape());
        int nx = Math.toIntExact(s.numel());
        Tensor gx = !s.needInput() ? null : x.dtype() == cdt ? packed.narrow(0, 0, nx) : CpuTensors.empty(cdt, nx);
        int params = Math.toIntExact(s.paramLen());
        Work k = new Work(s, cdt == DType.F32, CpuTensors.seg(gd), gd.offset(), CpuTensors.seg(xd), xd.offset(),
                wd == null ? null : CpuTensors.seg(wd), gx == null ? null : CpuTensors.seg(gx), new double[params], new double[params]);
        if (s.groupNorm()) groupNorm(k);
        else trailing(k);
        if (gx != null && gx.dtype() != x.dtype()) CpuTensors.copyCast(gx, packed.narrow(0, 0, nx));
        MemorySegment out = CpuTensors.seg(packed);
        long wAt = s.packedOffset(1), bAt = s.packedOffset(2);
        for (int j = 0; j < params; j++) {
            if (s.needWeight()) Elements.setD(out, x.dtype(), wAt + j, k.gw[j]);
            if (s.needBias()) Elements.setD(out, x.dtype(), bAt + j, k.gb[j]);
        }
        return packed;
    }

    // ------------------------------------------------------------------ layer and rms norm

    private static void trailing(Work k) {
        NormBackwardShape s = k.s;
        int rows = Math.toIntExact(s.rows()), len = Math.toIntExact(s.len());
        int blocks = (rows + BLOCK_ROWS - 1) / BLOCK_ROWS;
        float[] pw = k.f32 && k.params() ? new float[Math.multiplyExact(blocks, len)] : null, pb = pw == null ? null : new float[pw.length];
        double[] dw = !k.f32 && k.params() ? new double[Math.multiplyExact(blocks, len)] : null, db = dw == null ? null : new double[dw.length];
        long grain = Math.max(1, GRAIN / ((long) BLOCK_ROWS * len));
        Parallel.forRange(blocks, grain, (lo, hi) -> {
            double[] sums = new double[2];
            for (long blk = lo; blk < hi; blk++) {
                int r1 = (int) Math.min(rows, (blk + 1) * BLOCK_ROWS);
                for (int r = (int) blk * BLOCK_ROWS; r < r1; r++) {
                    if (k.f32) rowF32(k, r, len, sums, pw, pb, (int) blk * len);
                    else rowF64(k, r, len, sums, dw, db, (int) blk * len);
                }
            }
        });
        if (!k.params()) return;
        for (int b = 0; b < blocks; b++) {
            for (int j = 0; j < len; j++) {
                k.gw[j] += k.f32 ? pw[b * len + j] : dw[b * len + j];
                k.gb[j] += k.f32 ? pb[b * len + j] : db[b * len + j];
            }
        }
    }

    private static void rowF32(Work k, int r, int len, double[] sums, float[] pw, float[] pb, int po) {
        long off = (long) r * len, xo = k.xo + off, go = k.go + off;
        boolean rms = k.s.rms();
        float mean = rms ? 0f : (float) (ReduceF32.sum(k.x, xo, len) / len);
        double rstd = 1 / Math.sqrt(ReduceF32.sumSqDev(k.x, xo, len, mean) / len + k.s.eps());
        if (k.y != null) {
            if (k.w == null) NormBackwardF32.sums(k.g, go, k.x, xo, len, mean, sums);
            else NormBackwardF32.sumsWeighted(k.g, go, k.x, xo, k.w, 0, len, mean, sums);
            double b = -rstd * rstd * rstd * sums[1] / len, c = rms ? 0 : -rstd * sums[0] / len;
            if (k.w == null) NormBackwardF32.inputGrad(k.g, go, k.x, xo, k.y, off, len, mean, (float) rstd, (float) b, (float) c);
            else NormBackwardF32.inputGradWeighted(k.g, go, k.x, xo, k.w, 0, k.y, off, len, mean, (float) rstd, (float) b, (float) c);
        }
        if (pw != null) NormBackwardF32.accumulate(k.g, go, k.x, xo, len, mean, (float) rstd, pw, pb, po);
    }

    /** The same steps in double, element by element (F64 is the checking dtype, not the fast one). */
    private static void rowF64(Work k, int r, int len, double[] sums, double[] pw, double[] pb, int po) {
        long off = (long) r * len, xo = k.xo + off, go = k.go + off;
        boolean rms = k.s.rms();
        double mean = rms ? 0 : ReduceF64.sum(k.x, xo, len) / len;
        double rstd = 1 / Math.sqrt(ReduceF64.sumSqDev(k.x, xo, len, mean) / len + k.s.eps());
        if (k.y != null) {
            double sg = 0, sgx = 0;
            for (int j = 0; j < len; j++) {
                double h = d(k.g, go + j) * (k.w == null ? 1 : d(k.w, j));
                sg += h;
                sgx += h * (d(k.x, xo + j) - mean);
            }
            double b = -rstd * rstd * rstd * sgx / len, c = rms ? 0 : -rstd * sg / len;
            for (int j = 0; j < len; j++) {
                double h = d(k.g, go + j) * (k.w == null ? 1 : d(k.w, j));
                k.y.setAtIndex(JAVA_DOUBLE, off + j, rstd * h + (b * (d(k.x, xo + j) - mean) + c));
            }
        }
        if (pw != null) {
            for (int j = 0; j < len; j++) {
                double gv = d(k.g, go + j);
                pw[po + j] += gv * (d(k.x, xo + j) - mean) * rstd;
                pb[po + j] += gv;
            }
        }
    }

    private static double d(MemorySegment s, long i) {
        return s.getAtIndex(JAVA_DOUBLE, i);
    }

    // ------------------------------------------------------------------ group norm

    /**
     * Rows are (sample, group) runs of channelsPerGroup channels of spatial elements. Per channel the sums
     * sum(g) and sum(g (x - mean)) give both the row sums (weighted by the channel's weight) and that
     * channel's share of the parameter gradients; the input gradient is then a g + b (x - mean) + c with
     * per-channel constants.
     */
    private static void groupNorm(Work k) {
        NormBackwardShape s = k.s;
        int rows = Math.toIntExact(s.rows()), per = s.channelsPerGroup(), channels = s.inputShape()[1];
        int spatial = Math.toIntExact(s.spatial()), len = Math.toIntExact(s.len()), groups = s.groups();
        int batch = s.inputShape()[0];
        double[] cg = new double[batch * channels], cgx = new double[batch * channels], rstds = new double[rows];
        double[] wv = new double[channels];
        for (int c = 0; c < channels; c++) wv[c] = k.w == null ? 1 : k.f32 ? k.w.getAtIndex(JAVA_FLOAT, c) : d(k.w, c);
        Parallel.forRange(rows, Math.max(1, GRAIN / Math.max(1, len)), (lo, hi) -> {
            double[] sums = new double[2];
            for (int r = (int) lo; r < hi; r++) {
                long off = (long) r * len, xo = k.xo + off;
                double mean = k.f32 ? (float) (ReduceF32.sum(k.x, xo, len) / len) : ReduceF64.sum(k.x, xo, len) / len;
                double ss = k.f32 ? ReduceF32.sumSqDev(k.x, xo, len, (float) mean) : ReduceF64.sumSqDev(k.x, xo, len, mean);
                double rstd = 1 / Math.sqrt(ss / len + s.eps());
                rstds[r] = rstd;
                int c0 = (r % groups) * per, nc0 = (r / groups) * channels + c0;
                double sg = 0, sgx = 0;
                for (int c = 0; c < per; c++) {
                    long co = off + (long) c * spatial;
                    if (k.f32) {
                        NormBackwardF32.sums(k.g, k.go + co, k.x, k.xo + co, spatial, (float) mean, sums);
                    } else {
                        sums[0] = 0;
                        sums[1] = 0;
                        for (int j = 0; j < spatial; j++) {
                            double gv = d(k.g, k.go + co + j);
                            sums[0] += gv;
                            sums[1] += gv * (d(k.x, k.xo + co + j) - mean);
                        }
                    }
                    cg[nc0 + c] = sums[0];
                    cgx[nc0 + c] = sums[1];
                    sg += wv[c0 + c] * sums[0];
                    sgx += wv[c0 + c] * sums[1];
                }
                if (k.y == null) continue;
                double b = -rstd * rstd * rstd * sgx / len, c = -rstd * sg / len;
                for (int ch = 0; ch < per; ch++) {
                    long co = off + (long) ch * spatial;
                    double a = rstd * wv[c0 + ch];
                    if (k.f32) {
                        NormBackwardF32.inputGrad(k.g, k.go + co, k.x, k.xo + co, k.y, co, spatial, (float) mean, (float) a, (float) b,
                                (float) c);
                    } else {
                        for (int j = 0; j < spatial; j++) {
                            double v = a * d(k.g, k.go + co + j) + (b * (d(k.x, k.xo + co + j) - mean) + c);
                            k.y.setAtIndex(JAVA_DOUBLE, co + j, v);
                        }
                    }
                }
            }
        });
        for (int n = 0; n < batch; n++) {
            for (int ch = 0; ch < channels; ch++) {
                k.gw[ch] += cgx[n * channels + ch] * rstds[n * groups + ch / per];
                k.gb[ch] += cg[n * channels + ch];
            }
        }
    }
}
