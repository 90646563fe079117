package org.ddrl.tensor.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import org.ddrl.kernels.cpu.LaneSums;

/**
 * The vector loops of the norm gradients over one run of n elements of dense F32 memory (offsets in
 * elements): the two row sums the input gradient needs, the input gradient itself, and the per-element
 * accumulation of the weight and bias gradients. A row is short enough to stay in cache between these
 * loops, so memory sees one pass. Sums add float vectors over blocks of {@link ReduceF32#BLOCK}
 * elements and the block totals in double, as ReduceF32 does.
 */
final class NormBackwardF32 {
    private NormBackwardF32() {}

    private static final int L = ReduceF32.L;
    private static final int BLOCK = ReduceF32.BLOCK;

    private static FloatVector ld(MemorySegment s, long off) {
        return ReduceF32.load(s, off);
    }

    private static FloatVector ld(MemorySegment s, long off, VectorMask<Float> m) {
        return FloatVector.fromMemorySegment(ReduceF32.S, s, off * 4, ReduceF32.NATIVE, m);
    }

    /** out[0] = sum g, out[1] = sum g (x - mean). */
    static void sums(MemorySegment g, long go, MemorySegment x, long xo, int n, float mean, double[] out) {
        FloatVector mv = FloatVector.broadcast(ReduceF32.S, mean);
        double sg = 0, sgx = 0;
        for (int b = 0; b < n; b += BLOCK) {
            int m = Math.min(BLOCK, n - b);
            FloatVector a0 = FloatVector.zero(ReduceF32.S), a1 = a0, c0 = a0, c1 = a0;
            int i = 0;
            for (; i <= m - 2 * L; i += 2 * L) {
                long p = b + i;
                FloatVector g0 = ld(g, go + p), g1 = ld(g, go + p + L);
                a0 = a0.add(g0);
                a1 = a1.add(g1);
                c0 = ld(x, xo + p).sub(mv).fma(g0, c0);
                c1 = ld(x, xo + p + L).sub(mv).fma(g1, c1);
            }
            for (; i <= m - L; i += L) {
                long p = b + i;
                FloatVector g0 = ld(g, go + p);
                a0 = a0.add(g0);
                c0 = ld(x, xo + p).sub(mv).fma(g0, c0);
            }
            float tg = LaneSums.sum(a0.add(a1)), tx = LaneSums.sum(c0.add(c1));
            for (; i < m; i++) {
                long p = b + i;
                float gv = g.getAtIndex(JAVA_FLOAT, go + p);
                tg += gv;
                tx = Math.fma(x.getAtIndex(JAVA_FLOAT, xo + p) - mean, gv, tx);
            }
            sg += tg;
            sgx += tx;
        }
        out[0] = sg;
        out[1] = sgx;
    }

    /** out[0] = sum g w, out[1] = sum g w (x - mean). */
    static void sumsWeighted(MemorySegment g, long go, MemorySegment x, long xo, MemorySegment w, long wo, int n, float mean,
                             double[] out) {
        FloatVector mv = FloatVector.broadcast(ReduceF32.S, mean);
        double sg = 0, sgx = 0;
        for (int b = 0; b < n; b += BLOCK) {
            int m = Math.min(BLOCK, n - b);
            FloatVector a0 = FloatVector.zero(ReduceF32.S), a1 = a0, c0 = a0, c1 = a0;
            int i = 0;
            for (; i <= m - 2 * L; i += 2 * L) {
                long p = b + i;
                FloatVector h0 = ld(g, go + p).mul(ld(w, wo + p)), h1 = ld(g, go + p + L).mul(ld(w, wo + p + L));
                a0 = a0.add(h0);
                a1 = a1.add(h1);
                c0 = ld(x, xo + p).sub(mv).fma(h0, c0);
                c1 = ld(x, xo + p + L).sub(mv).fma(h1, c1);
            }
            for (; i <= m - L; i += L) {
                long p = b + i;
                FloatVector h0 = ld(g, go + p).mul(ld(w, wo + p));
                a0 = a0.add(h0);
                c0 = ld(x, xo + p).sub(mv).fma(h0, c0);
            }
            float tg = LaneSums.sum(a0.add(a1)), tx = LaneSums.sum(c0.add(c1));
            for (; i < m; i++) {
                long p = b + i;
                float hv = g.getAtIndex(JAVA_FLOAT, go + p) * w.getAtIndex(JAVA_FLOAT, wo + p);
                tg += hv;
                tx = Math.fma(x.getAtIndex(JAVA_FLOAT, xo + p) - mean, hv, tx);
            }
            sg += tg;
            sgx += tx;
        }
        out[0] = sg;
        out[1] = sgx;
    }

