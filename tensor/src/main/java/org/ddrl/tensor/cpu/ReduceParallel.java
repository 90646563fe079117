package org.ddrl.tensor.cpu;

import java.util.function.DoubleBinaryOperator;
import java.util.function.LongBinaryOperator;
import org.ddrl.kernels.cpu.Parallel;

/**
 * Spreads reductions over the pool. Rows are cut into fixed chunks of {@link #CHUNK} elements, and
 * column reductions into blocks of {@link #COL_ROWS} rows; each piece yields a partial result and the
 * partials are combined in order. The cuts depend only on the shape, so results never depend on the
 * number of threads, and a single long row still uses every thread.
 */
final class ReduceParallel {
    /** Elements per row chunk; also roughly the work below which a range is not split further. */
    static final int CHUNK = 1 << 15;
    /** Rows per column block: short enough that a float accumulator over them keeps F32 accuracy. */
    static final int COL_ROWS = 64;
    /** Columns per column task, so that a few wide rows still split over the pool. */
    static final int COL_WIDTH = 4096;

    private ReduceParallel() {}

    /** Reduces {@code n} elements of row {@code row} starting at element {@code off}. */
    @FunctionalInterface
    interface Run {
        double apply(int row, long off, int n);
    }

    @FunctionalInterface
    interface RunLong {
        long apply(int row, long off, int n);
    }

    /**
     * Reduces columns {@code [c0, c1)} over {@code rows} rows whose first element (column 0 of the first
     * row) is at element {@code off}, storing column c's partial in {@code part[partOff + c]}. The row
     * stride is the caller's inner size.
     */
    @FunctionalInterface
    interface ColumnRun {
        void apply(int outer, long off, int rows, int c0, int c1, double[] part, int partOff);
    }

    /** Processes elements [from, from + n) of row {@code row}; {@code piece} numbers the chunks of all rows in order. */
    @FunctionalInterface
    interface Piece {
        void apply(int piece, int row, long from, int n);
    }

    /** Runs body over every chunk of {@code rows} rows of {@code len >= 1} elements, in parallel. */
    static void pieces(int rows, long len, Piece body) {
        int chunks = (int) ((len + CHUNK - 1) / CHUNK);
        long n = Math.multiplyExact((long) rows, chunks);
        Parallel.forRange(n, Math.max(1, CHUNK / Math.min(len, CHUNK)), (lo, hi) -> {
            for (long t = lo; t < hi; t++) {
                long from = (t % chunks) * CHUNK;
                body.apply((int) t, (int) (t / chunks), from, (int) Math.min(CHUNK, len - from));
            }
        });
    }

    /** One value per row of {@code rows} rows of {@code len >= 1} elements laid out back to back from {@code base}. */
    static double[] rows(int rows, long len, long base, Run run, DoubleBinaryOperator combine) {
        int chunks = (int) ((len + CHUNK - 1) / CHUNK);
        double[] part = new double[Math.toIntExact((long) rows * chunks)];
        pieces(rows, len, (t, row, from, n) -> part[t] = run.apply(row, base + row * len + from, n));
        if (chunks == 1) return part;
        double[] out = new double[rows];
        for (int r = 0; r < rows; r++) {
            double acc = part[r * chunks];
            for (int c = 1; c < chunks; c++) acc = combine.applyAsDouble(acc, part[r * chunks + c]);
            out[r] = acc;
        }
        return out;
    }

    /** {@link #rows} for exact integer results. */
    static long[] rowsLong(int rows, long len, long base, RunLong run, LongBinaryOperator combine) {
        int chunks = (int) ((len + CHUNK - 1) / CHUNK);
        long[] part = new long[Math.toIntExact((long) rows * chunks)];
        pieces(rows, len, (t, row, from, n) -> part[t] = run.apply(row, base + row * len + from, n));
        if (chunks == 1) return part;
        long[] out = new long[rows];
        for (int r = 0; r < rows; r++) {
            long acc = part[r * chunks];
            for (int c = 1; c < chunks; c++) acc = combine.applyAsLong(acc, part[r * chunks + c]);
            out[r] = acc;
        }
        return out;
    }

    /**
     * One value per column of {@code outer} row-major blocks of {@code len >= 1} rows by {@code inner}
     * columns from {@code base}: element (o, r, c) is at {@code base + (o * len + r) * inner + c}, and
     * the result for (o, c) is at {@code o * inner + c}.
     */
    static double[] columns(int outer, long len, int inner, long base, ColumnRun run, DoubleBinaryOperator combine) {
        int rowBlocks = Math.toIntExact((len + COL_ROWS - 1) / COL_ROWS);
        int colBlocks = (inner + COL_WIDTH - 1) / COL_WIDTH;
        double[] part = new double[Math.toIntExact((long) outer * rowBlocks * inner)];
        long tasks = (long) outer * rowBlocks * colBlocks;
        long perTask = (long) Math.min(len, COL_ROWS) * Math.min(inner, COL_WIDTH);
        Parallel.forRange(tasks, Math.max(1, CHUNK / perTask), (lo, hi) -> {
            for (long t = lo; t < hi; t++) {
                int cb = (int) (t % colBlocks);
                long q = t / colBlocks;
                int rb = (int) (q % rowBlocks);
                int o = (int) (q / rowBlocks);
                long r0 = (long) rb * COL_ROWS;
                int c0 = cb * COL_WIDTH;
                run.apply(o, base + ((long) o * len + r0) * inner, (int) Math.min(COL_ROWS, len - r0), c0,
                        Math.min(inner, c0 + COL_WIDTH), part, (o * rowBlocks + rb) * inner);
            }
        });
        if (rowBlocks == 1) return part;
        double[] out = new double[outer * inner];
        for (int o = 0; o < outer; o++) {
            int first = o * rowBlocks * inner;
            System.arraycopy(part, first, out, o * inner, inner);
            for (int rb = 1; rb < rowBlocks; rb++) {
                int p = first + rb * inner;
                for (int c = 0; c < inner; c++) out[o * inner + c] = combine.applyAsDouble(out[o * inner + c], part[p + c]);
            }
        }
        return out;
    }
}
