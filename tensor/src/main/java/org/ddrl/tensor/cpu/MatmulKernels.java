package org.ddrl.tensor.cpu;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Map;
import org.ddrl.kernels.cpu.Gemm;
import org.ddrl.kernels.cpu.Parallel;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Kernel;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;

/**
 * MATMUL with NumPy semantics: [..., m, k] x [..., k, n] with broadcast batch dims; a 1-d left operand
 * is a row [1, k] and a 1-d right operand a column [k, 1], and that dim is dropped from the result
 * (1-d x 1-d is the dot product, a 0-d result). F32 and F64 run through the strided GEMM on the
 * operands' own strides, so transposed and sliced views are not copied; BF16 and F16 compute in F32
 * and round once at the end; integer and BOOL products are exact sums in long.
 */
final class MatmulKernels {
    /** Fewest multiply-adds worth handing to another thread. */
    private static final long MIN_TASK_FLOPS = 1L << 20;

    private MatmulKernels() {}

    static void register(Map<Op, Kernel> k) {
        k.put(Op.MATMUL, MatmulKernels::matmul);
    }

    /** One operand as a batch of matrices: element (b..., i, p) at off + batch offset + i * rs + p * cs. */
    private record Mat(Tensor t, int[] batch, long[] batchStrides, int rows, int cols, long rs, long cs) {
        /** x as the left operand (a 1-d x is one row) or the right one (a 1-d x is one column). */
        static Mat of(Tensor x, boolean left) {
            int[] s = x.shape();
            long[] st = x.strides();
            int r = s.length;
            if (r == 1) return left ? new Mat(x, new int[0], new long[0], 1, s[0], 0, st[0])
                    : new Mat(x, new int[0], new long[0], s[0], 1, st[0], 0);
            return new Mat(x, Arrays.copyOf(s, r - 2), Arrays.copyOf(st, r - 2), s[r - 2], s[r - 1],
                    st[r - 2], st[r - 1]);
        }

        /** Element offset of each batch of the broadcast batch shape {@code out} (broadcast dims repeat). */
        long[] offsets(int[] out) {
            int nb = out.length, lead = nb - batch.length;
            long count = Shapes.numel(out);
            long[] offs = new long[(int) count];
            int[] idx = new int[nb];
            long off = t.offset();
            for (int b = 0; b < count; b++) {
                offs[b] = off;
                for (int d = nb - 1; d >= 0; d--) {
                    long stride = d < lead || batch[d - lead] == 1 ? 0 : batchStrides[d - lead];
                    if (++idx[d] < out[d]) {
                        off += stride;
                        break;
                    }
                    off -= stride * (out[d] - 1);
                    idx[d] = 0;
                }
            }
            return offs;
        }
    }

    private static Tensor matmul(Attrs attrs, Tensor... in) {
        Tensor x = in[0], y = in[1];
        if (x.dim() == 0 || y.dim() == 0) {
            throw new IllegalArgumentException("matmul: operands must have at least 1 dim, got " + CpuTensors.desc(x)
                    + " and " + CpuTensors.desc(y) + " (use mul for scalars)");
        }
        DType out = DType.promote(x.dtype(), y.dtype());
        DType compute = out.computeType();
        // Only F32 and F64 operands of the compute type run on their own strides; others get a converted copy.
        Mat a = Mat.of(x.dtype() == compute ? x : CpuTensors.dense(x, compute, x.shape()), true);
        Mat b = Mat.of(y.dtype() == compute ? y : CpuTensors.dense(y, compute, y.shape()), false);
        if (a.cols != b.rows) {
            throw new IllegalArgumentException("matmul: inner dims differ, " + CpuTensors.desc(x) + " x " + CpuTensors.desc(y)
                    + " (" + a.cols + " vs " + b.rows + ")");
        }
        int[] batch = broadcastBatch(x, y, a.batch, b.batch);
        int[] shape = resultShape(batch, x.dim() == 1 ? -1 : a.rows, y.dim() == 1 ? -1 : b.cols);
        Tensor result = CpuTensors.empty(out, shape);
        if (result.numel() == 0) return result;
        Tensor target = out == compute ? result : CpuTensors.empty(compute, shape);
        long[] aOffs = a.offsets(batch), bOffs = b.offsets(batch);
        int m = a.rows, n = b.cols, k = a.cols;
        MemorySegment as = CpuTensors.seg(a.t), bs = CpuTensors.seg(b.t), cs = CpuTensors.seg(target);
        long mn = (long) m * n;
        long foldedRs = compute == DType.F32 || compute == DType.F64 ? foldedRowStride(aOffs, bOffs, m, a.rs) : NOT_FOLDABLE;
        if (foldedRs != NOT_FOLDABLE) {
            // One product of batches * m rows: B is packed once instead of once per batch, and the rows split over threads.
            int rows = Math.multiplyExact(aOffs.length, m);
            if (compute == DType.F32) {
                Gemm.sgemm(rows, n, k, 1f, as, aOffs[0], foldedRs, a.cs, bs, bOffs[0], b.rs, b.cs, 0f, cs, 0, n);
            } else {
                Gemm.dgemm(rows, n, k, 1.0, as, aOffs[0], foldedRs, a.cs, bs, bOffs[0], b.rs, b.cs, 0.0, cs, 0, n);
            }
            if (target != result) CpuTensors.copyCast(target, result);
            return result;
        }
        switch (compute) {
            case F32 -> forBatches(aOffs.length, mn * k, i -> Gemm.sgemm(m, n, k, 1f, as, aOffs[i], a.rs, a.cs,
                    bs, bOffs[i], b.rs, b.cs, 0f, cs, i * mn, n));
            case F64 -> forBatches(aOffs.length, mn * k, i -> Gemm.dgemm(m, n, k, 1.0, as, aOffs[i], a.rs, a.cs,
                    bs, bOffs[i], b.rs, b.cs, 0.0, cs, i * mn, n));
            default -> exactLong(a, b, aOffs, bOffs, m, n, k, cs);
        }
        if (target != result) CpuTensors.copyCast(target, result);
        return result;
    }

