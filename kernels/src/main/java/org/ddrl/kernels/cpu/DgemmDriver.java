package org.ddrl.kernels.cpu;

import java.lang.foreign.MemorySegment;

/**
 * The blocked F64 GEMM loop nest (Goto/BLIS order): for each NC-column panel of B and k-slice, pack B
 * once (in parallel), then every thread packs row blocks of A and sweeps NR-column slivers x MR-row
 * micro-panels with the micro-kernel, each tile of C written once per k-slice.
 *
 * <p>Block sizes give the packed blocks the same byte footprints as {@link SgemmDriver}'s, whose
 * sizes were measured: few k-slices (each is a pass over C), a B sliver of up to 128 KiB streaming from
 * L2, an A block near 688 KiB, the packed B panel in the shared L3.
 */
final class DgemmDriver {
    private static final int MR = DgemmKernel.MR;
    private static final int NR = DgemmKernel.NR;
    static final int KC = 1024;
    /** Values in one packed A block: about 688 KiB, a third of a 2 MiB L2 and two thirds of a 1 MiB one. */
    private static final int A_BLOCK = 12 * MR * 512;
    private static final int MAX_BLOCK_PANELS = 24;
    static final int NC = 64 * NR;
    /** Fewest multiply-adds worth handing to another thread (a fork costs a few microseconds). */
    private static final long MIN_TASK_FLOPS = 1L << 21;

    private DgemmDriver() {}

    static void run(int m, int n, int k, double alpha, MemorySegment a, long aOff, long aRs, long aCs,
                    MemorySegment b, long bOff, long bRs, long bCs, double beta, MemorySegment c, long cOff, long ldc) {
        int threads = Parallel.threads();
        int panels = (m + MR - 1) / MR;
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            int slivers = (nc + NR - 1) / NR;
            int depth = sliceDepth(k);
            for (int pc = 0; pc < k; pc += depth) {
                int kc = Math.min(depth, k - pc);
                double betaK = pc == 0 ? beta : 1.0;
                double[] bp = GemmScratch.get().doubleB(slivers * NR * kc);
                int j0 = jc, p0 = pc;
                Parallel.forRange(slivers, Math.max(1, (MIN_TASK_FLOPS / 8) / ((long) NR * kc)),
                        (lo, hi) -> DgemmPack.packB(bp, b, bOff, bRs, bCs, p0, kc, j0, nc, (int) lo, (int) hi));
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
    private static void block(int kc, double alpha, MemorySegment a, long aOff, long aRs, long aCs, int pc,
                              double[] bp, double beta, MemorySegment c, long cOff, long ldc,
                              int i0, int i1, int jc, int nc, int s0, int s1) {
        int rows = blockRows(kc);
        double[] ap = GemmScratch.get().doubleA(Math.min(rows, i1 - i0 + MR) * kc);
        double[] acc = GemmScratch.get().doubleAcc(MR * NR);
        for (int ic = i0; ic < i1; ic += rows) {
            int mc = Math.min(rows, i1 - ic);
            DgemmPack.packA(ap, a, aOff, aRs, aCs, ic, mc, pc, kc);
            for (int s = s0; s < s1; s++) {
                int j = jc + s * NR;
                int nr = Math.min(NR, nc - s * NR);
                int bi = s * NR * kc;
                for (int q = 0; q < mc; q += MR) {
                    DgemmKernel.tile(kc, ap, q * kc, bp, bi, acc);
                    DgemmKernel.update(acc, Math.min(MR, mc - q), nr, alpha, beta, c, cOff + (long) (ic + q) * ldc + j, ldc);
                }
            }
        }
    }
}
