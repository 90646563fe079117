package org.ddrl.tensor.cpu;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.ddrl.kernels.cpu.Parallel;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;

/**
 * gather and index_select: reads at positions taken from an index tensor. Every index value is checked
 * before its read, so a bad index is an error naming the op, the value, the dim and its size, never a
 * read of some other element. Negative indices are errors too, as in PyTorch.
 */
final class GatherKernels {
    private GatherKernels() {}

    /** out[i][j][k] = x[index[i][j][k]][j][k] for dim 0, and so on; out has the index's shape. */
    static Tensor gather(Attrs a, Tensor... in) {
        Tensor x = in[0], index = in[1];
        IndexingKernels.requireIndexType("gather", index);
        if (index.dim() != x.dim()) {
            throw new IllegalArgumentException("gather: index " + CpuTensors.desc(index) + " must have the rank of input "
                    + CpuTensors.desc(x));
        }
        int dim = Shapes.dim("gather", a.i("dim"), x.dim());
        if (x.dim() == 0) {
            // a 0-d gather reads the single element at index 0: run it as 1-d
            return gather(a, x.reshape(1), index.reshape(1)).reshape();
        }
        int[] xs = x.shape(), is = index.shape();
        for (int d = 0; d < xs.length; d++) {
            if (d != dim && is[d] > xs[d]) {
                throw new IllegalArgumentException("gather: index shape " + Shapes.str(is) + " exceeds input shape " + Shapes.str(xs)
                        + " in dim " + d + " (only the gather dim " + dim + " may be larger)");
            }
        }
        Tensor out = CpuTensors.empty(x.dtype(), is);
        long n = out.numel();
        if (n == 0) return out;
        int r = is.length, len = is[r - 1], es = x.dtype().byteSize();
        long[] ist = index.strides();
        // the input's strides with the gather dim removed: the index value supplies that coordinate
        long[] xst = x.strides();
        long dimStride = xst[dim];
        xst[dim] = 0;
        long size = xs[dim];
        MemorySegment xseg = CpuTensors.seg(x), iseg = CpuTensors.seg(index), oseg = CpuTensors.seg(out);
        DType idt = index.dtype();
        long xo = x.offset(), io = index.offset(), iLast = ist[r - 1], xLast = xst[r - 1];
        // A task stops at its first bad index and records its position; the smallest one is reported from
        // this thread (the pool would rethrow a worker's exception without its message).
        AtomicLong firstBad = new AtomicLong(Long.MAX_VALUE);
        Parallel.forRange(n / len, Math.max(1, IndexingKernels.GRAIN_ELEMENTS / len), (lo, hi) -> {
            int[] ii = new int[r - 1], xi = new int[r - 1];
            long ib = io + CpuTensors.rowBase(lo, is, ist, ii), xb = xo + CpuTensors.rowBase(lo, is, xst, xi);
            for (long row = lo; row < hi; row++) {
                long o = row * len;
                for (int j = 0; j < len; j++) {
                    long v = Elements.getL(iseg, idt, ib + j * iLast);
                    if (v < 0 || v >= size) {
                        firstBad.accumulateAndGet(o + j, Math::min);
                        return;
                    }
                    IndexingKernels.copyElement(xseg, xb + j * xLast + v * dimStride, oseg, o + j, es);
                }
                ib = CpuTensors.nextRow(ib, is, ist, ii);
                xb = CpuTensors.nextRow(xb, is, xst, xi);
            }
        });
        if (firstBad.get() != Long.MAX_VALUE) {
            int[] at = position(firstBad.get(), is);
            long where = io;
            for (int k = 0; k < r; k++) where += at[k] * ist[k];
            throw outOfRange("gather", Elements.getL(iseg, idt, where), dim, size, x, index, "index position " + Arrays.toString(at));
        }
        return out;
    }

    /** Entries of dim picked by a 1-d index: out has x's shape with dim resized to the index's length. */
    static Tensor indexSelect(Attrs a, Tensor... in) {
        Tensor x = in[0], index = in[1];
        IndexingKernels.requireIndexType("index_select", index);
        if (index.dim() != 1) {
            throw new IllegalArgumentException("index_select: index must be 1-d, got " + CpuTensors.desc(index));
        }
        if (x.dim() == 0) {
            throw new IllegalArgumentException("index_select: input must have at least one dim, got " + CpuTensors.desc(x));
        }
        int dim = Shapes.dim("index_select", a.i("dim"), x.dim());
        int[] xs = x.shape();
        int m = index.size(0), size = xs[dim];
        long[] picks = new long[m];
        MemorySegment iseg = CpuTensors.seg(index);
        for (int j = 0; j < m; j++) {
            long v = Elements.getL(iseg, index.dtype(), index.offset() + j * index.stride(0));
            if (v < 0 || v >= size) throw outOfRange("index_select", v, dim, size, x, index, "position " + j + " of the index");
            picks[j] = v;
        }
        int[] outShape = xs.clone();
        outShape[dim] = m;
        Tensor out = CpuTensors.empty(x.dtype(), outShape);
        if (out.numel() == 0) return out;
        // rows of the inner dims move as blocks, so read from a dense input (x itself when it is one)
        Tensor xd = x.isContiguous() ? x : CpuTensors.dense(x);
        long inner = Shapes.numel(Arrays.copyOfRange(xs, dim + 1, xs.length));
        long outer = Shapes.numel(Arrays.copyOf(xs, dim));
        MemorySegment xseg = CpuTensors.seg(xd), oseg = CpuTensors.seg(out);
        long xo = xd.offset();
        int es = x.dtype().byteSize();
        Parallel.forRange(outer * m, Math.max(1, IndexingKernels.GRAIN_ELEMENTS / inner), (lo, hi) -> {
            for (long row = lo; row < hi; row++) {
                long o = row / m;
                int j = (int) (row % m);
                IndexingKernels.copyRun(xseg, xo + (o * size + picks[j]) * inner, 1, oseg, row * inner, 1, inner, es);
            }
        });
        return out;
    }

    /** The multi-index of row-major position flat in shape. */
    private static int[] position(long flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int k = shape.length - 1; k >= 0; k--) {
            idx[k] = (int) (flat % shape[k]);
            flat /= shape[k];
        }
        return idx;
    }

    private static IndexOutOfBoundsException outOfRange(String op, long v, int dim, long size, Tensor x, Tensor index, String where) {
        return new IndexOutOfBoundsException(op + ": index " + v + " is out of range for dim " + dim + " of size " + size
                + " (input " + CpuTensors.desc(x) + ", index " + CpuTensors.desc(index) + ", at " + where + ")");
    }
}