    /** y = a g + b (x - mean) + c. */
    static void inputGrad(MemorySegment g, long go, MemorySegment x, long xo, MemorySegment y, long yo, int n, float mean,
                          float a, float b, float c) {
        FloatVector mv = FloatVector.broadcast(ReduceF32.S, mean), av = FloatVector.broadcast(ReduceF32.S, a);
        FloatVector bv = FloatVector.broadcast(ReduceF32.S, b), cv = FloatVector.broadcast(ReduceF32.S, c);
        int i = 0;
        for (int e = ReduceF32.S.loopBound(n); i < e; i += L) {
            ld(g, go + i).fma(av, ld(x, xo + i).sub(mv).fma(bv, cv)).intoMemorySegment(y, (yo + i) * 4, ReduceF32.NATIVE);
        }
        if (i < n) {
            VectorMask<Float> m = ReduceF32.S.indexInRange(i, n);
            ld(g, go + i, m).fma(av, ld(x, xo + i, m).sub(mv).fma(bv, cv)).intoMemorySegment(y, (yo + i) * 4, ReduceF32.NATIVE, m);
        }
    }

    /** y = a g w + b (x - mean) + c. */
    static void inputGradWeighted(MemorySegment g, long go, MemorySegment x, long xo, MemorySegment w, long wo, MemorySegment y,
                                  long yo, int n, float mean, float a, float b, float c) {
        FloatVector mv = FloatVector.broadcast(ReduceF32.S, mean), av = FloatVector.broadcast(ReduceF32.S, a);
        FloatVector bv = FloatVector.broadcast(ReduceF32.S, b), cv = FloatVector.broadcast(ReduceF32.S, c);
        int i = 0;
        for (int e = ReduceF32.S.loopBound(n); i < e; i += L) {
            ld(g, go + i).mul(ld(w, wo + i)).fma(av, ld(x, xo + i).sub(mv).fma(bv, cv))
                    .intoMemorySegment(y, (yo + i) * 4, ReduceF32.NATIVE);
        }
        if (i < n) {
            VectorMask<Float> m = ReduceF32.S.indexInRange(i, n);
            ld(g, go + i, m).mul(ld(w, wo + i, m)).fma(av, ld(x, xo + i, m).sub(mv).fma(bv, cv))
                    .intoMemorySegment(y, (yo + i) * 4, ReduceF32.NATIVE, m);
        }
    }

    /** pw[po + j] += g (x - mean) rstd and pb[po + j] += g: one row's share of the weight and bias gradients. */
    static void accumulate(MemorySegment g, long go, MemorySegment x, long xo, int n, float mean, float rstd, float[] pw,
                           float[] pb, int po) {
        FloatVector mv = FloatVector.broadcast(ReduceF32.S, mean), rv = FloatVector.broadcast(ReduceF32.S, rstd);
        int i = 0;
        for (int e = ReduceF32.S.loopBound(n); i < e; i += L) {
            FloatVector gv = ld(g, go + i);
            ld(x, xo + i).sub(mv).mul(rv).fma(gv, FloatVector.fromArray(ReduceF32.S, pw, po + i)).intoArray(pw, po + i);
            gv.add(FloatVector.fromArray(ReduceF32.S, pb, po + i)).intoArray(pb, po + i);
        }
        if (i < n) {
            VectorMask<Float> m = ReduceF32.S.indexInRange(i, n);
            FloatVector gv = ld(g, go + i, m);
            ld(x, xo + i, m).sub(mv).mul(rv).fma(gv, FloatVector.fromArray(ReduceF32.S, pw, po + i, m)).intoArray(pw, po + i, m);
            gv.add(FloatVector.fromArray(ReduceF32.S, pb, po + i, m)).intoArray(pb, po + i, m);
        }
    }
}
