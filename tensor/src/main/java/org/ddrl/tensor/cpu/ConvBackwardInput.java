package org.ddrl.tensor.cpu;

import java.lang.foreign.MemorySegment;
import org.ddrl.kernels.cpu.HostMemory;
import org.ddrl.kernels.cpu.Parallel;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.ConvGeometry;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Tensor;

/**
 * conv3d_backward_input, the gradient of conv3d with respect to its input. For each sample, group and
 * block of output positions, the group's transposed weights times the gradient block give the column
 * matrix col [cg * kd * kh * kw, block] = W_g^T [cg * k^3, og] x gradOut_g [og, block] (W_g^T is read
 * through its strides, no copy); {@link Col2im} then adds the columns back onto the input positions they
 * were read from. A 1x1x1 kernel with unit stride and no padding multiplies straight into the gradient.
 *
 * <p>Blocks of one sample and group overlap in the input positions they touch, so they run one after
 * another. Samples x groups write disjoint parts of the gradient: with at least one per thread each runs
 * whole on one thread; with fewer they run in turn and each GEMM and col2im spreads over the pool.
 */
final class ConvBackwardInput {
    private ConvBackwardInput() {}

    static Tensor apply(Attrs a, Tensor... in) {
        Tensor gy = in[0], w = in[1];
        ConvGeometry g = ConvGeometry.ofBackwardInput(gy, w, a);
        DType dt = gy.dtype(), ct = dt.computeType();
        int[] shape = {g.n(), g.c(), g.d(), g.h(), g.w()};
        // col2im adds every tap onto the gradient; with no output channels it stays zero
        Tensor out = CpuTensors.zeros(dt, shape);
        if (out.numel() == 0 || g.o() == 0) return out;
        Tensor res = dt == ct ? out : CpuTensors.zeros(ct, shape);
        boolean f64 = ct == DType.F64;
        MemorySegment gs = CpuTensors.seg(CpuTensors.dense(gy, ct, gy.shape()));
        MemorySegment ws = CpuTensors.seg(CpuTensors.dense(w, ct, w.shape()));
        if (g.pointwise()) {
            direct(g, f64, gs, ws, CpuTensors.seg(res));
        } else {
            unfolded(g, f64, gs, ws, CpuTensors.seg(res));
        }
        if (res != out) CpuTensors.copyCast(res, out);
        return out;
    }

    /** Pointwise: gradIn_g [cg, dhw] = W_g^T [cg, og] x gradOut_g [og, dhw], blocks of positions in parallel. */
    private static void direct(ConvGeometry g, boolean f64, MemorySegment gy, MemorySegment w, MemorySegment x) {
        int og = g.og(), cg = g.cg();
        long p = g.p();
        int cols = ConvKernels.blockCols(g, true, f64 ? 8 : 4);
        long blocks = Math.ceilDiv(p, cols);
        long items = (long) g.n() * g.groups() * blocks;
        long work = (long) cg * og * cols;
        Parallel.forRange(items, Math.max(1, ConvKernels.GRAIN_FLOPS / work), (lo, hi) -> {
            for (long item = lo; item < hi; item++) {
                long slice = item / blocks;
                int grp = (int) (slice % g.groups()), n = (int) (slice / g.groups());
                long p0 = (item % blocks) * cols;
                int nc = (int) Math.min(cols, p - p0);
                long gyOff = ((long) n * g.o() + (long) grp * og) * p + p0;
                long xOff = ((long) n * g.c() + (long) grp * cg) * p + p0;
                ConvKernels.gemm(f64, cg, nc, og, w, (long) grp * og * cg, 1, cg, gy, gyOff, p, 1, 0, x, xOff, p);
            }
        });
    }

    private static void unfolded(ConvGeometry g, boolean f64, MemorySegment gy, MemorySegment w, MemorySegment x) {
        int es = f64 ? 8 : 4, k = g.k();
        long p = g.p();
        int cols = (int) Math.min(p, Math.max(ConvKernels.MIN_COLS, ConvKernels.COL_BYTES / es / k));
        int slices = g.n() * g.groups();
        long sliceWork = (long) k * g.og() * p;
        // a grain of all the slices keeps them on the calling thread, from where the GEMM and col2im fan out
        long grain = slices >= Parallel.threads() ? Math.max(1, ConvKernels.GRAIN_FLOPS / sliceWork) : slices;
        Parallel.forRange(slices, grain, (lo, hi) -> {
            HostMemory.Block col = ConvScratch.take((long) k * cols * es);
            try {
                for (long s = lo; s < hi; s++) slice(g, f64, (int) s, cols, gy, w, x, col.segment());
            } finally {
                ConvScratch.release(col);
            }
        });
    }

    /** One sample and group, block by block. */
    private static void slice(ConvGeometry g, boolean f64, int s, int cols, MemorySegment gy, MemorySegment w,
                              MemorySegment x, MemorySegment col) {
        int grp = s % g.groups(), n = s / g.groups();
        int og = g.og(), k = g.k();
        long p = g.p();
        long xOff = ((long) n * g.c() + (long) grp * g.cg()) * g.dhw();
        long planes = Col2im.planes(g);
        for (long p0 = 0; p0 < p; p0 += cols) {
            int nc = (int) Math.min(cols, p - p0);
            long gyOff = ((long) n * g.o() + (long) grp * og) * p + p0;
            ConvKernels.gemm(f64, k, nc, og, w, (long) grp * og * k, 1, k, gy, gyOff, p, 1, 0, col, 0, nc);
            // element updates per input plane: the kd taps that can land on it, each over one output plane
            long perPlane = (long) Math.ceilDiv(g.kd(), g.sd()) * g.kh() * g.kw() * Math.min(nc, (long) g.oh() * g.ow());
            long start = p0;
            Parallel.forRange(planes, Math.max(1, ConvKernels.GRAIN_FLOPS / perPlane),
                    (lo, hi) -> Col2im.add(g, f64, col, start, nc, x, xOff, lo, hi));
        }
    }
}
