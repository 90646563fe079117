package org.ddrl.kernels.cpu;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;

/**
 * General matrix multiply on strided operands: C = alpha * A B + beta * C with A [m, k], B [k, n],
 * C [m, n]. Element (i, p) of A is at {@code a[aOff + i * aRs + p * aCs]} (offsets and strides in
 * elements), so transposed and sliced views need no copy; C is row-major with row stride ldc.
 * Runs on the shared pool unless already called from a pool thread (batched callers parallelize
 * over the batch and call this inline).
 *
 * <p>Semantics follow BLAS: C is not read when beta is 0 (it may hold garbage such as NaN); when alpha
 * is 0 or k is 0 the product is not formed and C becomes beta * C. Otherwise every product term is
 * computed, so a NaN or infinity in A or B reaches C even where the other factor is 0.
 *
 * <p>The work happens in {@link SgemmDriver} and {@link DgemmDriver} (packing, cache blocking and a
 * register-blocked Vector API micro-kernel); single-row and single-column products go to {@link Gemv}.
 */
public final class Gemm {
    private Gemm() {}

    public static void sgemm(int m, int n, int k, float alpha,
                             MemorySegment a, long aOff, long aRs, long aCs,
                             MemorySegment b, long bOff, long bRs, long bCs,
                             float beta, MemorySegment c, long cOff, long ldc) {
        checkSizes("sgemm", m, n, k);
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0) {
            for (int i = 0; i < m; i++) {
                long row = cOff + i * ldc;
                for (int j = 0; j < n; j++) {
                    c.setAtIndex(JAVA_FLOAT, row + j, beta == 0 ? 0f : beta * c.getAtIndex(JAVA_FLOAT, row + j));
                }
            }
        } else if (n == 1) {
            Gemv.sgemv(m, k, alpha, a, aOff, aRs, aCs, b, bOff, bRs, beta, c, cOff, ldc);
        } else if (m == 1) {
            // The row of C is B^T times A's row.
            Gemv.sgemv(n, k, alpha, b, bOff, bCs, bRs, a, aOff, aCs, beta, c, cOff, 1);
        } else {
            SgemmDriver.run(m, n, k, alpha, a, aOff, aRs, aCs, b, bOff, bRs, bCs, beta, c, cOff, ldc);
        }
    }

    public static void dgemm(int m, int n, int k, double alpha,
                             MemorySegment a, long aOff, long aRs, long aCs,
                             MemorySegment b, long bOff, long bRs, long bCs,
                             double beta, MemorySegment c, long cOff, long ldc) {
        checkSizes("dgemm", m, n, k);
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0) {
            for (int i = 0; i < m; i++) {
                long row = cOff + i * ldc;
                for (int j = 0; j < n; j++) {
                    c.setAtIndex(JAVA_DOUBLE, row + j, beta == 0 ? 0.0 : beta * c.getAtIndex(JAVA_DOUBLE, row + j));
                }
            }
        } else if (n == 1) {
            Gemv.dgemv(m, k, alpha, a, aOff, aRs, aCs, b, bOff, bRs, beta, c, cOff, ldc);
        } else if (m == 1) {
            Gemv.dgemv(n, k, alpha, b, bOff, bCs, bRs, a, aOff, aCs, beta, c, cOff, 1);
        } else {
            DgemmDriver.run(m, n, k, alpha, a, aOff, aRs, aCs, b, bOff, bRs, bCs, beta, c, cOff, ldc);
        }
    }

    private static void checkSizes(String op, int m, int n, int k) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException(op + ": sizes must be >= 0, got m=" + m + " n=" + n + " k=" + k);
        }
    }
}
