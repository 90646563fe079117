package org.ddrl.tensor.cpu;

import org.ddrl.kernels.cpu.LaneSums;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import org.ddrl.kernels.cpu.VectorMath;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector reductions over dense F32 memory: runs of consecutive elements, and columns (the same
 * position in consecutive rows). Sums add float vectors over blocks of at most {@link #BLOCK}
 * elements and the block totals in double, so long runs keep F32 accuracy at vector speed. Max and
 * min propagate NaN, as PyTorch does. Offsets are in elements.
 */
final class ReduceF32 {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    /** Elements per float block: each of the 4 x L lanes adds at most BLOCK / (4 L) values. */
    static final int BLOCK = 1024;

    private ReduceF32() {}

    static FloatVector load(MemorySegment s, long off) {
        return FloatVector.fromMemorySegment(S, s, off * 4, NATIVE);
    }

    static float get(MemorySegment s, long off) {
        return s.getAtIndex(JAVA_FLOAT, off);
    }

    static double sum(MemorySegment s, long off, int n) {
        double total = 0;
        for (int b = 0; b < n; b += BLOCK) {
            int m = Math.min(BLOCK, n - b);
            long p = off + b;
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            int i = 0;
            for (; i <= m - 4 * L; i += 4 * L) {
                a0 = a0.add(load(s, p + i));
                a1 = a1.add(load(s, p + i + L));
                a2 = a2.add(load(s, p + i + 2 * L));
                a3 = a3.add(load(s, p + i + 3 * L));
            }
            for (; i <= m - L; i += L) a0 = a0.add(load(s, p + i));
            float t = LaneSums.sum(a0.add(a1).add(a2.add(a3)));
            for (; i < m; i++) t += get(s, p + i);
            total += t;
        }
        return total;
    }

    /** Sum of (x - mean)^2: the second pass of a two-pass variance (mean 0 gives the sum of squares). */
    static double sumSqDev(MemorySegment s, long off, int n, float mean) {
        FloatVector mv = FloatVector.broadcast(S, mean);
        double total = 0;
        for (int b = 0; b < n; b += BLOCK) {
            int m = Math.min(BLOCK, n - b);
            long p = off + b;
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            int i = 0;
            for (; i <= m - 4 * L; i += 4 * L) {
                FloatVector d0 = load(s, p + i).sub(mv), d1 = load(s, p + i + L).sub(mv);
                FloatVector d2 = load(s, p + i + 2 * L).sub(mv), d3 = load(s, p + i + 3 * L).sub(mv);
                a0 = d0.fma(d0, a0);
                a1 = d1.fma(d1, a1);
                a2 = d2.fma(d2, a2);
                a3 = d3.fma(d3, a3);
            }
            for (; i <= m - L; i += L) {
                FloatVector d = load(s, p + i).sub(mv);
                a0 = d.fma(d, a0);
            }
            float t = LaneSums.sum(a0.add(a1).add(a2.add(a3)));
            for (; i < m; i++) {
                float d = get(s, p + i) - mean;
                t += d * d;
            }
            total += t;
        }
        return total;
    }

    /** Sum of exp(x - shift). */
    static double sumExp(MemorySegment s, long off, int n, float shift) {
        FloatVector sv = FloatVector.broadcast(S, shift);
        double total = 0;
        for (int b = 0; b < n; b += BLOCK) {
            int m = Math.min(BLOCK, n - b);
            long p = off + b;
            FloatVector a0 = FloatVector.zero(S), a1 = a0;
            int i = 0;
            for (; i <= m - 2 * L; i += 2 * L) {
                a0 = a0.add(VectorMath.exp(load(s, p + i).sub(sv)));
                a1 = a1.add(VectorMath.exp(load(s, p + i + L).sub(sv)));
            }
            for (; i <= m - L; i += L) a0 = a0.add(VectorMath.exp(load(s, p + i).sub(sv)));
            float t = LaneSums.sum(a0.add(a1));
            for (; i < m; i++) t += VectorMath.exp(get(s, p + i) - shift);
            total += t;
        }
        return total;
    }

    static float max(MemorySegment s, long off, int n) {
        float t = Float.NEGATIVE_INFINITY;
        int i = 0;
        if (n >= 2 * L) {
            FloatVector a0 = load(s, off), a1 = load(s, off + L);
            for (i = 2 * L; i <= n - 2 * L; i += 2 * L) {
                a0 = a0.max(load(s, off + i));
                a1 = a1.max(load(s, off + i + L));
            }
            t = a0.max(a1).reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) t = Math.max(t, get(s, off + i));
        return t;
    }

    static float min(MemorySegment s, long off, int n) {
        float t = Float.POSITIVE_INFINITY;
        int i = 0;
        if (n >= 2 * L) {
            FloatVector a0 = load(s, off), a1 = load(s, off + L);
            for (i = 2 * L; i <= n - 2 * L; i += 2 * L) {
                a0 = a0.min(load(s, off + i));
                a1 = a1.min(load(s, off + i + L));
            }
            t = a0.min(a1).reduceLanes(VectorOperators.MIN);
        }
        for (; i < n; i++) t = Math.min(t, get(s, off + i));
        return t;
    }

    // ---------------------------------------------------------------- columns: row stride `stride`

    /** Column sums over at most {@link ReduceParallel#COL_ROWS} rows, four column vectors at a time. */
    static void colSum(MemorySegment s, long off, long stride, int rows, int c0, int c1, double[] part, int pOff) {
        float[] tmp = new float[4 * L];
        int c = c0;
        for (; c <= c1 - 4 * L; c += 4 * L) {
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            long p = off + c;
            for (int r = 0; r < rows; r++, p += stride) {
                a0 = a0.add(load(s, p));
                a1 = a1.add(load(s, p + L));
                a2 = a2.add(load(s, p + 2 * L));
                a3 = a3.add(load(s, p + 3 * L));
            }
            store(tmp, a0, a1, a2, a3, part, pOff + c);
        }
        for (; c <= c1 - L; c += L) {
            FloatVector a0 = FloatVector.zero(S);
            long p = off + c;
            for (int r = 0; r < rows; r++, p += stride) a0 = a0.add(load(s, p));
            a0.intoArray(tmp, 0);
            for (int i = 0; i < L; i++) part[pOff + c + i] = tmp[i];
        }
        for (; c < c1; c++) {
            float t = 0;
            for (int r = 0; r < rows; r++) t += get(s, off + r * stride + c);
            part[pOff + c] = t;
        }
    }

    /** Column sums of (x - mean[mOff + c])^2. */
    static void colSumSqDev(MemorySegment s, long off, long stride, int rows, int c0, int c1, float[] mean, int mOff,
            double[] part, int pOff) {
        float[] tmp = new float[4 * L];
        int c = c0;
        for (; c <= c1 - 4 * L; c += 4 * L) {
            FloatVector m0 = FloatVector.fromArray(S, mean, mOff + c), m1 = FloatVector.fromArray(S, mean, mOff + c + L);
            FloatVector m2 = FloatVector.fromArray(S, mean, mOff + c + 2 * L), m3 = FloatVector.fromArray(S, mean, mOff + c + 3 * L);
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            long p = off + c;
            for (int r = 0; r < rows; r++, p += stride) {
                FloatVector d0 = load(s, p).sub(m0), d1 = load(s, p + L).sub(m1);
                FloatVector d2 = load(s, p + 2 * L).sub(m2), d3 = load(s, p + 3 * L).sub(m3);
                a0 = d0.fma(d0, a0);
                a1 = d1.fma(d1, a1);
                a2 = d2.fma(d2, a2);
                a3 = d3.fma(d3, a3);
            }
            store(tmp, a0, a1, a2, a3, part, pOff + c);
        }
        for (; c <= c1 - L; c += L) {
            FloatVector m0 = FloatVector.fromArray(S, mean, mOff + c);
            FloatVector a0 = FloatVector.zero(S);
            long p = off + c;
            for (int r = 0; r < rows; r++, p += stride) {
                FloatVector d = load(s, p).sub(m0);
                a0 = d.fma(d, a0);
            }
            a0.intoArray(tmp, 0);
            for (int i = 0; i < L; i++) part[pOff + c + i] = tmp[i];
        }
        for (; c < c1; c++) {
            float t = 0, m = mean[mOff + c];
            for (int r = 0; r < rows; r++) {
                float d = get(s, off + r * stride + c) - m;
                t += d * d;
            }
            part[pOff + c] = t;
        }
    }

    /** Column maxima ({@code max}) or minima. */
    static void colExtreme(boolean max, MemorySegment s, long off, long stride, int rows, int c0, int c1, double[] part, int pOff) {
        float[] tmp = new float[4 * L];
        int c = c0;
        for (; c <= c1 - 4 * L; c += 4 * L) {
            long p = off + c;
            FloatVector a0 = load(s, p), a1 = load(s, p + L), a2 = load(s, p + 2 * L), a3 = load(s, p + 3 * L);
            for (int r = 1; r < rows; r++) {
                p += stride;
                if (max) {
                    a0 = a0.max(load(s, p));
                    a1 = a1.max(load(s, p + L));
                    a2 = a2.max(load(s, p + 2 * L));
                    a3 = a3.max(load(s, p + 3 * L));
                } else {
                    a0 = a0.min(load(s, p));
                    a1 = a1.min(load(s, p + L));
                    a2 = a2.min(load(s, p + 2 * L));
                    a3 = a3.min(load(s, p + 3 * L));
                }
            }
            store(tmp, a0, a1, a2, a3, part, pOff + c);
        }
        for (; c < c1; c++) {
            float t = get(s, off + c);
            for (int r = 1; r < rows; r++) {
                float v = get(s, off + r * stride + c);
                t = max ? Math.max(t, v) : Math.min(t, v);
            }
            part[pOff + c] = t;
        }
    }

    private static void store(float[] tmp, FloatVector a0, FloatVector a1, FloatVector a2, FloatVector a3, double[] part, int at) {
        a0.intoArray(tmp, 0);
        a1.intoArray(tmp, L);
        a2.intoArray(tmp, 2 * L);
        a3.intoArray(tmp, 3 * L);
        for (int i = 0; i < 4 * L; i++) part[at + i] = tmp[i];
    }
}
