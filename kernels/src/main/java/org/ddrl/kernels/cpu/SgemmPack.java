package org.ddrl.kernels.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Copies blocks of strided A and B into the contiguous layouts the micro-kernel streams through.
 * Packing reads any strides (row-major, transposed, sliced, broadcast with stride 0), so callers never
 * copy a view first. Short edge panels are padded so the kernel always runs full tiles; the padded lanes
 * are never stored, and zeros (not stale values, which could be slow subnormals) keep them cheap.
 *
 * <p>Packed A: micro-panels of MR rows; within one, either the MR values of column p sit together at
 * {@code p * MR} ({@link #packA}, for {@link SgemmKernel#tile}), or, for A with unit column stride, each row's kc
 * values are contiguous ({@link #packARows}, for {@link SgemmKernel#tileRows}), which costs a bulk copy per row
 * instead of a transpose. Packed B: slivers of NR columns; within one, row p's NR values sit at {@code p * NR}.
 *
 * <p>Unit-stride operands get vector paths. The two that transpose (row-major A into the interleaved layout,
 * column-major B) load one vector along each contiguous line into a small buffer and scatter from there:
 * reading the segment element by element costs about three times as much, a measurable share of a whole GEMM.
 */
final class SgemmPack {
    private static final VectorSpecies<Float> S = SgemmKernel.S;
    private static final int MR = SgemmKernel.MR;
    private static final int NR = SgemmKernel.NR;
    private static final int LANES = SgemmKernel.LANES;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private SgemmPack() {}

    /**
     * Packs A[i0 : i0 + mc, p0 : p0 + kc] (A with unit column stride: row-major, or a row slice of it) into dst as
     * ceil(mc / MR) micro-panels of MR rows of kc contiguous values, for {@link SgemmKernel#tileRows}: one bulk copy
     * per row, rows past mc zero.
     */
    static void packARows(float[] dst, MemorySegment a, long aOff, long aRs, int i0, int mc, int p0, int kc) {
        for (int q = 0, base = 0; q < mc; q += MR, base += MR * kc) {
            int rows = Math.min(MR, mc - q);
            long first = aOff + (long) (i0 + q) * aRs + p0;
            for (int r = 0; r < rows; r++) {
                MemorySegment.copy(a, JAVA_FLOAT, (first + r * aRs) * Float.BYTES, dst, base + r * kc, kc);
            }
            if (rows < MR) java.util.Arrays.fill(dst, base + rows * kc, base + MR * kc, 0f);
        }
    }

    /**
     * Packs A[i0 : i0 + mc, p0 : p0 + kc] into dst as ceil(mc / MR) micro-panels of MR * kc values, interleaved
     * (column p's MR values together), for {@link SgemmKernel#tile}. {@code lines} holds MR * LANES floats.
     */
    static void packA(float[] dst, MemorySegment a, long aOff, long aRs, long aCs, int i0, int mc, int p0, int kc, float[] lines) {
        for (int q = 0, base = 0; q < mc; q += MR, base += MR * kc) {
            int rows = Math.min(MR, mc - q);
            long first = aOff + (long) (i0 + q) * aRs + (long) p0 * aCs;
            if (aCs == 1) {
                packRowsTransposed(dst, base, a, first, aRs, rows, kc, lines);
            } else if (aRs == 1) {
                // Column-major A: each column's MR values are contiguous already; the masks zero-fill short panels.
                for (int r0 = 0; r0 < MR; r0 += LANES) {
                    VectorMask<Float> in = S.indexInRange(r0, rows), out = S.indexInRange(r0, MR);
                    for (int p = 0, d = base + r0; p < kc; p++, d += MR) {
                        FloatVector.fromMemorySegment(S, a, (first + p * aCs + r0) * Float.BYTES, NATIVE, in).intoArray(dst, d, out);
                    }
                }
            } else {
                for (int p = 0, d = base; p < kc; p++, d += MR) {
                    long src = first + p * aCs;
                    for (int r = 0; r < MR; r++) dst[d + r] = r < rows ? a.getAtIndex(JAVA_FLOAT, src + r * aRs) : 0f;
                }
            }
        }
    }

    /**
     * dst[base + p * MR + r] = A[first + r * rs + p] for r < rows (zeros up to MR), p < kc: rows contiguous
     * in memory become the interleaved panel. {@code lines} holds MR * LANES floats.
     */
    private static void packRowsTransposed(float[] dst, int base, MemorySegment a, long first, long rs, int rows, int kc,
                                           float[] lines) {
        int p = 0;
        for (; p <= kc - LANES; p += LANES) {
            for (int r = 0; r < rows; r++) {
                FloatVector.fromMemorySegment(S, a, (first + r * rs + p) * Float.BYTES, NATIVE).intoArray(lines, r * LANES);
            }
            for (int l = 0, d = base + p * MR; l < LANES; l++, d += MR) {
                for (int r = 0; r < MR; r++) dst[d + r] = r < rows ? lines[r * LANES + l] : 0f;
            }
        }
        for (int d = base + p * MR; p < kc; p++, d += MR) {
            for (int r = 0; r < MR; r++) dst[d + r] = r < rows ? a.getAtIndex(JAVA_FLOAT, first + r * rs + p) : 0f;
        }
    }

    /**
     * Packs slivers [s0, s1) of B[p0 : p0 + kc, j0 : j0 + nc] into dst; sliver s holds columns
     * j0 + s * NR onward at {@code s * NR * kc}. Slivers are independent, so threads may pack disjoint ranges.
     */
    static void packB(float[] dst, MemorySegment b, long bOff, long bRs, long bCs, int p0, int kc, int j0, int nc,
                      int s0, int s1) {
        float[] lines = bRs == 1 && bCs != 1 ? GemmScratch.get().floatLines(NR * LANES) : null;
        for (int s = s0; s < s1; s++) {
            int base = s * NR * kc;
            int cols = Math.min(NR, nc - s * NR);
            long first = bOff + (long) p0 * bRs + (long) (j0 + s * NR) * bCs;
            if (bCs == 1) {
                // Row-major B: each row's NR values are contiguous already; masks zero-fill a short sliver.
                VectorMask<Float> lo = S.indexInRange(0, cols), hi = S.indexInRange(LANES, cols);
                for (int p = 0, d = base; p < kc; p++, d += NR) {
                    long at = (first + p * bRs) * Float.BYTES;
                    FloatVector.fromMemorySegment(S, b, at, NATIVE, lo).intoArray(dst, d);
                    FloatVector.fromMemorySegment(S, b, at + (long) LANES * Float.BYTES, NATIVE, hi).intoArray(dst, d + LANES);
                }
            } else if (bRs == 1) {
                packColumnsTransposed(dst, base, b, first, bCs, cols, kc, lines);
            } else {
                for (int p = 0, d = base; p < kc; p++, d += NR) {
                    long src = first + p * bRs;
                    for (int j = 0; j < NR; j++) dst[d + j] = j < cols ? b.getAtIndex(JAVA_FLOAT, src + j * bCs) : 0f;
                }
            }
        }
    }

    /**
     * dst[base + p * NR + j] = B[first + j * cs + p] for j < cols (zeros up to NR), p < kc: columns
     * contiguous in memory (a transposed view, as in x W^T) become the row-interleaved sliver.
     */
    private static void packColumnsTransposed(float[] dst, int base, MemorySegment b, long first, long cs, int cols, int kc,
                                              float[] lines) {
        int p = 0;
        for (; p <= kc - LANES; p += LANES) {
            for (int j = 0; j < cols; j++) {
                FloatVector.fromMemorySegment(S, b, (first + j * cs + p) * Float.BYTES, NATIVE).intoArray(lines, j * LANES);
            }
            for (int l = 0, d = base + p * NR; l < LANES; l++, d += NR) {
                for (int j = 0; j < NR; j++) dst[d + j] = j < cols ? lines[j * LANES + l] : 0f;
            }
        }
        for (int d = base + p * NR; p < kc; p++, d += NR) {
            for (int j = 0; j < NR; j++) dst[d + j] = j < cols ? b.getAtIndex(JAVA_FLOAT, first + j * cs + p) : 0f;
        }
    }
}
