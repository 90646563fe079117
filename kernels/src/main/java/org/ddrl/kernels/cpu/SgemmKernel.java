package org.ddrl.kernels.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked F32 micro-kernel: one MR x NR tile of C from an MR-row micro-panel of packed A
 * and an NR-column sliver of packed B (layouts in {@link SgemmPack}).
 *
 * <p>14 rows x 2 vectors keeps 28 accumulators, two B vectors and one broadcast A value live: 31 of the
 * 32 vector registers of AVX-512. Of the shapes measured (8x2, 12x2, 13x2, 14x2, 6x3, 8x3, 9x3, 4x4 and
 * 6x4 vectors) this one sustained the most FLOP/s with its operands in L1: taller tiles amortize the
 * two B loads over more FMAs, while wider ones need more B registers and spill.
 */
final class SgemmKernel {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int LANES = S.length();
    static final int MR = 14;
    static final int NR = 2 * LANES;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private SgemmKernel() {}

    /**
     * acc[r * NR + j] = sum over p < kc of Apanel[r, p] * Bsliver[p, j]: the raw MR x NR product, which
     * {@link #update} then folds into C. Keeping C out of this method keeps it small enough for C2 to
     * inline every vector operation; a vector passed to a call that is not inlined gets boxed, and a
     * boxed accumulator in this loop costs an order of magnitude.
     */
    static void tile(int kc, float[] a, int ai, float[] b, int bi, float[] acc) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
        FloatVector c80 = z, c81 = z, c90 = z, c91 = z, ca0 = z, ca1 = z, cb0 = z, cb1 = z;
        FloatVector cc0 = z, cc1 = z, cd0 = z, cd1 = z;
        for (int p = 0; p < kc; p++, ai += MR, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + LANES);
            FloatVector av = FloatVector.broadcast(S, a[ai]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(S, a[ai + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(S, a[ai + 2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(S, a[ai + 3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(S, a[ai + 4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(S, a[ai + 5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
            av = FloatVector.broadcast(S, a[ai + 6]);
            c60 = av.fma(b0, c60);
            c61 = av.fma(b1, c61);
            av = FloatVector.broadcast(S, a[ai + 7]);
            c70 = av.fma(b0, c70);
            c71 = av.fma(b1, c71);
            av = FloatVector.broadcast(S, a[ai + 8]);
            c80 = av.fma(b0, c80);
            c81 = av.fma(b1, c81);
            av = FloatVector.broadcast(S, a[ai + 9]);
            c90 = av.fma(b0, c90);
            c91 = av.fma(b1, c91);
            av = FloatVector.broadcast(S, a[ai + 10]);
            ca0 = av.fma(b0, ca0);
            ca1 = av.fma(b1, ca1);
            av = FloatVector.broadcast(S, a[ai + 11]);
            cb0 = av.fma(b0, cb0);
            cb1 = av.fma(b1, cb1);
            av = FloatVector.broadcast(S, a[ai + 12]);
            cc0 = av.fma(b0, cc0);
            cc1 = av.fma(b1, cc1);
            av = FloatVector.broadcast(S, a[ai + 13]);
            cd0 = av.fma(b0, cd0);
            cd1 = av.fma(b1, cd1);
        }
        c00.intoArray(acc, 0);
        c01.intoArray(acc, LANES);
        c10.intoArray(acc, NR);
        c11.intoArray(acc, NR + LANES);
        c20.intoArray(acc, 2 * NR);
        c21.intoArray(acc, 2 * NR + LANES);
        c30.intoArray(acc, 3 * NR);
        c31.intoArray(acc, 3 * NR + LANES);
        c40.intoArray(acc, 4 * NR);
        c41.intoArray(acc, 4 * NR + LANES);
        c50.intoArray(acc, 5 * NR);
        c51.intoArray(acc, 5 * NR + LANES);
        c60.intoArray(acc, 6 * NR);
        c61.intoArray(acc, 6 * NR + LANES);
        c70.intoArray(acc, 7 * NR);
        c71.intoArray(acc, 7 * NR + LANES);
        c80.intoArray(acc, 8 * NR);
        c81.intoArray(acc, 8 * NR + LANES);
        c90.intoArray(acc, 9 * NR);
        c91.intoArray(acc, 9 * NR + LANES);
        ca0.intoArray(acc, 10 * NR);
        ca1.intoArray(acc, 10 * NR + LANES);
        cb0.intoArray(acc, 11 * NR);
        cb1.intoArray(acc, 11 * NR + LANES);
        cc0.intoArray(acc, 12 * NR);
        cc1.intoArray(acc, 12 * NR + LANES);
        cd0.intoArray(acc, 13 * NR);
        cd1.intoArray(acc, 13 * NR + LANES);
    }

    /**
     * As {@link #tile}, for an A micro-panel packed as MR rows of kc contiguous values ({@link SgemmPack#packARows}):
     * row r's value p at {@code ai + r * kc + p}. Row-major A packs into this layout by plain row copies, where the
     * interleaved layout needs a transpose that cost more than the products themselves at the step's small n.
     * Each sum runs over p in the same order as in {@link #tile}, so both give the same bits.
     */
    static void tileRows(int kc, float[] a, int ai, float[] b, int bi, float[] acc) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
        FloatVector c80 = z, c81 = z, c90 = z, c91 = z, ca0 = z, ca1 = z, cb0 = z, cb1 = z;
        FloatVector cc0 = z, cc1 = z, cd0 = z, cd1 = z;
        int a0 = ai, a1 = a0 + kc, a2 = a1 + kc, a3 = a2 + kc, a4 = a3 + kc, a5 = a4 + kc, a6 = a5 + kc;
        int a7 = a6 + kc, a8 = a7 + kc, a9 = a8 + kc, aa = a9 + kc, ab = aa + kc, ac = ab + kc, ad = ac + kc;
        for (int p = 0; p < kc; p++, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + LANES);
            FloatVector av = FloatVector.broadcast(S, a[a0 + p]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(S, a[a1 + p]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(S, a[a2 + p]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(S, a[a3 + p]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(S, a[a4 + p]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(S, a[a5 + p]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
            av = FloatVector.broadcast(S, a[a6 + p]);
            c60 = av.fma(b0, c60);
            c61 = av.fma(b1, c61);
            av = FloatVector.broadcast(S, a[a7 + p]);
            c70 = av.fma(b0, c70);
            c71 = av.fma(b1, c71);
            av = FloatVector.broadcast(S, a[a8 + p]);
            c80 = av.fma(b0, c80);
            c81 = av.fma(b1, c81);
            av = FloatVector.broadcast(S, a[a9 + p]);
            c90 = av.fma(b0, c90);
            c91 = av.fma(b1, c91);
            av = FloatVector.broadcast(S, a[aa + p]);
            ca0 = av.fma(b0, ca0);
            ca1 = av.fma(b1, ca1);
            av = FloatVector.broadcast(S, a[ab + p]);
            cb0 = av.fma(b0, cb0);
            cb1 = av.fma(b1, cb1);
            av = FloatVector.broadcast(S, a[ac + p]);
            cc0 = av.fma(b0, cc0);
            cc1 = av.fma(b1, cc1);
            av = FloatVector.broadcast(S, a[ad + p]);
            cd0 = av.fma(b0, cd0);
            cd1 = av.fma(b1, cd1);
        }
        c00.intoArray(acc, 0);
        c01.intoArray(acc, LANES);
        c10.intoArray(acc, NR);
        c11.intoArray(acc, NR + LANES);
        c20.intoArray(acc, 2 * NR);
        c21.intoArray(acc, 2 * NR + LANES);
        c30.intoArray(acc, 3 * NR);
        c31.intoArray(acc, 3 * NR + LANES);
        c40.intoArray(acc, 4 * NR);
        c41.intoArray(acc, 4 * NR + LANES);
        c50.intoArray(acc, 5 * NR);
        c51.intoArray(acc, 5 * NR + LANES);
        c60.intoArray(acc, 6 * NR);
        c61.intoArray(acc, 6 * NR + LANES);
        c70.intoArray(acc, 7 * NR);
        c71.intoArray(acc, 7 * NR + LANES);
        c80.intoArray(acc, 8 * NR);
        c81.intoArray(acc, 8 * NR + LANES);
        c90.intoArray(acc, 9 * NR);
        c91.intoArray(acc, 9 * NR + LANES);
        ca0.intoArray(acc, 10 * NR);
        ca1.intoArray(acc, 10 * NR + LANES);
        cb0.intoArray(acc, 11 * NR);
        cb1.intoArray(acc, 11 * NR + LANES);
        cc0.intoArray(acc, 12 * NR);
        cc1.intoArray(acc, 12 * NR + LANES);
        cd0.intoArray(acc, 13 * NR);
        cd1.intoArray(acc, 13 * NR + LANES);
    }

    /**
     * C[i, j] = alpha * acc[i * NR + j] + beta * C[i, j] for the mr x nr part of the tile inside C (cAt and
     * ldc in elements). C is read only when beta != 0, so garbage (NaN) there is overwritten when beta is 0.
     */
    static void update(float[] acc, int mr, int nr, float alpha, float beta, MemorySegment c, long cAt, long ldc) {
        FloatVector va = FloatVector.broadcast(S, alpha);
        FloatVector vb = FloatVector.broadcast(S, beta);
        for (int r = 0; r < mr; r++) {
            long row = cAt + r * ldc;
            int j = 0;
            for (; j <= nr - LANES; j += LANES) {
                FloatVector v = FloatVector.fromArray(S, acc, r * NR + j).mul(va);
                long at = (row + j) * Float.BYTES;
                if (beta != 0) v = FloatVector.fromMemorySegment(S, c, at, NATIVE).fma(vb, v);
                v.intoMemorySegment(c, at, NATIVE);
            }
            for (; j < nr; j++) {
                float v = alpha * acc[r * NR + j];
                if (beta != 0) v = Math.fma(c.getAtIndex(JAVA_FLOAT, row + j), beta, v);
                c.setAtIndex(JAVA_FLOAT, row + j, v);
            }
        }
    }
}
