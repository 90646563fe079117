package org.ddrl.tensor.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * The F32 vector loops of the per-sample fused ops over one row of n elements (offsets in elements). Each
 * computes in the composite chain's order and rounding (a product, then a sum; no fused multiply-add), so
 * the fused forwards give the composite's bits where the statistics agree.
 */
final class PerSampleF32 {
    private PerSampleF32() {}

    private static final int L = ReduceF32.L;

    private static FloatVector ld(MemorySegment s, long off) {
        return ReduceF32.load(s, off);
    }

    private static void st(FloatVector v, MemorySegment s, long off) {
        v.intoMemorySegment(s, off * 4, ReduceF32.NATIVE);
    }

    private static float f(MemorySegment s, long off) {
        return s.getAtIndex(JAVA_FLOAT, off);
    }

    /**
     * y = (x - mean) rstd (1 + scale) + shift over one row, the statistics in the layer norm's two passes
     * (the mean, then the biased variance about it) while the row is in cache.
     */
    static void modulateRow(MemorySegment x, long xo, MemorySegment y, long yo, int n, double eps, MemorySegment sh, long sho,
                            MemorySegment sc, long sco) {
        float mean = (float) (ReduceF32.sum(x, xo, n) / n);
        float rstd = (float) (1 / Math.sqrt(ReduceF32.sumSqDev(x, xo, n, mean) / n + eps));
        FloatVector mv = FloatVector.broadcast(ReduceF32.S, mean), rv = FloatVector.broadcast(ReduceF32.S, rstd);
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector xh = ld(x, xo + i).sub(mv).mul(rv);
            st(xh.mul(ld(sc, sco + i).add(1f)).add(ld(sh, sho + i)), y, yo + i);
        }
        for (; i < n; i++) {
            float xh = (f(x, xo + i) - mean) * rstd;
            y.setAtIndex(JAVA_FLOAT, yo + i, xh * (f(sc, sco + i) + 1f) + f(sh, sho + i));
        }
    }

    /** out = x + gate y. */
    static void gatedRow(MemorySegment x, long xo, MemorySegment y, long yo, MemorySegment g, long go, MemorySegment o, long oo, int n) {
        int i = 0;
        for (; i <= n - L; i += L) st(ld(g, go + i).mul(ld(y, yo + i)).add(ld(x, xo + i)), o, oo + i);
        for (; i < n; i++) o.setAtIndex(JAVA_FLOAT, oo + i, f(g, go + i) * f(y, yo + i) + f(x, xo + i));
    }

    /** out = a b. */
    static void scaleRow(MemorySegment a, long ao, MemorySegment b, long bo, MemorySegment o, long oo, int n) {
        int i = 0;
        for (; i <= n - L; i += L) st(ld(a, ao + i).mul(ld(b, bo + i)), o, oo + i);
        for (; i < n; i++) o.setAtIndex(JAVA_FLOAT, oo + i, f(a, ao + i) * f(b, bo + i));
    }

    /** p[po + j] += a b: one row's share of a per-sample gradient. */
    static void accumulateProduct(MemorySegment a, long ao, MemorySegment b, long bo, int n, float[] p, int po) {
        int i = 0;
        for (; i <= n - L; i += L) {
            ld(a, ao + i).mul(ld(b, bo + i)).add(FloatVector.fromArray(ReduceF32.S, p, po + i)).intoArray(p, po + i);
        }
        for (; i < n; i++) p[po + i] += f(a, ao + i) * f(b, bo + i);
    }
}
