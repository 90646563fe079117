package org.ddrl.tensor.cpu;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import java.util.Arrays;
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
     * Copies the elements of src into dst (both any views of the same shape), converting dtype. The two
     * are walked as an {@link ElementwisePlan}: dims laid out alike in both are merged, so a dense copy is
     * one long run split over the pool. Per run: unit strides in both and one dtype is a bulk
     * MemorySegment.copy; a source constant along the run (an expanded value: fill, zero, broadcast
     * rows) is converted once and written with {@link Fill}; anything else goes element by element.
     * A source read across its unit-stride dim (a transpose) is copied in cache-sized tiles instead,
     * converted tile by tile when the dtypes differ. src must not overlap dst unless they are the same view; callers copy overlapping sources first.
     */
    public static void copyCast(Tensor src, Tensor dst) {
        if (src.numel() == 0) return;
        DType sdt = src.dtype(), ddt = dst.dtype();
        boolean same = sdt == ddt;
        Layout l = Layout.coalesce(src.shape(), src.strides(), dst.strides());
        if (TiledTranspose.applies(l)) {
            if (same) TiledTranspose.copy(seg(src), src.offset(), seg(dst), dst.offset(), l, sdt.byteSize());
            else TiledTranspose.copyCast(seg(src), src.offset(), sdt, seg(dst), dst.offset(), ddt, l);
            Reference.reachabilityFence(src);
            Reference.reachabilityFence(dst);
            return;
        }
        ElementwisePlan plan = ElementwisePlan.of(dst.shape(), dst, src);
        long ds = plan.innerStride(0), ss = plan.innerStride(1);
        MemorySegment s = seg(src), d = seg(dst);
        int es = sdt.byteSize(), des = ddt.byteSize();
        plan.forEachRun(COPY_GRAIN, ElementwisePlan.DENSE_RUN, r -> {
            long sb = r.at[1], db = r.at[0];
            int n = r.n;
            if (ss == 0 && n > 1) {
                long bits;
                if (same) {
                    bits = Fill.bits(s, sb, es);
                } else {
                    CastRow.cast(s, sdt, sb, 0, d, ddt, db, 1, 1);
                    bits = Fill.bits(d, db, des);
                }
                Fill.run(d, db, n, ds, des, bits);
            } else if (same && ss == 1 && ds == 1) {
                MemorySegment.copy(s, sb * es, d, db * es, (long) n * es);
            } else if (same) {
                copyStrided(s, sb, ss, d, db, ds, n, es);
            } else {
                CastRow.cast(s, sdt, sb, ss, d, ddt, db, ds, n);
            }
        });
        Reference.reachabilityFence(src);
        Reference.reachabilityFence(dst);
    }

    /** Elements per task of a copy: it only moves memory, so threads pay off on large copies only. */
    private static final long COPY_GRAIN = 16384;

    /** n elements of es bytes from s[base + j * stride] to d[out + j * dstride]. */
    static void copyStrided(MemorySegment s, long base, long stride, MemorySegment d, long out, long dstride, int n, int es) {
        switch (es) {
            case 4 -> {
                for (int j = 0; j < n; j++) d.setAtIndex(JAVA_INT, out + j * dstride, s.getAtIndex(JAVA_INT, base + j * stride));
            }
            case 8 -> {
                for (int j = 0; j < n; j++) d.setAtIndex(JAVA_LONG, out + j * dstride, s.getAtIndex(JAVA_LONG, base + j * stride));
            }
            case 2 -> {
                for (int j = 0; j < n; j++) d.setAtIndex(JAVA_SHORT, out + j * dstride, s.getAtIndex(JAVA_SHORT, base + j * stride));
            }
            default -> {
                for (int j = 0; j < n; j++) d.set(JAVA_BYTE, out + j * dstride, s.get(JAVA_BYTE, base + j * stride));
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