    private static final long NOT_FOLDABLE = Long.MIN_VALUE;

    /**
     * The row stride of A seen as one [batches * m, k] matrix, or NOT_FOLDABLE. A batched product folds into one GEMM
     * when every batch uses the same B (a weight broadcast over the batch, as in x W^T for x [B, T, C]) and A's
     * batches follow each other at m rows' distance (a contiguous or row-sliced activation): row r of the folded A is
     * then row r % m of batch r / m, and C, written densely, has exactly the folded layout.
     */
    private static long foldedRowStride(long[] aOffs, long[] bOffs, int m, long rs) {
        int batches = aOffs.length;
        if (batches < 2 || (long) batches * m > Integer.MAX_VALUE) return NOT_FOLDABLE;
        for (long off : bOffs) if (off != bOffs[0]) return NOT_FOLDABLE;
        long step = aOffs[1] - aOffs[0];
        if (m > 1 && step != m * rs) return NOT_FOLDABLE;
        for (int i = 2; i < batches; i++) if (aOffs[i] - aOffs[i - 1] != step) return NOT_FOLDABLE;
        return m > 1 ? rs : step;
    }

    private static int[] broadcastBatch(Tensor x, Tensor y, int[] xb, int[] yb) {
        int nb = Math.max(xb.length, yb.length);
        int[] out = new int[nb];
        for (int d = 0; d < nb; d++) {
            int dx = d < nb - xb.length ? 1 : xb[d - (nb - xb.length)];
            int dy = d < nb - yb.length ? 1 : yb[d - (nb - yb.length)];
            if (dx != dy && dx != 1 && dy != 1) {
                throw new IllegalArgumentException("matmul: batch dims of " + CpuTensors.desc(x) + " and " + CpuTensors.desc(y)
                        + " cannot be broadcast (batch dim " + d + ": " + dx + " vs " + dy + ")");
            }
            out[d] = dx == 1 ? dy : dx;
        }
        return out;
    }

    /** batch + [m] + [n], leaving out m or n when it is -1 (the operand was 1-d). */
    private static int[] resultShape(int[] batch, int m, int n) {
        int r = batch.length + (m >= 0 ? 1 : 0) + (n >= 0 ? 1 : 0);
        int[] s = Arrays.copyOf(batch, r);
        int d = batch.length;
        if (m >= 0) s[d++] = m;
        if (n >= 0) s[d] = n;
        return s;
    }

    @FunctionalInterface
    private interface BatchBody {
        void run(int batch);
    }

    /**
     * Runs the products one per task on the pool when there are many or they are small (attention-shaped
     * batches); each GEMM then runs inline on its pool thread. A few large products run one after the
     * other instead, each parallel inside, which keeps every thread busy when the batch count does not
     * divide evenly.
     */
    private static void forBatches(int batches, long flopsEach, BatchBody body) {
        int threads = Parallel.threads();
        boolean acrossBatches = batches > 1 && (batches >= 4 * threads || batches % threads == 0
                || flopsEach < MIN_TASK_FLOPS * threads);
        if (acrossBatches) {
            Parallel.forRange(batches, Math.max(1, MIN_TASK_FLOPS / Math.max(1, flopsEach)), (lo, hi) -> {
                for (long i = lo; i < hi; i++) body.run((int) i);
            });
        } else {
            for (int i = 0; i < batches; i++) body.run(i);
        }
    }

    /** Integer and BOOL products: exact sums in long over I64 copies, wrapped or tested on store. */
    private static void exactLong(Mat a, Mat b, long[] aOffs, long[] bOffs, int m, int n, int k, MemorySegment c) {
        MemorySegment as = CpuTensors.seg(a.t), bs = CpuTensors.seg(b.t);
        long rows = (long) aOffs.length * m;
        Parallel.forRange(rows, Math.max(1, MIN_TASK_FLOPS / Math.max(1, (long) n * k)), (lo, hi) -> {
            long[] acc = new long[n];
            for (long row = lo; row < hi; row++) {
                int batch = (int) (row / m), i = (int) (row % m);
                Arrays.fill(acc, 0);
                long aRow = aOffs[batch] + i * a.rs;
                for (int p = 0; p < k; p++) {
                    long av = as.getAtIndex(JAVA_LONG, aRow + p * a.cs);
                    long bRow = bOffs[batch] + p * b.rs;
                    for (int j = 0; j < n; j++) acc[j] += av * bs.getAtIndex(JAVA_LONG, bRow + j * b.cs);
                }
                MemorySegment.copy(acc, 0, c, JAVA_LONG, row * n * Long.BYTES, n);
            }
        });
    }
}
