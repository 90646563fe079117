package org.ddrl.tensor.cpu;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.ddrl.kernels.cpu.Parallel;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Scope;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;

/** Helpers every CPU kernel uses: memory access, new outputs, and dense copies of strided inputs. */
public final class CpuTensors {
    private CpuTensors() {}

    /** The tensor's storage memory (whole storage; index it with offset and strides). */
    public static MemorySegment seg(Tensor t) {
        return ((CpuStorage) t.storage()).segment();
    }

    /**
     * A new dense output whose content is unspecified: the memory may be a reused block still holding
     * another tensor's old values. For outputs the kernel writes in full; a kernel that accumulates into
     * its output or leaves elements unwritten (padding) asks for {@link #zeros} instead.
     */
    public static Tensor empty(DType dtype, int... shape) {
        Shapes.checkShape("empty", shape);
        CpuStorage s = CpuStorage.uninitialized(Shapes.numel(shape) * dtype.byteSize());
        Scope.adopt(s);
        return new Tensor(s, dtype, shape, Shapes.contiguousStrides(shape), 0);
    }

    /** A new dense zero-filled output, for kernels that accumulate into it or write only part of it. */
    public static Tensor zeros(DType dtype, int... shape) {
        return Tensor.empty(dtype, Device.CPU, shape);
    }

    /**
     * {@code t} broadcast to {@code shape}, converted to {@code dtype} and dense with offset 0; {@code t}
     * itself when it already is. Kernels call this to turn any input view into a plain array.
     */
    public static Tensor dense(Tensor t, DType dtype, int[] shape) {
        if (t.dtype() == dtype && t.offset() == 0 && t.isContiguous() && Arrays.equals(t.shape(), shape)) return t;
        Tensor src = Arrays.equals(t.shape(), shape) ? t : t.expand(shape);
        Tensor out = empty(dtype, shape);
        copyCast(src, out);
        return out;
    }

    /** {@code dense(t, t.dtype(), t.shape())}. */
    public static Tensor dense(Tensor t) {
        return dense(t, t.dtype(), t.shape());
    }

    /**
     * Copies the elements of src into dst (both any views of the same shape), converting dtype. Dims that
     * are laid out alike in both views are merged first, so dense copies become one long run; a source
     * read across its unit-stride dim (a transpose) is copied in cache-sized tiles; everything else goes
     * row by row along the last dim, rows split over the thread pool. src must not overlap dst unless
     * they are the same view; callers copy overlapping sources first.
     */
    public static void copyCast(Tensor src, Tensor dst) {
        if (src.numel() == 0) return;
        Layout l = Layout.coalesce(src.shape(), src.strides(), dst.strides());
        if (src.dtype() == dst.dtype() && TiledTranspose.applies(l)) {
            TiledTranspose.copy(seg(src), src.offset(), seg(dst), dst.offset(), l, src.dtype().byteSize());
            return;
        }
        int[] shape = l.shape();
        int r = shape.length;
        int inner = shape[r - 1];
        long rows = src.numel() / inner;
        long[] st = l.srcStrides(), dt = l.dstStrides();
        long sInner = st[r - 1], dInner = dt[r - 1];
        MemorySegment s = seg(src), d = seg(dst);
        DType sdt = src.dtype(), ddt = dst.dtype();
        long soff = src.offset(), doff = dst.offset();
        int es = sdt.byteSize();
        boolean sameType = sdt == ddt;
        Parallel.forRange(rows, Math.max(1, 16384 / Math.max(inner, 1)), (lo, hi) -> {
            int[] si = new int[r - 1], di = new int[r - 1];
            long sb = rowBase(lo, shape, st, si) + soff, db = rowBase(lo, shape, dt, di) + doff;
            for (long row = lo; row < hi; row++) {
                if (sameType && sInner == 1 && dInner == 1) {
                    MemorySegment.copy(s, sb * es, d, db * es, (long) inner * es);
                } else if (sameType) {
                    copyStrided(s, sb, sInner, d, db, dInner, inner, es);
                } else {
                    CastRow.cast(s, sdt, sb, sInner, d, ddt, db, dInner, inner);
                }
                sb = nextRow(sb, shape, st, si);
                db = nextRow(db, shape, dt, di);
            }
        });
    }

    private static void copyStrided(MemorySegment s, long base, long stride, MemorySegment d, long out, long dstride, int n, int es) {
        switch (es) {
            case 4 -> {
                for (int j = 0; j < n; j++) d.setAtIndex(java.lang.foreign.ValueLayout.JAVA_INT, out + j * dstride,
                        s.getAtIndex(java.lang.foreign.ValueLayout.JAVA_INT, base + j * stride));
            }
            case 8 -> {
                for (int j = 0; j < n; j++) d.setAtIndex(java.lang.foreign.ValueLayout.JAVA_LONG, out + j * dstride,
                        s.getAtIndex(java.lang.foreign.ValueLayout.JAVA_LONG, base + j * stride));
            }
            case 2 -> {
                for (int j = 0; j < n; j++) d.setAtIndex(java.lang.foreign.ValueLayout.JAVA_SHORT, out + j * dstride,
                        s.getAtIndex(java.lang.foreign.ValueLayout.JAVA_SHORT, base + j * stride));
            }
            default -> {
                for (int j = 0; j < n; j++) d.set(java.lang.foreign.ValueLayout.JAVA_BYTE, out + j * dstride,
                        s.get(java.lang.foreign.ValueLayout.JAVA_BYTE, base + j * stride));
            }
        }
    }

    /**
     * Element offset (without the tensor's own offset) of the first element of row {@code row}, where rows
     * run over all dims but the last in row-major order; fills idx with that row's multi-index.
     */
    public static long rowBase(long row, int[] shape, long[] strides, int[] idx) {
        long off = 0;
        for (int k = shape.length - 2; k >= 0; k--) {
            int size = shape[k];
            idx[k] = (int) (row % size);
            row /= size;
            off += idx[k] * strides[k];
        }
        return off;
    }

    /** Advances idx (over all dims but the last) by one row and returns the updated offset. */
    public static long nextRow(long off, int[] shape, long[] strides, int[] idx) {
        for (int k = shape.length - 2; k >= 0; k--) {
            if (++idx[k] < shape[k]) return off + strides[k];
            off -= (long) (shape[k] - 1) * strides[k];
            idx[k] = 0;
        }
        return off;
    }

    /** "f32[2, 3]" for messages. */
    public static String desc(Tensor t) {
        return t.dtype().name().toLowerCase() + Shapes.str(t.shape());
    }
}
