package org.ddrl.kernels.cpu;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Copies blocks of strided A and B into the contiguous layouts the micro-kernel streams through.
 * Packing reads any strides (row-major, transposed, sliced, broadcast with stride 0), so callers never
 * copy a view first. Short edge panels are padded so the kernel always runs full tiles; the padded lanes
 * are never stored, and zeros (not stale values, which could be slow subnormals) keep them cheap.
 *
 * <p>Packed A: micro-panels of MR rows; within one, the MR values of column p sit together at
 * {@code p * MR}. Packed B: slivers of NR columns; within one, row p's NR values sit at {@code p * NR}.
 *
 * <p>Unit-stride operands get vector paths. The two that transpose (row-major A, column-major B) load
 * one vector along each contiguous line into a small buffer and scatter from there: reading the
 * segment element by element costs about three times as much, a measurable share of a whole GEMM.
 */
final class DgemmPack {
    private static final VectorSpecies<Double> S = DgemmKernel.S;
    private static final int MR = DgemmKernel.MR;
    private static final int NR = DgemmKernel.NR;
    private static final int LANES = DgemmKernel.LANES;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private DgemmPack() {}

    /** Packs A[i0 : i0 + mc, p0 : p0 + kc] into dst as ceil(mc / MR) micro-panels of MR * kc values. */
    static void packA(double[] dst, MemorySegment a, long aOff, long aRs, long aCs, int i0, int mc, int p0, int kc) {
        double[] lines = aCs == 1 ? GemmScratch.get().doubleLines(MR * LANES) : null;
        for (int q = 0, base = 0; q < mc; q += MR, base += MR * kc) {
            int rows = Math.min(MR, mc - q);
            long first = aOff + (long) (i0 + q) * aRs + (long) p0 * aCs;
            if (aCs == 1) {
                packRowsTransposed(dst, base, a, first, aRs, rows, kc, lines);
            } else if (aRs == 1) {
                // Column-major A: each column's MR values are contiguous already; the masks zero-fill short panels.
                for (int r0 = 0; r0 < MR; r0 += LANES) {
                    VectorMask<Double> in = S.indexInRange(r0, rows), out = S.indexInRange(r0, MR);
                    for (int p = 0, d = base + r0; p < kc; p++, d += MR) {
                        DoubleVector.fromMemorySegment(S, a, (first + p * aCs + r0) * Double.BYTES, NATIVE, in).intoArray(dst, d, out);
                    }
                }
            } else {
                for (int p = 0, d = base; p < kc; p++, d += MR) {
                    long src = first + p * aCs;
                    for (int r = 0; r < MR; r++) dst[d + r] = r < rows ? a.getAtIndex(JAVA_DOUBLE, src + r * aRs) : 0.0;
                }
            }
        }
    }

    /**
     * dst[base + p * MR + r] = A[first + r * rs + p] for r < rows (zeros up to MR), p < kc: rows contiguous
     * in memory become the interleaved panel. {@code lines} holds MR * LANES doubles.
     */
    private static void packRowsTransposed(double[] dst, int base, MemorySegment a, long first, long rs, int rows, int kc,
                                           double[] lines) {
        int p = 0;
        for (; p <= kc - LANES; p += LANES) {
            for (int r = 0; r < rows; r++) {
                DoubleVector.fromMemorySegment(S, a, (first + r * rs + p) * Double.BYTES, NATIVE).intoArray(lines, r * LANES);
            }
            for (int l = 0, d = base + p * MR; l < LANES; l++, d += MR) {
                for (int r = 0; r < MR; r++) dst[d + r] = r < rows ? lines[r * LANES + l] : 0.0;
            }
        }
        for (int d = base + p * MR; p < kc; p++, d += MR) {
            for (int r = 0; r < MR; r++) dst[d + r] = r < rows ? a.getAtIndex(JAVA_DOUBLE, first + r * rs + p) : 0.0;
        }
    }

    /**
     * Packs slivers [s0, s1) of B[p0 : p0 + kc, j0 : j0 + nc] into dst; sliver s holds columns
     * j0 + s * NR onward at {@code s * NR * kc}. Slivers are independent, so threads may pack disjoint ranges.
     */
    static void packB(double[] dst, MemorySegment b, long bOff, long bRs, long bCs, int p0, int kc, int j0, int nc,
                      int s0, int s1) {
        double[] lines = bRs == 1 && bCs != 1 ? GemmScratch.get().doubleLines(NR * LANES) : null;
        for (int s = s0; s < s1; s++) {
            int base = s * NR * kc;
            int cols = Math.min(NR, nc - s * NR);
            long first = bOff + (long) p0 * bRs + (long) (j0 + s * NR) * bCs;
            if (bCs == 1) {
                // Row-major B: each row's NR values are contiguous already; masks zero-fill a short sliver.
                VectorMask<Double> lo = S.indexInRange(0, cols), hi = S.indexInRange(LANES, cols);
                for (int p = 0, d = base; p < kc; p++, d += NR) {
                    long at = (first + p * bRs) * Double.BYTES;
                    DoubleVector.fromMemorySegment(S, b, at, NATIVE, lo).intoArray(dst, d);
                    DoubleVector.fromMemorySegment(S, b, at + (long) LANES * Double.BYTES, NATIVE, hi).intoArray(dst, d + LANES);
                }
            } else if (bRs == 1) {
                packColumnsTransposed(dst, base, b, first, bCs, cols, kc, lines);
            } else {
                for (int p = 0, d = base; p < kc; p++, d += NR) {
                    long src = first + p * bRs;
                    for (int j = 0; j < NR; j++) dst[d + j] = j < cols ? b.getAtIndex(JAVA_DOUBLE, src + j * bCs) : 0.0;
                }
            }
        }
    }

    /**
     * dst[base + p * NR + j] = B[first + j * cs + p] for j < cols (zeros up to NR), p < kc: columns
     * contiguous in memory (a transposed view, as in x W^T) become the row-interleaved sliver.
     */
    private static void packColumnsTransposed(double[] dst, int base, MemorySegment b, long first, long cs, int cols, int kc,
                                              double[] lines) {
        int p = 0;
        for (; p <= kc - LANES; p += LANES) {
            for (int j = 0; j < cols; j++) {
                DoubleVector.fromMemorySegment(S, b, (first + j * cs + p) * Double.BYTES, NATIVE).intoArray(lines, j * LANES);
            }
            for (int l = 0, d = base + p * NR; l < LANES; l++, d += NR) {
                for (int j = 0; j < NR; j++) dst[d + j] = j < cols ? lines[j * LANES + l] : 0.0;
            }
        }
        for (int d = base + p * NR; p < kc; p++, d += NR) {
            for (int j = 0; j < NR; j++) dst[d + j] = j < cols ? b.getAtIndex(JAVA_DOUBLE, first + j * cs + p) : 0.0;
        }
    }
}
