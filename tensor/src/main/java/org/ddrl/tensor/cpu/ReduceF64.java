package org.ddrl.tensor.cpu;

import org.ddrl.kernels.cpu.LaneSums;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import org.ddrl.kernels.cpu.VectorMath;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The F64 counterparts of {@link ReduceF32}. Double accumulators need no blocking: a chunk of
 * {@link ReduceParallel#CHUNK} elements loses far less than the F64 tolerance. Offsets are in elements.
 */
final class ReduceF64 {
    static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    static final int L = S.length();
    static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private ReduceF64() {}

    static DoubleVector load(MemorySegment s, long off) {
        return DoubleVector.fromMemorySegment(S, s, off * 8, NATIVE);
    }

    static double get(MemorySegment s, long off) {
        return s.getAtIndex(JAVA_DOUBLE, off);
    }

    static double sum(MemorySegment s, long off, int n) {
        DoubleVector a0 = DoubleVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        int i = 0;
        for (; i <= n - 4 * L; i += 4 * L) {
            a0 = a0.add(load(s, off + i));
            a1 = a1.add(load(s, off + i + L));
            a2 = a2.add(load(s, off + i + 2 * L));
            a3 = a3.add(load(s, off + i + 3 * L));
        }
        for (; i <= n - L; i += L) a0 = a0.add(load(s, off + i));
        double t = LaneSums.sum(a0.add(a1).add(a2.add(a3)));
        for (; i < n; i++) t += get(s, off + i);
        return t;
    }

    static double sumSqDev(MemorySegment s, long off, int n, double mean) {
        DoubleVector mv = DoubleVector.broadcast(S, mean);
        DoubleVector a0 = DoubleVector.zero(S), a1 = a0;
        int i = 0;
        for (; i <= n - 2 * L; i += 2 * L) {
            DoubleVector d0 = load(s, off + i).sub(mv), d1 = load(s, off + i + L).sub(mv);
            a0 = d0.fma(d0, a0);
            a1 = d1.fma(d1, a1);
        }
        for (; i <= n - L; i += L) {
            DoubleVector d = load(s, off + i).sub(mv);
            a0 = d.fma(d, a0);
        }
        double t = LaneSums.sum(a0.add(a1));
        for (; i < n; i++) {
            double d = get(s, off + i) - mean;
            t += d * d;
        }
        return t;
    }

    static double sumExp(MemorySegment s, long off, int n, double shift) {
        DoubleVector sv = DoubleVector.broadcast(S, shift);
        DoubleVector a0 = DoubleVector.zero(S);
        int i = 0;
        for (; i <= n - L; i += L) a0 = a0.add(VectorMath.exp(load(s, off + i).sub(sv)));
        double t = LaneSums.sum(a0);
        for (; i < n; i++) t += VectorMath.exp(get(s, off + i) - shift);
        return t;
    }

    static double max(MemorySegment s, long off, int n) {
        double t = Double.NEGATIVE_INFINITY;
        int i = 0;
        if (n >= L) {
            DoubleVector a0 = load(s, off);
            for (i = L; i <= n - L; i += L) a0 = a0.max(load(s, off + i));
            t = a0.reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) t = Math.max(t, get(s, off + i));
        return t;
    }

    static double min(MemorySegment s, long off, int n) {
        double t = Double.POSITIVE_INFINITY;
        int i = 0;
        if (n >= L) {
            DoubleVector a0 = load(s, off);
            for (i = L; i <= n - L; i += L) a0 = a0.min(load(s, off + i));
            t = a0.reduceLanes(VectorOperators.MIN);
        }
        for (; i < n; i++) t = Math.min(t, get(s, off + i));
        return t;
    }

    // ---------------------------------------------------------------- columns: row stride `stride`

    static void colSum(MemorySegment s, long off, long stride, int rows, int c0, int c1, double[] part, int pOff) {
        int c = c0;
        for (; c <= c1 - 2 * L; c += 2 * L) {
            DoubleVector a0 = DoubleVector.zero(S), a1 = a0;
            long p = off + c;
            for (int r = 0; r < rows; r++, p += stride) {
                a0 = a0.add(load(s, p));
                a1 = a1.add(load(s, p + L));
            }
            a0.intoArray(part, pOff + c);
            a1.intoArray(part, pOff + c + L);
        }
        for (; c <= c1 - L; c += L) {
            DoubleVector a0 = DoubleVector.zero(S);
            long p = off + c;
            for (int r = 0; r < rows; r++, p += stride) a0 = a0.add(load(s, p));
            a0.intoArray(part, pOff + c);
        }
        for (; c < c1; c++) {
            double t = 0;
            for (int r = 0; r < rows; r++) t += get(s, off + r * stride + c);
            part[pOff + c] = t;
        }
    }

    static void colSumSqDev(MemorySegment s, long off, long stride, int rows, int c0, int c1, double[] mean, int mOff,
            double[] part, int pOff) {
        int c = c0;
        for (; c <= c1 - L; c += L) {
            DoubleVector m0 = DoubleVector.fromArray(S, mean, mOff + c);
            DoubleVector a0 = DoubleVector.zero(S);
            long p = off + c;
            for (int r = 0; r < rows; r++, p += stride) {
                DoubleVector d = load(s, p).sub(m0);
                a0 = d.fma(d, a0);
            }
            a0.intoArray(part, pOff + c);
        }
        for (; c < c1; c++) {
            double t = 0, m = mean[mOff + c];
            for (int r = 0; r < rows; r++) {
                double d = get(s, off + r * stride + c) - m;
                t += d * d;
            }
            part[pOff + c] = t;
        }
    }

    static void colExtreme(boolean max, MemorySegment s, long off, long stride, int rows, int c0, int c1, double[] part, int pOff) {
        int c = c0;
        for (; c <= c1 - L; c += L) {
            long p = off + c;
            DoubleVector a0 = load(s, p);
            for (int r = 1; r < rows; r++) {
                p += stride;
                a0 = max ? a0.max(load(s, p)) : a0.min(load(s, p));
            }
            a0.intoArray(part, pOff + c);
        }
        for (; c < c1; c++) {
            double t = get(s, off + c);
            for (int r = 1; r < rows; r++) {
                double v = get(s, off + r * stride + c);
                t = max ? Math.max(t, v) : Math.min(t, v);
            }
            part[pOff + c] = t;
        }
    }
}
