package org.ddrl.kernels.cpu;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;

/**
 * Copies blocks of strided A and B into the contiguous layouts the micro-kernel streams through.
 * Packing reads any strides (row-major, transposed, sliced, broadcast with stride 0), so callers never
 * copy a view first. Short edge panels are padded so the kernel always runs full tiles; the padded lanes
 * are never stored, and zeros (not stale values, which could be slow subnormals) keep them cheap.
 *
 * <p>Packed A: micro-panels of MR rows; within one, the MR values of column p sit together at
 * {@code p * MR}. Packed B: slivers of NR columns; within one, row p's NR values sit at {@code p * NR}.
 */
final class DgemmPack {
    private static final int MR = DgemmKernel.MR;
    private static final int NR = DgemmKernel.NR;
    private static final int LANES = DgemmKernel.LANES;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private DgemmPack() {}

    /** Packs A[i0 : i0 + mc, p0 : p0 + kc] into dst as ceil(mc / MR) micro-panels of MR * kc values. */
    static void packA(double[] dst, MemorySegment a, long aOff, long aRs, long aCs, int i0, int mc, int p0, int kc) {
        for (int q = 0, base = 0; q < mc; q += MR, base += MR * kc) {
            int rows = Math.min(MR, mc - q);
            long first = aOff + (long) (i0 + q) * aRs + (long) p0 * aCs;
            if (Math.abs(aCs) <= Math.abs(aRs)) {
                // Rows are the contiguous direction: read each row straight through.
                for (int r = 0; r < rows; r++) {
                    long src = first + r * aRs;
                    for (int p = 0, d = base + r; p < kc; p++, d += MR) dst[d] = a.getAtIndex(JAVA_DOUBLE, src + p * aCs);
                }
            } else {
                for (int p = 0, d = base; p < kc; p++, d += MR) {
                    long src = first + p * aCs;
                    for (int r = 0; r < rows; r++) dst[d + r] = a.getAtIndex(JAVA_DOUBLE, src + r * aRs);
                }
            }
            if (rows < MR) {
                for (int p = 0, d = base; p < kc; p++, d += MR) java.util.Arrays.fill(dst, d + rows, d + MR, 0.0);
            }
        }
    }

    /**
     * Packs slivers [s0, s1) of B[p0 : p0 + kc, j0 : j0 + nc] into dst; sliver s holds columns
     * j0 + s * NR onward at {@code s * NR * kc}. Slivers are independent, so threads may pack disjoint ranges.
     */
    static void packB(double[] dst, MemorySegment b, long bOff, long bRs, long bCs, int p0, int kc, int j0, int nc,
                      int s0, int s1) {
        for (int s = s0; s < s1; s++) {
            int base = s * NR * kc;
            int cols = Math.min(NR, nc - s * NR);
            long first = bOff + (long) p0 * bRs + (long) (j0 + s * NR) * bCs;
            if (bCs == 1 && cols == NR) {
                for (int p = 0, d = base; p < kc; p++, d += NR) {
                    long at = (first + p * bRs) * Double.BYTES;
                    DoubleVector.fromMemorySegment(DgemmKernel.S, b, at, NATIVE).intoArray(dst, d);
                    DoubleVector.fromMemorySegment(DgemmKernel.S, b, at + (long) LANES * Double.BYTES, NATIVE)
                            .intoArray(dst, d + LANES);
                }
            } else if (Math.abs(bRs) < Math.abs(bCs)) {
                // Columns are the contiguous direction (a transposed view): read each column straight through.
                for (int j = 0; j < cols; j++) {
                    long src = first + j * bCs;
                    for (int p = 0, d = base + j; p < kc; p++, d += NR) dst[d] = b.getAtIndex(JAVA_DOUBLE, src + p * bRs);
                }
            } else {
                for (int p = 0, d = base; p < kc; p++, d += NR) {
                    long src = first + p * bRs;
                    for (int j = 0; j < cols; j++) dst[d + j] = b.getAtIndex(JAVA_DOUBLE, src + j * bCs);
                }
            }
            if (cols < NR) {
                for (int p = 0, d = base; p < kc; p++, d += NR) java.util.Arrays.fill(dst, d + cols, d + NR, 0.0);
            }
        }
    }
}
