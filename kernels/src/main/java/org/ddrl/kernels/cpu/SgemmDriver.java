package org.ddrl.kernels.cpu;

import java.lang.foreign.MemorySegment;

/**
 * The blocked F32 GEMM loop nest (Goto/BLIS order): for each NC-column panel of B and k-slice, pack B
 * once (in parallel), then every thread packs row blocks of A and sweeps NR-column slivers x MR-row
 * micro-panels with the micro-kernel, each tile of C written once per k-slice.
 *
 * <p>Block sizes, measured on the reference machine (AVX-512, 48 KiB L1d and 2 MiB L2 per core, shared
 * L3): KC is large because every extra k-slice is another read-modify-write pass over all of C, whose
 * cache misses cost more than keeping the B sliver (KC x NR, up to 256 KiB) in L1 would gain; 1024^3
 * ran 15 to 20% faster in one slice than in two. The sliver streams from L2 instead, next to the packed
 * A block, whose rows adapt to the slice depth so that it stays near 688 KiB (84 rows at KC; within a
 * 1 MiB L2 too). The packed B panel (KC x NC) lives in the shared L3.
 */
final class SgemmDriver {
    private static final int MR = SgemmKernel.MR;
    private static final int NR = SgemmKernel.NR;
    static final int KC = 2048;
    /** Values in one packed A block: about 688 KiB, a third of a 2 MiB L2 and two thirds of a 1 MiB one. */
    private static final int A_BLOCK = 12 * MR * 1024;
    private static final int MAX_BLOCK_PANELS = 24;
    static final int NC = 64 * NR;
    /**
     * Fewest multiply-adds worth handing to another thread: about 4 microseconds of work, against the
     * microsecond or so that {@link Parallel} needs to hand a range to an awake worker.
     */
    private static final long MIN_TASK_FLOPS = 1L << 19;
    /** Most slivers a block may sweep for row-major A to be packed as plain rows ({@link SgemmKernel#tileRows}). */
    static final int ROW_PANEL_SLIVERS = 4;
    /** Fewest packed B values worth handing to another thread (a copy, so cheaper per value than a product). */
    private static final long MIN_PACK_VALUES = 1L << 15;

    private SgemmDriver() {}

    static void run(int m, int n, int k, float alpha, MemorySegment a, long aOff, long aRs, long aCs,
                    MemorySegment b, long bOff, long bRs, long bCs, float beta, MemorySegment c, long cOff, long ldc) {
        int threads = Parallel.threads();
        int panels = (m + MR - 1) / MR;
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            int slivers = (nc + NR - 1) / NR;
            int depth = sliceDepth(k);
            for (int pc = 0; pc < k; pc += depth) {
                int kc = Math.min(depth, k - pc);
                float betaK = pc == 0 ? beta : 1f;
                float[] bp = GemmScratch.get().floatB(slivers * NR * kc);
                int j0 = jc, p0 = pc;
                Parallel.forRange(slivers, Math.max(1, MIN_PACK_VALUES / ((long) NR * kc)),
                        (lo, hi) -> SgemmPack.packB(bp, b, bOff, bRs, bCs, p0, kc, j0, nc, (int) lo, (int) hi));
                long panelFlops = (long) MR * nc * kc;
                long sliverFlops = (long) NR * m * kc;
                // Split rows when there are enough micro-panels to balance; otherwise split the columns
                // and let each thread pack the (small) A block itself.
                if (panels >= 4 * threads || panels >= slivers) {
                    Parallel.forRange(panels, Math.max(1, MIN_TASK_FLOPS / panelFlops), (lo, hi) ->
                            block(kc, alpha, a, aOff, aRs, aCs, p0, bp, betaK, c, cOff, ldc,
                                    (int) lo * MR, (int) Math.min(m, hi * MR), j0, nc, 0, slivers));
                } else {
                    Parallel.forRange(slivers, Math.max(1, MIN_TASK_FLOPS / sliverFlops), (lo, hi) ->
                            block(kc, alpha, a, aOff, aRs, aCs, p0, bp, betaK, c, cOff, ldc,
                                    0, m, j0, nc, (int) lo, (int) hi));
                }
            }
        }
    }

    /** Depth of the k-slices: equal slices of at most KC, since a short last one would cost a whole pass over C. */
    static int sliceDepth(int k) {
        int slices = (k + KC - 1) / KC;
        return (k + slices - 1) / slices;
    }

    /** Rows of A per packed block for slices of depth kc: as many micro-panels as fill A_BLOCK. */
    static int blockRows(int kc) {
        return MR * Math.max(1, Math.min(MAX_BLOCK_PANELS, A_BLOCK / (MR * Math.max(1, kc))));
    }

    /** Rows [i0, i1) times slivers [s0, s1) of the packed B panel that starts at column jc and is nc wide. */
    private static void block(int kc, float alpha, MemorySegment a, long aOff, long aRs, long aCs, int pc,
                              float[] bp, float beta, MemorySegment c, long cOff, long ldc,
                              int i0, int i1, int jc, int nc, int s0, int s1) {
        int rows = blockRows(kc);
        GemmScratch scratch = GemmScratch.get();
        float[] ap = scratch.floatA(Math.min(rows, i1 - i0 + MR) * kc);
        float[] acc = scratch.floatAcc(MR * NR);
        // Row-major A: a narrow product uses each packed A value for few slivers, so transposing A into the
        // interleaved layout costs more than the faster interleaved kernel saves; plain row copies for the row-panel
        // kernel win there. Wider products amortize the transpose (at 384 columns the interleaved kernel was 20% faster).
        boolean rowPanels = aCs == 1 && s1 - s0 <= ROW_PANEL_SLIVERS;
        float[] lines = rowPanels ? null : scratch.floatLines(MR * SgemmKernel.LANES);
        for (int ic = i0; ic < i1; ic += rows) {
            int mc = Math.min(rows, i1 - ic);
            if (rowPanels) SgemmPack.packARows(ap, a, aOff, aRs, ic, mc, pc, kc);
            else SgemmPack.packA(ap, a, aOff, aRs, aCs, ic, mc, pc, kc, lines);
            for (int s = s0; s < s1; s++) {
                int j = jc + s * NR;
                int nr = Math.min(NR, nc - s * NR);
                int bi = s * NR * kc;
                for (int q = 0; q < mc; q += MR) {
                    if (rowPanels) SgemmKernel.tileRows(kc, ap, q * kc, bp, bi, acc);
                    else SgemmKernel.tile(kc, ap, q * kc, bp, bi, acc);
                    SgemmKernel.update(acc, Math.min(MR, mc - q), nr, alpha, beta, c, cOff + (long) (ic + q) * ldc + j, ldc);
                }
            }
        }
    }
}
