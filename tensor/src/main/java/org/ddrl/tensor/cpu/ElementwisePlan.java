package org.ddrl.tensor.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.ddrl.kernels.cpu.Parallel;
import org.ddrl.tensor.Tensor;

/**
 * The iteration space of an elementwise kernel: an output and its inputs, each a strided view, walked
 * together in the output's row-major order without copying any of them.
 *
 * <p>Every input is broadcast to the output shape with stride 0 on the dims it is broadcast along (an
 * input that is already an expanded view keeps its own zero strides). Dims of size 1 are dropped, and a
 * dim is folded into the next one when every operand steps over both as one run (stride[i] ==
 * stride[i + 1] * size[i + 1] for all), so a dense same-shape op is one long run, a bias add over
 * [N, C] is N runs of C, and adaLN's [B, 1, C] against [B, T, C] is B*T runs of C. The last remaining
 * dim is the inner run; within it each operand has one stride: 1 (read it in place), 0 (one value for the
 * whole run) or anything else (gathered into a per-thread scratch buffer by the caller).
 *
 * <p>Work is cut into units of at most one run piece each (long runs are split so that even a single
 * dense run spreads over the pool), and ranges of units go to {@link Parallel#forRange}; within a range
 * the outer dims advance like an odometer, so no unit does a division. Which unit computes which element
 * never changes the element's arithmetic, so results do not depend on the thread count.
 */
final class ElementwisePlan {
    /** Longest run handed to a body that may use the scratch buffer: each scratch slot holds this many 8-byte elements. */
    static final int SCRATCH_RUN = 2048;
    /** Longest run handed to a body that reads and writes in place; only bounds how finely one long run splits. */
    static final int DENSE_RUN = 16384;
    /** Scratch slots per thread: the output and up to three inputs (where). */
    static final int SLOTS = 4;
    /**
     * Rows of a tile when an input is read across its unit-stride dim (see {@link #forEachRun}); the run
     * length is what fills a scratch slot: 256 for 4-byte elements.
     */
    static final int TILE_ROWS = 16;

    private static final ThreadLocal<MemorySegment> SCRATCH = ThreadLocal.withInitial(
            () -> Arena.ofAuto().allocate((long) SLOTS * SCRATCH_RUN * 8, 64));

    /** What a kernel does with one run. */
    @FunctionalInterface
    interface Body {
        void run(Run r);
    }

    /**
     * One run, reused for every run of a range so the walk allocates nothing per run. The walk sets
     * {@code at} and {@code n}; the kernel's operands then fill in, for each operand k, where the loops
     * find its values ({@code seg[k]} at element {@code pos[k]}, of the loop's dtype) and whether that is
     * a single value for the whole run ({@code scalar[k]}). Operand 0 is the output.
     */
    static final class Run {
        /** Element offset in operand k's storage where this run starts. */
        final long[] at;
        int n;
        /** In a tiled walk, the run's row within the current tile. */
        int tileRow;
        final MemorySegment scratch = scratch();
        final MemorySegment[] seg;
        final long[] pos;
        final boolean[] scalar;

        Run(int operands) {
            at = new long[operands];
            seg = new MemorySegment[operands];
            pos = new long[operands];
            scalar = new boolean[operands];
        }

        /**
         * Operand k's position as the loops take it: they index an input with "offset + i" for output
         * index i in [pos[0], pos[0] + n), so a run read in place is shifted by pos[0]; a scalar is read
         * at its own position.
         */
        long rel(int k) {
            return scalar[k] ? pos[k] : pos[k] - pos[0];
        }
    }

    private final long[] size;
    /** strides[k][d]: operand k's element stride along coalesced dim d; operand order as given to of(). */
    private final long[][] strides;
    private final long[] base;
    private final long rows;

    private ElementwisePlan(long[] size, long[][] strides, long[] base) {
        this.size = size;
        this.strides = strides;
        this.base = base;
        long r = 1;
        for (int d = 0; d < size.length - 1; d++) r *= size[d];
        this.rows = r;
    }

    /**
     * The plan for views broadcast to {@code shape} (each view's shape must broadcast to it; the caller has
     * checked that). Operand k of the plan is views[k].
     */
    static ElementwisePlan of(int[] shape, Tensor... views) {
        int r = shape.length, m = views.length;
        long[][] full = new long[m][r];
        long[] base = new long[m];
        for (int k = 0; k < m; k++) {
            Tensor t = views[k];
            int[] ts = t.shape();
            long[] st = t.strides();
            int lead = r - ts.length;
            for (int d = lead; d < r; d++) {
                int s = ts[d - lead];
                full[k][d] = s == 1 && shape[d] != 1 ? 0 : st[d - lead];
            }
            base[k] = t.offset();
        }
        long[] sz = new long[Math.max(r, 1)];
        long[][] st = new long[m][sz.length];
        int n = 0;
        for (int d = 0; d < r; d++) {
            if (shape[d] == 1) continue;
            boolean merge = n > 0;
            for (int k = 0; k < m && merge; k++) merge = st[k][n - 1] == full[k][d] * shape[d];
            if (merge) {
                sz[n - 1] *= shape[d];
                for (int k = 0; k < m; k++) st[k][n - 1] = full[k][d];
            } else {
                sz[n] = shape[d];
                for (int k = 0; k < m; k++) st[k][n] = full[k][d];
                n++;
            }
        }
        if (n == 0) {
            // one element: a single run of length 1 whose strides never matter
            return new ElementwisePlan(new long[] {1}, new long[m][1], base);
        }
        long[] size = java.util.Arrays.copyOf(sz, n);
        long[][] strides = new long[m][];
        for (int k = 0; k < m; k++) strides[k] = java.util.Arrays.copyOf(st[k], n);
        return new ElementwisePlan(size, strides, base);
    }

