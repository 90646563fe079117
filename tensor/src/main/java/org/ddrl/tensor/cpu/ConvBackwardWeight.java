package org.ddrl.tensor.cpu;

import java.lang.foreign.MemorySegment;
import org.ddrl.kernels.cpu.HostMemory;
import org.ddrl.kernels.cpu.Parallel;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.ConvGeometry;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Tensor;

/**
 * conv3d_backward_weight, the gradient of conv3d with respect to its weight: for each group,
 * gradW_g [og, cg * k^3] = sum over samples and blocks of output positions of gradOut_g [og, block] x
 * col^T [block, cg * k^3], with col the forward's {@link Im2col} matrix (read transposed through its
 * strides) and the GEMM accumulating (beta = 1). A 1x1x1 kernel with unit stride and no padding reads the
 * input itself in place of col.
 *
 * <p>Work is split without write races two ways. A group's columns of gradW (the im2col rows) are cut into
 * chunks, each a task that unfolds only its own rows, so no unfolding is repeated; when that gives fewer
 * tasks than threads (small kernels, few channels), the samples and blocks are also cut into slices, each
 * summing into a private copy of gradW that is added in at the end. Slices are only needed when a
 * group has fewer than about threads x {@link #MIN_ROWS} rows in all, so the private copies together hold
 * at most about threads x og x MIN_ROWS values.
 */
final class ConvBackwardWeight {
    /** Fewest im2col rows per task, so each GEMM's output is wide enough to run at full speed. */
    private static final int MIN_ROWS = 64;

    private ConvBackwardWeight() {}

    static Tensor apply(Attrs a, Tensor... in) {
        Tensor x = in[0], gy = in[1];
        ConvGeometry g = ConvGeometry.ofBackwardWeight(x, gy, a);
        DType dt = x.dtype(), ct = dt.computeType();
        int[] shape = {g.o(), g.cg(), g.kd(), g.kh(), g.kw()};
        // every GEMM adds onto the gradient, and an empty batch leaves it zero
        Tensor out = CpuTensors.zeros(dt, shape);
        if (out.numel() == 0 || g.n() == 0) return out;
        Tensor res = dt == ct ? out : CpuTensors.zeros(ct, shape);
        run(g, ct == DType.F64, CpuTensors.seg(CpuTensors.dense(x, ct, x.shape())),
                CpuTensors.seg(CpuTensors.dense(gy, ct, gy.shape())), CpuTensors.seg(res));
        if (res != out) CpuTensors.copyCast(res, out);
        return out;
    }

    /** gw is zero-filled; every GEMM adds onto its target. */
    private static void run(ConvGeometry g, boolean f64, MemorySegment x, MemorySegment gy, MemorySegment gw) {
        int es = f64 ? 8 : 4, k = g.k(), groups = g.groups();
        long p = g.p();
        long flops = (long) g.o() * k * p * g.n();
        long target = Math.min(Parallel.threads(), Math.max(1, flops / ConvKernels.GRAIN_FLOPS));
        int chunks = (int) Math.clamp(Math.ceilDiv(target, groups), 1, Math.ceilDiv(k, MIN_ROWS));
        int rows = Math.ceilDiv(k, chunks);
        int chunksPerGroup = Math.ceilDiv(k, rows);
        long units = (long) groups * chunksPerGroup;
        int cols = (int) Math.min(p, Math.max(ConvKernels.MIN_COLS, ConvKernels.COL_BYTES / es / rows));
        long blocks = Math.ceilDiv(p, cols);
        long items = g.n() * blocks;
        int slices = (int) Math.clamp(Math.ceilDiv(target, units), 1, items);
        long wElems = (long) g.o() * k;
        long tasks = units * slices;
        HostMemory.Block partial = slices > 1 ? HostMemory.allocate((slices - 1) * wElems * es) : null;
        try {
            Parallel.forRange(tasks, Math.max(1, tasks * ConvKernels.GRAIN_FLOPS / flops), (lo, hi) -> {
                HostMemory.Block col = g.pointwise() ? null : ConvScratch.take((long) rows * cols * es);
                try {
                    for (long t = lo; t < hi; t++) {
                        int unit = (int) (t / slices), s = (int) (t % slices);
                        int grp = unit / chunksPerGroup, r0 = (unit % chunksPerGroup) * rows;
                        MemorySegment dst = s == 0 ? gw : partial.segment();
                        long dOff = (s == 0 ? 0 : (s - 1) * wElems) + (long) grp * g.og() * k + r0;
                        for (long item = s * items / slices, end = (s + 1) * items / slices; item < end; item++) {
                            int n = (int) (item / blocks);
                            long p0 = (item % blocks) * cols;
                            block(g, f64, grp, n, p0, (int) Math.min(cols, p - p0), r0, Math.min(k, r0 + rows), x, gy,
                                    col == null ? null : col.segment(), dst, dOff);
                        }
                    }
                } finally {
                    if (col != null) ConvScratch.release(col);
                }
            });
            if (partial != null) {
                MemorySegment ps = partial.segment();
                Parallel.forRange(wElems, ConvKernels.GRAIN_FLOPS, (lo, hi) -> {
                    for (int s = 1; s < slices; s++) Col2im.addRun(f64, ps, (s - 1) * wElems + lo, gw, lo, hi - lo);
                });
            }
        } finally {
            if (partial != null) partial.free();
        }
    }

    /** dst[o, r] (row stride k) += sum over the block's positions of gradOut[n, grp, o, pos] * col[r, pos], r in [r0, r1). */
    private static void block(ConvGeometry g, boolean f64, int grp, int n, long p0, int nc, int r0, int r1,
                              MemorySegment x, MemorySegment gy, MemorySegment col, MemorySegment dst, long dOff) {
        long p = g.p(), dhw = g.dhw();
        long xOff = ((long) n * g.c() + (long) grp * g.cg()) * dhw;
        MemorySegment b;
        long bOff, bCs;
        if (col == null) {
            // pointwise: row r of the unfolded matrix is input channel r (dhw == p here)
            b = x;
            bOff = xOff + r0 * dhw + p0;
            bCs = dhw;
        } else {
            Im2col.fill(g, x, xOff, f64 ? 8 : 4, col, nc, p0, nc, r0, r1);
            b = col;
            bOff = 0;
            bCs = nc;
        }
        long gyOff = ((long) n * g.o() + (long) grp * g.og()) * p + p0;
        ConvKernels.gemm(f64, g.og(), r1 - r0, nc, gy, gyOff, p, 1, b, bOff, 1, bCs, 1, dst, dOff, g.k());
    }
}
