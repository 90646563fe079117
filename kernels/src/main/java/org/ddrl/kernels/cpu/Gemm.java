package org.ddrl.kernels.cpu;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;

/**
 * General matrix multiply on strided operands: C = alpha * A B + beta * C with A [m, k], B [k, n],
 * C [m, n]. Element (i, p) of A is at {@code a[aOff + i * aRs + p * aCs]} (offsets and strides in
 * elements), so transposed and sliced views need no copy; C is row-major with row stride ldc.
 * Runs on the shared pool unless already called from a pool thread.
 *
 * <p>This is the plain blocked version; the packed, register-blocked kernel replaces its insides.
 */
public final class Gemm {
    private Gemm() {}

    public static void sgemm(int m, int n, int k, float alpha,
                             MemorySegment a, long aOff, long aRs, long aCs,
                             MemorySegment b, long bOff, long bRs, long bCs,
                             float beta, MemorySegment c, long cOff, long ldc) {
        Parallel.forRange(m, Math.max(1, 32768 / Math.max(1, (long) n + k)), (lo, hi) -> {
            float[] row = new float[n];
            for (long i = lo; i < hi; i++) {
                java.util.Arrays.fill(row, 0f);
                for (int p = 0; p < k; p++) {
                    float av = a.getAtIndex(JAVA_FLOAT, aOff + i * aRs + p * aCs);
                    if (av == 0) continue;
                    long bp = bOff + p * bRs;
                    for (int j = 0; j < n; j++) row[j] += av * b.getAtIndex(JAVA_FLOAT, bp + j * bCs);
                }
                long cr = cOff + i * ldc;
                for (int j = 0; j < n; j++) {
                    float old = beta == 0 ? 0 : beta * c.getAtIndex(JAVA_FLOAT, cr + j);
                    c.setAtIndex(JAVA_FLOAT, cr + j, alpha * row[j] + old);
                }
            }
        });
    }

    public static void dgemm(int m, int n, int k, double alpha,
                             MemorySegment a, long aOff, long aRs, long aCs,
                             MemorySegment b, long bOff, long bRs, long bCs,
                             double beta, MemorySegment c, long cOff, long ldc) {
        Parallel.forRange(m, Math.max(1, 32768 / Math.max(1, (long) n + k)), (lo, hi) -> {
            double[] row = new double[n];
            for (long i = lo; i < hi; i++) {
                java.util.Arrays.fill(row, 0);
                for (int p = 0; p < k; p++) {
                    double av = a.getAtIndex(JAVA_DOUBLE, aOff + i * aRs + p * aCs);
                    if (av == 0) continue;
                    long bp = bOff + p * bRs;
                    for (int j = 0; j < n; j++) row[j] += av * b.getAtIndex(JAVA_DOUBLE, bp + j * bCs);
                }
                long cr = cOff + i * ldc;
                for (int j = 0; j < n; j++) {
                    double old = beta == 0 ? 0 : beta * c.getAtIndex(JAVA_DOUBLE, cr + j);
                    c.setAtIndex(JAVA_DOUBLE, cr + j, alpha * row[j] + old);
                }
            }
        });
    }
}
