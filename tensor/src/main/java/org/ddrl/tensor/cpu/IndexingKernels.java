package org.ddrl.tensor.cpu;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;
import java.util.Map;
import org.ddrl.kernels.cpu.Parallel;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Kernel;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Tensor;

/**
 * cat, pad, gather and index_select, and the raw element moves they share. These ops never convert a
 * dtype, so every move copies bytes: one element of 1, 2, 4 or 8 bytes, or a whole row at once.
 */
final class IndexingKernels {
    private IndexingKernels() {}

    /** Elements per parallel task: enough that the pool's overhead stays small next to the copying. */
    static final long GRAIN_ELEMENTS = 16384;

    static void register(Map<Op, Kernel> k) {
        k.put(Op.CAT, CatKernels::cat);
        k.put(Op.PAD, PadKernels::pad);
        k.put(Op.GATHER, GatherKernels::gather);
        k.put(Op.INDEX_SELECT, GatherKernels::indexSelect);
    }

    /** Copies element si of s to element di of d; es is the element size in bytes. */
    static void copyElement(MemorySegment s, long si, MemorySegment d, long di, int es) {
        switch (es) {
            case 4 -> d.setAtIndex(JAVA_INT, di, s.getAtIndex(JAVA_INT, si));
            case 8 -> d.setAtIndex(JAVA_LONG, di, s.getAtIndex(JAVA_LONG, si));
            case 2 -> d.setAtIndex(JAVA_SHORT, di, s.getAtIndex(JAVA_SHORT, si));
            default -> d.set(JAVA_BYTE, di, s.get(JAVA_BYTE, si));
        }
    }

    /** Copies n elements from s (first si, stride ss) to d (first di, stride ds); a single block move when both are dense. */
    static void copyRun(MemorySegment s, long si, long ss, MemorySegment d, long di, long ds, long n, int es) {
        if (n == 1) {
            copyElement(s, si, d, di, es);
        } else if (ss == 1 && ds == 1) {
            MemorySegment.copy(s, si * es, d, di * es, n * es);
        } else {
            for (long j = 0; j < n; j++) copyElement(s, si + j * ss, d, di + j * ds, es);
        }
    }

    /**
     * Copies the view src into the view dst (same shape and dtype, not overlapping). Dims that are
     * contiguous in both views merge first, so dense blocks move as long runs.
     */
    static void copyView(Tensor src, Tensor dst) {
        long n = src.numel();
        if (n == 0) return;
        int[] shape = src.shape();
        long[] st = src.strides(), dt = dst.strides();
        int r = 0;
        int[] cs = new int[shape.length];
        long[] css = new long[shape.length], cds = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == 1) continue;
            if (r > 0 && css[r - 1] == st[i] * shape[i] && cds[r - 1] == dt[i] * shape[i]
                    && (long) cs[r - 1] * shape[i] <= Integer.MAX_VALUE) {
                cs[r - 1] *= shape[i];
                css[r - 1] = st[i];
                cds[r - 1] = dt[i];
            } else {
                cs[r] = shape[i];
                css[r] = st[i];
                cds[r] = dt[i];
                r++;
            }
        }
        MemorySegment s = CpuTensors.seg(src), d = CpuTensors.seg(dst);
        int es = src.dtype().byteSize();
        long so = src.offset(), dof = dst.offset();
        if (r == 0) {
            copyElement(s, so, d, dof, es);
            return;
        }
        int rank = r;
        int[] rs = java.util.Arrays.copyOf(cs, r);
        long[] rss = java.util.Arrays.copyOf(css, r), rds = java.util.Arrays.copyOf(cds, r);
        int inner = rs[r - 1];
        long sIn = rss[r - 1], dIn = rds[r - 1];
        Parallel.forRange(n / inner, Math.max(1, GRAIN_ELEMENTS / inner), (lo, hi) -> {
            int[] si = new int[rank - 1], di = new int[rank - 1];
            long sb = CpuTensors.rowBase(lo, rs, rss, si), db = CpuTensors.rowBase(lo, rs, rds, di);
            for (long row = lo; row < hi; row++) {
                copyRun(s, so + sb, sIn, d, dof + db, dIn, inner, es);
                sb = CpuTensors.nextRow(sb, rs, rss, si);
                db = CpuTensors.nextRow(db, rs, rds, di);
            }
        });
    }

    /** I64 or I32, else an error naming the op. */
    static void requireIndexType(String op, Tensor index) {
        DType dt = index.dtype();
        if (dt != DType.I64 && dt != DType.I32) {
            throw new IllegalArgumentException(op + ": index must be i64 or i32, got " + CpuTensors.desc(index));
        }
    }
}
