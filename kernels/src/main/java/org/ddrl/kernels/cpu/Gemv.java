package org.ddrl.kernels.cpu;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix-vector products, the GEMM cases with m = 1 or n = 1. Packing would pad the single row or
 * column to a full micro-tile and multiply mostly zeros, so these run as dot products (rows of M
 * contiguous) or as column sweeps (any other layout) instead.
 *
 * <p>y[i * incY] = alpha * sum over p of M[i * rs + p * cs] * x[p * incX] + beta * y[i * incY], for i below
 * rows and p below len; offsets and strides in elements. y is read only when beta != 0.
 */
final class Gemv {
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    /** Fewest multiply-adds worth handing to another thread. */
    private static final long MIN_TASK_FLOPS = 1L << 16;

    private Gemv() {}

    static void sgemv(int rows, int len, float alpha, MemorySegment m, long mOff, long rs, long cs,
                      MemorySegment x, long xOff, long incX, float beta, MemorySegment y, long yOff, long incY) {
        float[] xs = new float[len];
        for (int p = 0; p < len; p++) xs[p] = x.getAtIndex(JAVA_FLOAT, xOff + p * incX);
        Parallel.forRange(rows, Math.max(1, MIN_TASK_FLOPS / Math.max(1, len)), (lo, hi) -> {
            int n = (int) (hi - lo);
            float[] acc = new float[n];
            if (cs == 1) {
                for (int i = 0; i < n; i++) acc[i] = dot(m, mOff + (lo + i) * rs, xs);
            } else {
                for (int p = 0; p < len; p++) {
                    float xp = xs[p];
                    long col = mOff + lo * rs + p * cs;
                    for (int i = 0; i < n; i++) acc[i] = Math.fma(m.getAtIndex(JAVA_FLOAT, col + i * rs), xp, acc[i]);
                }
            }
            for (int i = 0; i < n; i++) {
                long at = yOff + (lo + i) * incY;
                float v = alpha * acc[i];
                y.setAtIndex(JAVA_FLOAT, at, beta == 0 ? v : Math.fma(beta, y.getAtIndex(JAVA_FLOAT, at), v));
            }
        });
    }

    /** sum over p of row[p] * xs[p], row contiguous in memory from element index {@code at}. */
    private static float dot(MemorySegment m, long at, float[] xs) {
        int len = xs.length, lanes = FS.length(), p = 0;
        FloatVector s0 = FloatVector.zero(FS), s1 = s0;
        long bytes = at * Float.BYTES;
        for (; p <= len - 2 * lanes; p += 2 * lanes) {
            s0 = FloatVector.fromMemorySegment(FS, m, bytes + (long) p * Float.BYTES, NATIVE).fma(FloatVector.fromArray(FS, xs, p), s0);
            s1 = FloatVector.fromMemorySegment(FS, m, bytes + (long) (p + lanes) * Float.BYTES, NATIVE)
                    .fma(FloatVector.fromArray(FS, xs, p + lanes), s1);
        }
        float s = LaneSums.sum(s0.add(s1));
        for (; p < len; p++) s = Math.fma(m.getAtIndex(JAVA_FLOAT, at + p), xs[p], s);
        return s;
    }

    static void dgemv(int rows, int len, double alpha, MemorySegment m, long mOff, long rs, long cs,
                      MemorySegment x, long xOff, long incX, double beta, MemorySegment y, long yOff, long incY) {
        double[] xs = new double[len];
        for (int p = 0; p < len; p++) xs[p] = x.getAtIndex(JAVA_DOUBLE, xOff + p * incX);
        Parallel.forRange(rows, Math.max(1, MIN_TASK_FLOPS / Math.max(1, len)), (lo, hi) -> {
            int n = (int) (hi - lo);
            double[] acc = new double[n];
            if (cs == 1) {
                for (int i = 0; i < n; i++) acc[i] = dot(m, mOff + (lo + i) * rs, xs);
            } else {
                for (int p = 0; p < len; p++) {
                    double xp = xs[p];
                    long col = mOff + lo * rs + p * cs;
                    for (int i = 0; i < n; i++) acc[i] = Math.fma(m.getAtIndex(JAVA_DOUBLE, col + i * rs), xp, acc[i]);
                }
            }
            for (int i = 0; i < n; i++) {
                long at = yOff + (lo + i) * incY;
                double v = alpha * acc[i];
                y.setAtIndex(JAVA_DOUBLE, at, beta == 0 ? v : Math.fma(beta, y.getAtIndex(JAVA_DOUBLE, at), v));
            }
        });
    }

    private static double dot(MemorySegment m, long at, double[] xs) {
        int len = xs.length, lanes = DS.length(), p = 0;
        DoubleVector s0 = DoubleVector.zero(DS), s1 = s0;
        long bytes = at * Double.BYTES;
        for (; p <= len - 2 * lanes; p += 2 * lanes) {
            s0 = DoubleVector.fromMemorySegment(DS, m, bytes + (long) p * Double.BYTES, NATIVE).fma(DoubleVector.fromArray(DS, xs, p), s0);
            s1 = DoubleVector.fromMemorySegment(DS, m, bytes + (long) (p + lanes) * Double.BYTES, NATIVE)
                    .fma(DoubleVector.fromArray(DS, xs, p + lanes), s1);
        }
        double s = LaneSums.sum(s0.add(s1));
        for (; p < len; p++) s = Math.fma(m.getAtIndex(JAVA_DOUBLE, at + p), xs[p], s);
        return s;
    }
}