    /** Operand k's stride along the inner run. */
    long innerStride(int k) {
        return strides[k][size.length - 1];
    }

    /** Elements in the whole iteration space. */
    long numel() {
        return rows * size[size.length - 1];
    }

    /**
     * Whether input k is read across its unit-stride dim: a transposed view, whose run stride is neither 0
     * nor 1 while the next outer dim steps it by 1. Gathering such runs one at a time touches one cache
     * line per element and reuses it only a whole row later, and at power-of-two strides all those lines
     * fall into the same few cache sets, so these inputs are gathered a tile at a time instead.
     */
    boolean readsAcross(int k) {
        int r = size.length;
        return k > 0 && r >= 2 && innerStride(k) != 0 && innerStride(k) != 1 && strides[k][r - 2] == 1;
    }

    /**
     * Calls body on every run, pieces of at most maxRun elements, split over the pool with about
     * {@code grain} elements per task at least. When one of {@code inputs} reads across its unit-stride
     * dim, the walk goes tile by tile instead: {@link #TILE_ROWS} consecutive rows of the last outer dim
     * by a few hundred elements of the run, each such input gathered for the whole tile first
     * (reading its unit-stride dim, a cache line at a time), then the tile's rows handed to body.
     */
    void forEachRun(long grain, int maxRun, Body body, ElementwiseOperand... inputs) {
        ElementwiseOperand[] across = java.util.Arrays.stream(inputs).filter(ElementwiseOperand::tiled)
                .toArray(ElementwiseOperand[]::new);
        if (across.length > 0) {
            forEachTile(grain, body, across);
            return;
        }
        long inner = size[size.length - 1];
        long pieces = (inner + maxRun - 1) / maxRun;
        int piece = (int) ((inner + pieces - 1) / pieces);
        long units = rows * pieces;
        Parallel.forRange(units, Math.max(1, grain / piece), (lo, hi) -> walk(lo, hi, pieces, piece, body));
    }

    private void forEachTile(long grain, Body body, ElementwiseOperand[] across) {
        int outer = size.length - 1, last = outer - 1, m = base.length;
        long inner = size[outer], height = size[last];
        int widest = 1;
        for (ElementwiseOperand a : across) widest = Math.max(widest, a.loopBytes());
        int tileRun = SCRATCH_RUN * 8 / (TILE_ROWS * widest);
        long pieces = (inner + tileRun - 1) / tileRun;
        int piece = (int) ((inner + pieces - 1) / pieces);
        long blocks = (height + TILE_ROWS - 1) / TILE_ROWS;
        long units = rows / height * blocks * pieces;
        Parallel.forRange(units, Math.max(1, grain / ((long) piece * TILE_ROWS)), (lo, hi) -> {
            Run run = new Run(m);
            long[] start = new long[m];
            for (long u = lo; u < hi; u++) {
                // tiles are a thousand elements each, so locating one from scratch costs little
                long c0 = u % pieces * piece, t = u / pieces, r0 = t % blocks * TILE_ROWS, upper = t / blocks;
                for (int k = 0; k < m; k++) start[k] = base[k] + r0 * strides[k][last] + c0 * strides[k][outer];
                for (int d = last - 1; d >= 0; d--) {
                    long i = upper % size[d];
                    upper /= size[d];
                    for (int k = 0; k < m; k++) start[k] += i * strides[k][d];
                }
                int n = (int) Math.min(piece, inner - c0), tile = (int) Math.min(TILE_ROWS, height - r0);
                run.n = n;
                for (ElementwiseOperand a : across) a.gatherTile(run, start, tile, n);
                for (int r = 0; r < tile; r++) {
                    for (int k = 0; k < m; k++) run.at[k] = start[k] + r * strides[k][last];
                    run.tileRow = r;
                    body.run(run);
                }
            }
        });
    }

    private void walk(long lo, long hi, long pieces, int piece, Body body) {
        int outer = size.length - 1, m = base.length;
        long inner = size[outer];
        long[] idx = new long[outer], off = new long[m];
        Run run = new Run(m);
        long[] at = run.at;
        long row = lo / pieces, p = lo % pieces;
        for (int d = outer - 1; d >= 0; d--) {
            idx[d] = row % size[d];
            row /= size[d];
        }
        for (int k = 0; k < m; k++) {
            long o = base[k];
            for (int d = 0; d < outer; d++) o += idx[d] * strides[k][d];
            off[k] = o;
        }
        for (long u = lo; u < hi; u++) {
            long c0 = p * piece;
            int n = (int) Math.min(piece, inner - c0);
            for (int k = 0; k < m; k++) at[k] = off[k] + c0 * strides[k][outer];
            run.n = n;
            body.run(run);
            if (++p == pieces) {
                p = 0;
                advance(idx, off);
            }
        }
    }

    /** Moves off to the next row of the outer dims (the odometer step). */
    private void advance(long[] idx, long[] off) {
        int m = off.length;
        for (int d = size.length - 2; d >= 0; d--) {
            if (++idx[d] < size[d]) {
                for (int k = 0; k < m; k++) off[k] += strides[k][d];
                return;
            }
            for (int k = 0; k < m; k++) off[k] -= (size[d] - 1) * strides[k][d];
            idx[d] = 0;
        }
    }

    /** This thread's scratch memory: {@link #SLOTS} slots of {@link #SCRATCH_RUN} 8-byte elements. */
    static MemorySegment scratch() {
        return SCRATCH.get();
    }

    /** Element index, in elements of {@code elementBytes}, where scratch slot k starts. */
    static long slot(int k, int elementBytes) {
        return (long) k * SCRATCH_RUN * 8 / elementBytes;
    }
}
