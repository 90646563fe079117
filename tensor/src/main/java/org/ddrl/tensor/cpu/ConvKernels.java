package org.ddrl.tensor.cpu;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import java.util.Map;
import org.ddrl.kernels.cpu.Gemm;
import org.ddrl.kernels.cpu.HostMemory;
import org.ddrl.kernels.cpu.Parallel;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.ConvGeometry;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Kernel;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Tensor;

/**
 * conv3d as GEMM: for each sample, group and block of output positions, unfold the input patches
 * ({@link Im2col}) into a [cg * kd * kh * kw, block] matrix and multiply the group's weights
 * [og, cg * kd * kh * kw] by it, straight into the output rows. The bias is written first and the GEMM
 * accumulates onto it (beta = 1). A 1x1x1 kernel with unit stride and no padding multiplies the input
 * itself, with no unfolding.
 *
 * <p>F32 and F64 compute in their own type; BF16 and F16 compute in F32 and are rounded once at the end.
 * The gradients are in {@link ConvBackwardInput} and {@link ConvBackwardWeight}.
 */
final class ConvKernels {
    /** Target im2col block: about an L2 cache, so the GEMM reads the columns while they are still hot. */
    static final long COL_BYTES = 2L << 20;
    /** Fewest output positions per block, so each GEMM is wide enough to run at full speed. */
    static final int MIN_COLS = 64;
    /** Multiply-adds per task below which handing work to another thread costs more than it saves. */
    static final long GRAIN_FLOPS = 1L << 18;

    private ConvKernels() {}

    static void register(Map<Op, Kernel> k) {
        k.put(Op.CONV3D, ConvKernels::conv3d);
        k.put(Op.CONV3D_BACKWARD_INPUT, ConvBackwardInput::apply);
        k.put(Op.CONV3D_BACKWARD_WEIGHT, ConvBackwardWeight::apply);
    }

    private static Tensor conv3d(Attrs a, Tensor... in) {
        Tensor x = in[0], w = in[1], bias = in.length > 2 ? in[2] : null;
        ConvGeometry g = ConvGeometry.of(x, w, bias, a);
        DType dt = x.dtype(), ct = dt.computeType();
        // with no input channels (k == 0) and no bias no GEMM runs and the output must read zero
        boolean unwritten = g.k() == 0 && bias == null;
        Tensor out = unwritten ? CpuTensors.zeros(dt, g.outShape()) : CpuTensors.empty(dt, g.outShape());
        if (out.numel() == 0 || unwritten) return out;
        Tensor res = dt == ct ? out : CpuTensors.empty(ct, g.outShape());
        run(g, ct == DType.F64, CpuTensors.dense(x, ct, x.shape()), CpuTensors.dense(w, ct, w.shape()),
                bias == null ? null : CpuTensors.dense(bias, ct, bias.shape()), res);
        if (res != out) CpuTensors.copyCast(res, out);
        return out;
    }

    /** All operands dense, offset 0, of the compute type; out is zero-filled. */
    private static void run(ConvGeometry g, boolean f64, Tensor x, Tensor w, Tensor bias, Tensor out) {
        int es = f64 ? 8 : 4;
        int k = g.k();
        boolean direct = g.pointwise();
        int cols = blockCols(g, direct, es);
        long blocks = Math.ceilDiv(g.p(), cols);
        long items = (long) g.n() * g.groups() * blocks;
        long work = (long) g.og() * Math.max(k, 1) * cols;
        MemorySegment xs = CpuTensors.seg(x), os = CpuTensors.seg(out);
        MemorySegment bs = bias == null ? null : CpuTensors.seg(bias);
        // the weights transposed once, [k, og] per group: the GEMM packs them (again for every block) from
        // columns that are contiguous, a vector copy, where the rows of W would be transposed element by element
        HostMemory.Block wt = k == 0 ? null : ConvScratch.take((long) g.o() * k * es);
        try {
            MemorySegment ws = wt == null ? CpuTensors.seg(w) : wt.segment();
            for (int grp = 0; wt != null && grp < g.groups(); grp++) {
                long at = (long) grp * g.og() * k;
                TiledTranspose.blocks(CpuTensors.seg(w), at, k, ws, at, g.og(), k, g.og(), es);
            }
            Parallel.forRange(items, Math.max(1, GRAIN_FLOPS / work), (lo, hi) -> {
                HostMemory.Block col = direct || k == 0 ? null : ConvScratch.take((long) k * cols * es);
                try {
                    for (long item = lo; item < hi; item++) {
                        block(g, f64, item, blocks, cols, xs, ws, bs, os, col == null ? null : col.segment());
                    }
                } finally {
                    if (col != null) ConvScratch.release(col);
                }
            });
        } finally {
            if (wt != null) ConvScratch.release(wt);
        }
    }

