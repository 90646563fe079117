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
 * col^T [block, cg * k^3], with col the forward's {@link Im2col} matrix. A 1x1x1 kernel with unit stride
 * and no padding reads the input itself in place of col.
 *
 * <p>Each GEMM computes the transposed product col [rows, block] x gradOut_g^T [block, og] into a
 * [rows, og] partial sum: the many im2col rows are its M dim, which fills the micro-kernel's row panels
 * where the few output channels would leave most of them empty; the partial is transposed into gradW
 * once at the end.
 *
 * <p>The samples and blocks are cut into a number of slices that depends only on the shapes (at most
 * {@link #MAX_SLICES}), each summing into a partial of its own with the GEMM accumulating (beta = 1);
 * the partials are then added in slice order. So every element of gradW is summed in the same order on
 * any number of threads. Threads take (group, slice) units, and when there are fewer of those than
 * threads, also chunks of the im2col rows, which changes no sum.
 */
final class ConvBackwardWeight {
    /** Fewest im2col rows per task, so each GEMM's output is tall enough to run at full speed. */
    private static final int MIN_ROWS = 64;
    /** Most partial sums the positions are cut into: enough units for a few threads on small convolutions. */
    private static final int MAX_SLICES = 8;
    /** Most elements all partial sums together may hold (4 MiB in F32). */
    private static final long PARTIAL_ELEMS = 1L << 20;

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

    /** Fills gw [o, cg * k^3] of the compute type. */
    private static void run(ConvGeometry g, boolean f64, MemorySegment x, MemorySegment gy, MemorySegment gw) {
        int es = f64 ? 8 : 4, k = g.k(), groups = g.groups(), og = g.og();
        long p = g.p();
        int cols = (int) Math.min(p, Math.max(ConvKernels.MIN_COLS, ConvKernels.COL_BYTES / es / k / 64 * 64));
        long blocks = Math.ceilDiv(p, cols);
        long items = g.n() * blocks;
        if (items == 0) return;
        long wElems = (long) g.o() * k;
        long flops = wElems * p * g.n();
        int slices = (int) Math.clamp(Math.min(Math.min(items, MAX_SLICES), Math.min(PARTIAL_ELEMS / wElems,
                flops / (4 * ConvKernels.GRAIN_FLOPS))), 1, MAX_SLICES);
        // cutting the rows changes no sum, so only this may follow the thread count
        int chunks = (int) Math.clamp(Math.ceilDiv(Parallel.threads(), (long) groups * slices), 1, Math.ceilDiv(k, MIN_ROWS));
        int rows = Math.ceilDiv(k, chunks);
        int chunksPerGroup = Math.ceilDiv(k, rows);
        long tasks = (long) groups * chunksPerGroup * slices;
        // transposed products only where the output channels fill a whole column sliver of the GEMM's
        // micro-kernel; with fewer, its row panels are the better filled of the two
        boolean transposed = og >= 32;
        HostMemory.Block partial = ConvScratch.take(slices * wElems * es);
        try {
            MemorySegment ps = partial.segment();
            Parallel.forRange(tasks, Math.max(1, tasks * ConvKernels.GRAIN_FLOPS / flops), (lo, hi) -> {
                HostMemory.Block col = g.pointwise() ? null : ConvScratch.take((long) rows * cols * es);
                try {
                    for (long t = lo; t < hi; t++) {
                        int s = (int) (t % slices), unit = (int) (t / slices);
                        int grp = unit / chunksPerGroup, r0 = (unit % chunksPerGroup) * rows, r1 = Math.min(k, r0 + rows);
                        long first = s * items / slices, end = (s + 1) * items / slices;
                        long pOff = s * wElems + (long) grp * og * k + (transposed ? (long) r0 * og : r0);
                        for (long item = first; item < end; item++) {
                            int n = (int) (item / blocks);
                            long p0 = (item % blocks) * cols;
                            block(g, f64, transposed, grp, n, p0, (int) Math.min(cols, p - p0), r0, r1, x, gy,
                                    col == null ? null : col.segment(), item == first ? 0 : 1, ps, pOff);
                        }
                    }
                } finally {
                    if (col != null) ConvScratch.release(col);
                }
            });
            // the partials in slice order, then (transposed) into gw; groups x row blocks in parallel
            int band = 64;
            long bands = Math.ceilDiv(k, band);
            Parallel.forRange(groups * bands, Math.max(1, 16384 / ((long) band * og * slices)), (lo, hi) -> {
                for (long u = lo; u < hi; u++) {
                    int grp = (int) (u / bands), r0 = (int) (u % bands) * band, nr = Math.min(band, k - r0);
                    long gOff = (long) grp * og * k;
                    if (transposed) {
                        long at = gOff + (long) r0 * og;
                        for (int s = 1; s < slices; s++) Col2im.addRun(f64, ps, s * wElems + at, ps, at, (long) nr * og);
                        TiledTranspose.blocks(ps, at, og, gw, gOff + r0, k, og, nr, es);
                    } else {
                        for (int o = 0; o < og; o++) {
                            long at = gOff + (long) o * k + r0;
                            for (int s = 1; s < slices; s++) Col2im.addRun(f64, ps, s * wElems + at, ps, at, nr);
                            MemorySegment.copy(ps, at * es, gw, at * es, (long) nr * es);
                        }
                    }
                }
            });
        } finally {
            ConvScratch.release(partial);
        }
    }

    /**
     * The block's product into the partial at pOff: transposed, T[r - r0, o] (row stride og) = beta T +
     * sum over the block's positions of col[r, pos] * gradOut[n, grp, o, pos], r in [r0, r1); plain,
     * T[o, r - r0] (row stride k) likewise.
     */
    private static void block(ConvGeometry g, boolean f64, boolean transposed, int grp, int n, long p0, int nc, int r0, int r1,
                              MemorySegment x, MemorySegment gy, MemorySegment col, int beta, MemorySegment dst, long pOff) {
        long p = g.p(), dhw = g.dhw();
        long xOff = ((long) n * g.c() + (long) grp * g.cg()) * dhw;
        // u(r, pos) = element (r, pos) of the unfolded block, at u[uOff + r * uRs + pos * uCs]
        MemorySegment u;
        long uOff, uRs, uCs;
        int rows = r1 - r0, es = f64 ? 8 : 4;
        if (col == null) {
            // pointwise: row r of the unfolded matrix is input channel r (dhw == p here)
            u = x;
            uOff = xOff + r0 * dhw + p0;
            uRs = dhw;
            uCs = 1;
        } else {
            Im2col.fill(g, x, xOff, es, col, nc, p0, nc, r0, r1);
            u = col;
            uOff = 0;
            uRs = nc;
            uCs = 1;
        }
        long gyOff = ((long) n * g.o() + (long) grp * g.og()) * p + p0;
        if (transposed) {
            ConvKernels.gemm(f64, rows, g.og(), nc, u, uOff, uRs, uCs, gy, gyOff, 1, p, beta, dst, pOff, g.og());
        } else {
            ConvKernels.gemm(f64, g.og(), rows, nc, gy, gyOff, p, 1, u, uOff, uCs, uRs, beta, dst, pOff, g.k());
        }
    }
}
