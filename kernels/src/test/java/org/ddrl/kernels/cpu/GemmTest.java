package org.ddrl.kernels.cpu;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * sgemm and dgemm against a plain triple loop in double, over sizes that hit every edge of the
 * blocking (partial micro-tiles, and one past MC, KC and NC), every operand layout, and the BLAS
 * alpha/beta and NaN rules.
 */
class GemmTest {
    private final Random rnd = new Random(11);

    /** How an operand [rows, cols] is laid out in its buffer. */
    enum Layout { ROW_MAJOR, COL_MAJOR, STRIDED, OFFSET, BROADCAST_ROWS }

    /** A strided matrix operand; {@code values} holds the logical [rows, cols] elements row-major. */
    record Operand(double[] values, int rows, int cols, MemorySegment seg, long off, long rs, long cs) {
        double at(int i, int j) {
            return values[i * cols + j];
        }
    }

    private Operand operand(boolean f32, int rows, int cols, Layout layout) {
        double[] v = new double[rows * cols];
        for (int i = 0; i < v.length; i++) v[i] = (float) (rnd.nextDouble() * 2 - 1);
        if (layout == Layout.BROADCAST_ROWS) {
            for (int i = 1; i < rows; i++) System.arraycopy(v, 0, v, i * cols, cols);
        }
        long off = 0, rs, cs;
        long size;
        switch (layout) {
            case ROW_MAJOR -> { rs = cols; cs = 1; size = (long) rows * cols; }
            case COL_MAJOR -> { rs = 1; cs = rows; size = (long) rows * cols; }
            case STRIDED -> { rs = 2L * cols + 3; cs = 2; size = rows * rs; }
            case OFFSET -> { off = 5; rs = cols; cs = 1; size = off + (long) rows * cols; }
            case BROADCAST_ROWS -> { rs = 0; cs = 1; size = cols; }
            default -> throw new AssertionError(layout);
        }
        size = Math.max(size, 1);
        MemorySegment seg = f32 ? MemorySegment.ofArray(new float[(int) size]) : MemorySegment.ofArray(new double[(int) size]);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) set(seg, f32, off + i * rs + j * cs, v[i * cols + j]);
        }
        return new Operand(v, rows, cols, seg, off, rs, cs);
    }

    private static void set(MemorySegment s, boolean f32, long i, double v) {
        if (f32) s.setAtIndex(JAVA_FLOAT, i, (float) v);
        else s.setAtIndex(JAVA_DOUBLE, i, v);
    }

    private static double get(MemorySegment s, boolean f32, long i) {
        return f32 ? s.getAtIndex(JAVA_FLOAT, i) : s.getAtIndex(JAVA_DOUBLE, i);
    }

    /** C [m, n] with row stride ldc = n + 3 and offset 2, filled with fill (or random values when fill is null). */
    private MemorySegment newC(boolean f32, int m, int n, Double fill) {
        long size = 2 + (long) m * (n + 3);
        MemorySegment c = f32 ? MemorySegment.ofArray(new float[(int) size]) : MemorySegment.ofArray(new double[(int) size]);
        for (long i = 0; i < size; i++) set(c, f32, i, fill != null ? fill : (float) (rnd.nextDouble() * 2 - 1));
        return c;
    }

    private static void gemm(boolean f32, int m, int n, int k, double alpha, Operand a, Operand b, double beta, MemorySegment c) {
        if (f32) {
            Gemm.sgemm(m, n, k, (float) alpha, a.seg, a.off, a.rs, a.cs, b.seg, b.off, b.rs, b.cs, (float) beta, c, 2, n + 3);
        } else {
            Gemm.dgemm(m, n, k, alpha, a.seg, a.off, a.rs, a.cs, b.seg, b.off, b.rs, b.cs, beta, c, 2, n + 3);
        }
    }

    /**
     * Runs one product and compares with the triple loop. The bound scales with sum |alpha a b| + |beta c|,
     * the size rounding errors can reach, so a dropped or doubled term (of size ~ that sum / k) fails.
     */
    private void check(boolean f32, int m, int n, int k, Layout la, Layout lb, double alpha, double beta) {
        Operand a = operand(f32, m, k, la);
        Operand b = operand(f32, k, n, lb);
        MemorySegment c = newC(f32, m, n, null);
        MemorySegment before = f32 ? MemorySegment.ofArray(new float[(int) c.byteSize() / 4])
                : MemorySegment.ofArray(new double[(int) c.byteSize() / 8]);
        before.copyFrom(c);
        gemm(f32, m, n, k, alpha, a, b, beta, c);
        double eps = f32 ? 1e-5 : 1e-12;
        String what = (f32 ? "sgemm" : "dgemm") + " m=" + m + " n=" + n + " k=" + k + " A " + la + " B " + lb
                + " alpha=" + alpha + " beta=" + beta;
        long ldc = n + 3;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0, mag = 0;
                for (int p = 0; p < k; p++) {
                    s += a.at(i, p) * b.at(p, j);
                    mag += Math.abs(a.at(i, p) * b.at(p, j));
                }
                double old = get(before, f32, 2 + i * ldc + j);
                double want = alpha * s + (beta == 0 ? 0 : beta * old);
                double got = get(c, f32, 2 + i * ldc + j);
                double tol = eps * (1 + Math.abs(alpha) * mag + Math.abs(beta * old));
                if (!(Math.abs(got - want) <= tol)) fail(what + ": C[" + i + ", " + j + "] = " + got + ", expected " + want);
            }
        }
        // The padding between rows of C and the offset before it are never written.
        for (int i = 0; i < 2; i++) assertEquals(get(before, f32, i), get(c, f32, i), what + ": offset element " + i);
        for (int i = 0; i < m; i++) {
            for (int j = n; j < ldc; j++) {
                long at = 2 + i * ldc + j;
                if (at < c.byteSize() / (f32 ? 4 : 8)) assertEquals(get(before, f32, at), get(c, f32, at), what + ": padding " + at);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void smallSizesCoverEveryPartialTile(boolean f32) {
        int[] dims = {1, 2, 3, 7, 13, 14, 15, 16, 17, 28, 29, 31, 32, 33};
        for (int m : dims) {
            for (int n : dims) {
                for (int k : new int[] {1, 3, 17}) check(f32, m, n, k, Layout.ROW_MAJOR, Layout.ROW_MAJOR, 1, 0);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void raggedSizesAcrossTheBlockBoundaries(boolean f32) {
        check(f32, 97, 131, 211, Layout.ROW_MAJOR, Layout.ROW_MAJOR, 1, 0);
        check(f32, 65, 129, 33, Layout.ROW_MAJOR, Layout.ROW_MAJOR, 1, 1);
        int kc = f32 ? SgemmDriver.KC : DgemmDriver.KC;
        int nc = f32 ? SgemmDriver.NC : DgemmDriver.NC;
        // Two k-slices (the second pass over C adds to the first), rows past two A blocks.
        int k = kc + 3;
        int depth = f32 ? SgemmDriver.sliceDepth(k) : DgemmDriver.sliceDepth(k);
        int rows = f32 ? SgemmDriver.blockRows(depth) : DgemmDriver.blockRows(depth);
        check(f32, 2 * rows + 5, 37, k, Layout.ROW_MAJOR, Layout.COL_MAJOR, 1.5, 0.5);
        check(f32, 2 * rows + 1, 33, k, Layout.STRIDED, Layout.ROW_MAJOR, -1, 2);
        // Past one B panel, and one row block of the deepest slices.
        check(f32, 19, nc + 21, 9, Layout.COL_MAJOR, Layout.ROW_MAJOR, 1, 0);
        int deep = f32 ? SgemmDriver.blockRows(kc) : DgemmDriver.blockRows(kc);
        check(f32, deep + 3, 17, kc, Layout.ROW_MAJOR, Layout.ROW_MAJOR, 1, 0);
    }

    /**
     * Row-major A packs as plain rows for narrow products (at most ROW_PANEL_SLIVERS slivers) and interleaved for
     * wider ones; both kernels sum each element over k in the same order, so the first columns of a wide product
     * equal the narrow product of the same rows bit for bit. Sizes cross a partial last micro-panel (m % 14 != 0).
     */
    @Test
    void rowPanelAndInterleavedKernelsGiveTheSameBits() {
        int m = 75, k = 67, narrow = SgemmDriver.ROW_PANEL_SLIVERS * SgemmKernel.NR, wide = narrow + SgemmKernel.NR + 5;
        Operand a = operand(true, m, k, Layout.ROW_MAJOR);
        Operand b = operand(true, k, wide, Layout.ROW_MAJOR);
        float[] cw = new float[m * wide], cn = new float[m * narrow];
        Gemm.sgemm(m, wide, k, 1f, a.seg(), 0, k, 1, b.seg(), 0, wide, 1, 0f, MemorySegment.ofArray(cw), 0, wide);
        Gemm.sgemm(m, narrow, k, 1f, a.seg(), 0, k, 1, b.seg(), 0, wide, 1, 0f, MemorySegment.ofArray(cn), 0, narrow);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < narrow; j++) {
                assertEquals(cw[i * wide + j], cn[i * narrow + j], "C[" + i + ", " + j + "]");
            }
        }
        check(true, m, narrow, k, Layout.ROW_MAJOR, Layout.ROW_MAJOR, 1, 0);
        check(true, m, wide, k, Layout.ROW_MAJOR, Layout.COL_MAJOR, 1, 0);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void everyLayoutOfAAndB(boolean f32) {
        for (Layout la : Layout.values()) {
            for (Layout lb : Layout.values()) check(f32, 37, 45, 29, la, lb, 1, 0);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void alphaAndBeta(boolean f32) {
        double[][] ab = {{1, 0}, {2.5, 0}, {1, 1}, {-0.5, 2}, {0, 3}, {0, 0}, {1, -1}};
        for (double[] p : ab) {
            check(f32, 33, 47, 19, Layout.ROW_MAJOR, Layout.ROW_MAJOR, p[0], p[1]);
            check(f32, 1, 47, 19, Layout.ROW_MAJOR, Layout.COL_MAJOR, p[0], p[1]);
            check(f32, 33, 1, 19, Layout.COL_MAJOR, Layout.ROW_MAJOR, p[0], p[1]);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void vectorShapesUseEveryLayout(boolean f32) {
        for (Layout la : Layout.values()) {
            for (Layout lb : Layout.values()) {
                check(f32, 1, 70, 53, la, lb, 1, 0.5);
                check(f32, 70, 1, 53, la, lb, 1, 0.5);
                check(f32, 1, 1, 53, la, lb, 1, 0);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void emptyProducts(boolean f32) {
        // k = 0: C = beta * C.
        check(f32, 17, 33, 0, Layout.ROW_MAJOR, Layout.ROW_MAJOR, 1, 0);
        check(f32, 17, 33, 0, Layout.ROW_MAJOR, Layout.ROW_MAJOR, 1, 2);
        // m = 0 or n = 0: nothing to write.
        check(f32, 0, 33, 5, Layout.ROW_MAJOR, Layout.ROW_MAJOR, 1, 0);
        check(f32, 17, 0, 5, Layout.ROW_MAJOR, Layout.ROW_MAJOR, 1, 0);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void nanAndInfinityPropagateThroughZeros(boolean f32) {
        for (int[] size : new int[][] {{33, 47, 19}, {1, 47, 19}, {33, 1, 19}}) {
            int m = size[0], n = size[1], k = size[2];
            Operand a = operand(f32, m, k, Layout.ROW_MAJOR);
            Operand b = operand(f32, k, n, Layout.ROW_MAJOR);
            // Column 4 of A is all zeros and B[4, last] is NaN: 0 * NaN must still poison every row's last column.
            for (int i = 0; i < m; i++) set(a.seg, f32, a.off + i * a.rs + 4 * a.cs, 0);
            set(b.seg, f32, b.off + 4 * b.rs + (n - 1) * b.cs, Double.NaN);
            // A[last, 7] is infinite and row 7 of B is zero: inf * 0 gives NaN across A's last row.
            set(a.seg, f32, a.off + (m - 1) * a.rs + 7 * a.cs, Double.POSITIVE_INFINITY);
            for (int j = 0; j < n; j++) set(b.seg, f32, b.off + 7 * b.rs + j * b.cs, 0);
            MemorySegment c = newC(f32, m, n, 0.0);
            gemm(f32, m, n, k, 1, a, b, 0, c);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double v = get(c, f32, 2 + i * (n + 3) + j);
                    boolean nan = i == m - 1 || j == n - 1;
                    assertEquals(nan, Double.isNaN(v), "C[" + i + ", " + j + "] = " + v + " for m=" + m + " n=" + n);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void betaZeroIgnoresGarbageInC(boolean f32) {
        for (int[] size : new int[][] {{45, 67, 30}, {1, 67, 30}, {45, 1, 30}, {45, 67, 0}}) {
            int m = size[0], n = size[1], k = size[2];
            Operand a = operand(f32, m, k, Layout.ROW_MAJOR);
            Operand b = operand(f32, k, n, Layout.COL_MAJOR);
            MemorySegment c = newC(f32, m, n, Double.NaN);
            gemm(f32, m, n, k, 1, a, b, 0, c);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double v = get(c, f32, 2 + i * (n + 3) + j);
                    assertTrue(Double.isFinite(v), "C[" + i + ", " + j + "] = " + v + " with beta 0 over NaN, size " + m + "x" + n + "x" + k);
                }
            }
        }
    }

    @Test
    void nativeSegmentsAndOtherThreadCounts() {
        int m = 70, n = 90, k = 300;
        int saved = Parallel.threads();
        try (Arena arena = Arena.ofShared()) {
            MemorySegment a = arena.allocate(4L * m * k, 64), b = arena.allocate(4L * k * n, 64);
            MemorySegment c = arena.allocate(4L * m * n, 64);
            for (long i = 0; i < (long) m * k; i++) a.setAtIndex(JAVA_FLOAT, i, (float) Math.sin(i));
            for (long i = 0; i < (long) k * n; i++) b.setAtIndex(JAVA_FLOAT, i, (float) Math.cos(i));
            for (int threads : new int[] {1, 3, saved}) {
                Parallel.setThreads(threads);
                c.fill((byte) -1);
                Gemm.sgemm(m, n, k, 1f, a, 0, k, 1, b, 0, n, 1, 0f, c, 0, n);
                for (int i = 0; i < m; i += 7) {
                    for (int j = 0; j < n; j += 5) {
                        double s = 0;
                        for (int p = 0; p < k; p++) s += (double) a.getAtIndex(JAVA_FLOAT, (long) i * k + p) * b.getAtIndex(JAVA_FLOAT, (long) p * n + j);
                        assertEquals(s, c.getAtIndex(JAVA_FLOAT, (long) i * n + j), 1e-5 * k, "threads=" + threads + " C[" + i + ", " + j + "]");
                    }
                }
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }

    @Test
    void batchesOnPoolThreadsRunInlineAndDoNotShareBuffers() {
        int batches = 12, m = 40, n = 50, k = 60;
        float[][] as = new float[batches][m * k], bs = new float[batches][k * n], cs = new float[batches][m * n];
        for (int t = 0; t < batches; t++) {
            for (int i = 0; i < m * k; i++) as[t][i] = (float) (rnd.nextDouble() - 0.5);
            for (int i = 0; i < k * n; i++) bs[t][i] = (float) (rnd.nextDouble() - 0.5);
        }
        Parallel.forRange(batches, 1, (lo, hi) -> {
            for (long t = lo; t < hi; t++) {
                int b = (int) t;
                Gemm.sgemm(m, n, k, 1f, MemorySegment.ofArray(as[b]), 0, k, 1, MemorySegment.ofArray(bs[b]), 0, n, 1,
                        0f, MemorySegment.ofArray(cs[b]), 0, n);
            }
        });
        for (int t = 0; t < batches; t++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) s += (double) as[t][i * k + p] * bs[t][p * n + j];
                    assertEquals(s, cs[t][i * n + j], 1e-4, "batch " + t + " C[" + i + ", " + j + "]");
                }
            }
        }
    }

    @Test
    void negativeSizesAreRejected() {
        MemorySegment s = MemorySegment.ofArray(new float[4]);
        var e = assertThrows(IllegalArgumentException.class, () -> Gemm.sgemm(2, -1, 2, 1f, s, 0, 2, 1, s, 0, 2, 1, 0f, s, 0, 2));
        assertTrue(e.getMessage().contains("sgemm") && e.getMessage().contains("n=-1"), e.getMessage());
        MemorySegment d = MemorySegment.ofArray(new double[4]);
        var e2 = assertThrows(IllegalArgumentException.class, () -> Gemm.dgemm(-3, 2, 2, 1, d, 0, 2, 1, d, 0, 2, 1, 0, d, 0, 2));
        assertTrue(e2.getMessage().contains("dgemm") && e2.getMessage().contains("m=-3"), e2.getMessage());
    }
}