    /**
     * Output positions per block: as many as keep the im2col block near COL_BYTES, but few enough that
     * samples x groups x blocks gives every thread work.
     */
    static int blockCols(ConvGeometry g, boolean direct, int es) {
        long p = g.p();
        if (p <= MIN_COLS) return (int) p;
        long fit = direct ? p : Math.max(MIN_COLS, COL_BYTES / es / Math.max(1, g.k()));
        long perSlice = Math.ceilDiv(Parallel.threads(), (long) g.n() * g.groups());
        long spread = (Math.ceilDiv(p, perSlice) + 15) & ~15L;
        long cols = Math.max(MIN_COLS, Math.min(fit, spread));
        return (int) Math.min(cols, p);
    }

    private static void block(ConvGeometry g, boolean f64, long item, long blocks, int cols, MemorySegment xs,
                              MemorySegment ws, MemorySegment bs, MemorySegment os, MemorySegment col) {
        long p = g.p(), dhw = g.dhw();
        int og = g.og(), k = g.k();
        long slice = item / blocks;
        int grp = (int) (slice % g.groups()), n = (int) (slice / g.groups());
        long p0 = (item % blocks) * cols;
        int nc = (int) Math.min(cols, p - p0);
        long cOff = ((long) n * g.o() + (long) grp * og) * p + p0;
        if (bs != null) fillBias(f64, bs, grp * og, og, os, cOff, p, nc);
        if (k == 0) return;
        long xOff = ((long) n * g.c() + (long) grp * g.cg()) * dhw;
        MemorySegment b;
        long bOff, bRs;
        if (col == null) {
            // pointwise: the input channels are already the GEMM's rows (dhw == p here)
            b = xs;
            bOff = xOff + p0;
            bRs = dhw;
        } else {
            Im2col.fill(g, xs, xOff, f64 ? 8 : 4, col, nc, p0, nc, 0, k);
            b = col;
            bOff = 0;
            bRs = nc;
        }
        // ws holds the group's weights transposed, [k, og]
        gemm(f64, og, nc, k, ws, (long) grp * og * k, 1, og, b, bOff, bRs, 1, bs == null ? 0 : 1, os, cOff, p);
    }

    /** C = A B + beta C in F64 or F32, operands as {@link Gemm} takes them. */
    static void gemm(boolean f64, int m, int n, int k, MemorySegment a, long aOff, long aRs, long aCs,
                     MemorySegment b, long bOff, long bRs, long bCs, int beta, MemorySegment c, long cOff, long ldc) {
        if (f64) {
            Gemm.dgemm(m, n, k, 1, a, aOff, aRs, aCs, b, bOff, bRs, bCs, beta, c, cOff, ldc);
        } else {
            Gemm.sgemm(m, n, k, 1, a, aOff, aRs, aCs, b, bOff, bRs, bCs, beta, c, cOff, ldc);
        }
    }

    /** Rows [cOff, cOff + og * p) of out, columns [0, nc) of each, set to the group's bias values. */
    private static void fillBias(boolean f64, MemorySegment bs, int o0, int og, MemorySegment os, long cOff, long p, int nc) {
        for (int o = 0; o < og; o++) {
            long row = cOff + o * p;
            if (f64) {
                double v = bs.getAtIndex(JAVA_DOUBLE, o0 + o);
                for (int j = 0; j < nc; j++) os.setAtIndex(JAVA_DOUBLE, row + j, v);
            } else {
                float v = bs.getAtIndex(JAVA_FLOAT, o0 + o);
                for (int j = 0; j < nc; j++) os.setAtIndex(JAVA_FLOAT, row + j, v);
            }
        }
    }
}
