package org.ddrl.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.ddrl.tensor.reference.RefTensor;
import org.ddrl.tensor.reference.Reference;
import org.ddrl.tensor.testing.OpCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Scaled dot-product attention against the naive softmax(q k^T * scale + mask) v reference. */
class AttentionOpsTest {
    private final Random rnd = new Random(23);

    private static Attrs attrs(boolean causal, double scale) {
        return Attrs.of("causal", causal, "scale", scale);
    }

    private static final Attrs PLAIN = attrs(false, Double.NaN);
    private static final Attrs CAUSAL = attrs(true, Double.NaN);

    /**
     * Scores are E-term dot products and outputs Tk-term weighted averages of values in [-2, 2); the
     * rounding error of such sums grows about like the square root of the number of terms. Scaling the
     * single-rounding tolerance by sqrt(max(E, Tk)) (at most about 8 here) covers that, while a wrong
     * index or a mask applied to the wrong key still moves outputs by far more. BF16 and F16 results
     * are computed in F32 and rounded once, so they differ from the rounded reference by at most one
     * unit in the last place, inside the plain tolerance: no scaling there.
     */
    private static double tol(Tensor q, Tensor k) {
        if (q.dtype() == DType.BF16 || q.dtype() == DType.F16) return 1;
        return Math.max(1, Math.sqrt(Math.max(q.size(-1), k.size(-2))));
    }

    private static Tensor check(Attrs a, Tensor q, Tensor k, Tensor v, Tensor mask) {
        return OpCheck.check(tol(q, k), Op.SDPA, a, q, k, v, mask);
    }

    private static void checkLayouts(Attrs a, Tensor q, Tensor k, Tensor v, Tensor mask) {
        OpCheck.checkLayouts(tol(q, k), Op.SDPA, a, q, k, v, mask);
    }

    /** Odd sizes from {1, 3, 17, 33, 65}, Tq != Tk, Ev != E. */
    @ParameterizedTest
    @EnumSource(names = {"F32", "F64", "BF16", "F16"})
    void shapesMatchReference(DType dt) {
        int[][] cases = {{1, 1, 1, 1}, {3, 17, 33, 5}, {17, 3, 1, 17}, {33, 65, 17, 3}, {65, 33, 3, 33}, {1, 65, 65, 1},
                {65, 1, 3, 65}, {17, 17, 65, 17}};
        for (int[] c : cases) {
            int tq = c[0], tk = c[1], e = c[2], ev = c[3];
            Tensor q = OpCheck.random(rnd, dt, 2, 3, tq, e);
            Tensor k = OpCheck.random(rnd, dt, 2, 3, tk, e);
            Tensor v = OpCheck.random(rnd, dt, 2, 3, tk, ev);
            if (tq == 33 || tq == 1) {
                checkLayouts(PLAIN, q, k, v, null);
            } else {
                check(PLAIN, q, k, v, null);
            }
            check(CAUSAL, q, k, v, null);
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "F64", "BF16"})
    void batchBroadcasting(DType dt) {
        Tensor q = OpCheck.random(rnd, dt, 2, 3, 17, 33);
        Tensor k = OpCheck.random(rnd, dt, 1, 3, 17, 33);
        Tensor v = OpCheck.random(rnd, dt, 1, 3, 17, 5);
        checkLayouts(PLAIN, q, k, v, null);
        check(CAUSAL, q, k, v, null);
        // key and value shared by every batch entry and head, with fewer dims than the query
        check(PLAIN, q, OpCheck.random(rnd, dt, 3, 33), OpCheck.random(rnd, dt, 3, 17), null);
        // the query broadcast instead: q [3, Tq, E] against k, v [2, 1, Tk, E]
        check(PLAIN, OpCheck.random(rnd, dt, 3, 5, 33), OpCheck.random(rnd, dt, 2, 1, 17, 33),
                OpCheck.random(rnd, dt, 2, 1, 17, 3), null);
        // plain matrices, no batch dims
        check(CAUSAL, OpCheck.random(rnd, dt, 33, 17), OpCheck.random(rnd, dt, 65, 17), OpCheck.random(rnd, dt, 65, 3), null);
    }

    /** Causal is top-left aligned: with Tq > Tk the later rows see every key; with Tq < Tk they see a prefix. */
    @ParameterizedTest
    @EnumSource(names = {"F32", "F64", "BF16"})
    void causal(DType dt) {
        for (int[] c : new int[][] {{17, 17}, {3, 33}, {33, 3}, {65, 17}}) {
            Tensor q = OpCheck.random(rnd, dt, 2, 2, c[0], 17);
            Tensor k = OpCheck.random(rnd, dt, 2, 2, c[1], 17);
            Tensor v = OpCheck.random(rnd, dt, 2, 2, c[1], 3);
            checkLayouts(CAUSAL, q, k, v, null);
        }
        // row 0 sees only key 0: its output is exactly v[0]
        Tensor q = OpCheck.random(rnd, DType.F64, 5, 3), k = OpCheck.random(rnd, DType.F64, 5, 3);
        Tensor v = OpCheck.random(rnd, DType.F64, 5, 4);
        Tensor y = Functional.scaledDotProductAttention(q, k, v, null, true, Double.NaN);
        assertArrayEquals(v.select(0, 0).toDoubleArray(), y.select(0, 0).toDoubleArray(), 1e-15);
    }

    /** One head with more query rows than one block, so the rows split into several blocks (and threads). */
    @ParameterizedTest
    @EnumSource(names = {"F32", "F64"})
    void longSequences(DType dt) {
        Tensor q = OpCheck.random(rnd, dt, 1, 300, 33);
        Tensor k = OpCheck.random(rnd, dt, 1, 200, 33);
        Tensor v = OpCheck.random(rnd, dt, 1, 200, 17);
        check(PLAIN, q, k, v, null);
        check(CAUSAL, q, k, v, null);
        boolean[] m = new boolean[300 * 200];
        for (int i = 0; i < m.length; i++) m[i] = i % 200 == 0 || rnd.nextBoolean();
        check(CAUSAL, q, k, v, Tensor.of(m, 300, 200));
    }

    private Tensor boolMask(int... shape) {
        return OpCheck.random(rnd, DType.BOOL, shape);
    }

    /** Additive mask values in [-3, 1) with some -inf entries (never a whole row: every row keeps key 0). */
    private Tensor additiveMask(DType dt, int... shape) {
        Tensor m = OpCheck.random(rnd, DType.F64, -3, 1, shape);
        double[] d = m.toDoubleArray();
        int tk = shape[shape.length - 1];
        for (int i = 0; i < d.length; i++) if (i % tk != 0 && rnd.nextInt(4) == 0) d[i] = Double.NEGATIVE_INFINITY;
        return Tensor.of(d, shape).to(dt);
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "F64", "BF16"})
    void boolMask(DType dt) {
        Tensor q = OpCheck.random(rnd, dt, 2, 3, 17, 33);
        Tensor k = OpCheck.random(rnd, dt, 2, 3, 33, 33);
        Tensor v = OpCheck.random(rnd, dt, 2, 3, 33, 5);
        checkLayouts(PLAIN, q, k, v, boolMask(17, 33));
        check(PLAIN, q, k, v, boolMask(2, 3, 17, 33));
        check(PLAIN, q, k, v, boolMask(2, 1, 1, 33)); // key padding mask
        check(PLAIN, q, k, v, boolMask(33));
        check(CAUSAL, q, k, v, boolMask(3, 17, 33));
        checkLayouts(CAUSAL, q, k, v, boolMask(2, 1, 17, 33));
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "F64", "BF16"})
    void additiveMask(DType dt) {
        Tensor q = OpCheck.random(rnd, dt, 2, 3, 33, 17);
        Tensor k = OpCheck.random(rnd, dt, 2, 3, 17, 17);
        Tensor v = OpCheck.random(rnd, dt, 2, 3, 17, 17);
        checkLayouts(PLAIN, q, k, v, additiveMask(dt, 33, 17));
        check(PLAIN, q, k, v, additiveMask(dt, 2, 3, 33, 17));
        check(PLAIN, q, k, v, additiveMask(dt, 2, 1, 1, 17));
        checkLayouts(CAUSAL, q, k, v, additiveMask(dt, 1, 3, 33, 17));
        // a mask of another floating dtype than the query is converted
        check(PLAIN, q, k, v, additiveMask(dt == DType.F64 ? DType.F32 : DType.F64, 33, 17));
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "F64", "BF16"})
    void customScale(DType dt) {
        Tensor q = OpCheck.random(rnd, dt, 2, 17, 33);
        Tensor k = OpCheck.random(rnd, dt, 2, 65, 33);
        Tensor v = OpCheck.random(rnd, dt, 2, 65, 3);
        check(attrs(false, 0.3), q, k, v, null);
        check(attrs(true, 2.0), q, k, v, boolMask(17, 65));
        check(attrs(false, 0.0), q, k, v, null);
    }

    /** Heads split out of a [B, T, H, E] projection by a permute, as transformers produce them: strided in every dim. */
    @ParameterizedTest
    @EnumSource(names = {"F32", "F64", "BF16"})
    void permutedHeads(DType dt) {
        Tensor q = OpCheck.random(rnd, dt, 2, 33, 3, 17).permute(0, 2, 1, 3);
        Tensor k = OpCheck.random(rnd, dt, 2, 65, 3, 17).permute(0, 2, 1, 3);
        Tensor v = OpCheck.random(rnd, dt, 2, 65, 3, 5).permute(0, 2, 1, 3);
        check(PLAIN, q, k, v, null);
        check(CAUSAL, q, k, v, null);
        check(CAUSAL, q, k, v, additiveMask(dt, 33, 65));
        // one fused qkv projection [B, T, 3, H, E], sliced three ways
        Tensor qkv = OpCheck.random(rnd, dt, 2, 33, 3, 3, 17);
        check(CAUSAL, qkv.select(2, 0).transpose(1, 2), qkv.select(2, 1).transpose(1, 2), qkv.select(2, 2).transpose(1, 2),
                boolMask(33, 33));
    }

    /**
     * Every key masked: the row is NaN, as torch.softmax of an all -inf row (and PyTorch's older SDPA;
     * newer versions return 0 there); the other rows are unaffected.
     */
    @ParameterizedTest
    @EnumSource(names = {"F32", "F64", "BF16"})
    void fullyMaskedRowIsNaN(DType dt) {
        // 37 keys: longer than a vector of any width, so the vector path and the scalar tail both see the row
        int tq = 5, tk = 37;
        boolean[] m = new boolean[tq * tk];
        for (int i = 0; i < m.length; i++) {
            int row = i / tk, col = i % tk;
            m[i] = row != 2 && (col == 0 || rnd.nextInt(3) != 0);
        }
        Tensor q = OpCheck.random(rnd, dt, 2, tq, 3), k = OpCheck.random(rnd, dt, 2, tk, 3), v = OpCheck.random(rnd, dt, 2, tk, 4);
        Tensor y = check(PLAIN, q, k, v, Tensor.of(m, tq, tk));
        double[] out = y.toDoubleArray();
        for (int i = 0; i < out.length; i++) {
            int row = (i / 4) % tq;
            assertEquals(row == 2, Double.isNaN(out[i]), "element " + i + " of row " + row + " is " + out[i]);
        }
        double[] add = new double[tq * tk];
        for (int j = 0; j < tk; j++) add[2 * tk + j] = Double.NEGATIVE_INFINITY;
        Tensor y2 = check(CAUSAL, q, k, v, Tensor.of(add, tq, tk).to(dt));
        assertTrue(Double.isNaN(y2.select(1, 2).toDoubleArray()[0]));
        assertTrue(Double.isFinite(y2.select(1, 3).toDoubleArray()[0]));
    }

    @Test
    void emptySizes() {
        Tensor q = OpCheck.random(rnd, DType.F32, 2, 5, 3);
        // no keys: an empty weighted sum, 0
        Tensor y = check(PLAIN, q, Tensor.zeros(2, 0, 3), Tensor.zeros(2, 0, 4), null);
        assertArrayEquals(new float[2 * 5 * 4], y.toFloatArray());
        assertArrayEquals(new int[] {2, 0, 4},
                check(PLAIN, Tensor.zeros(2, 0, 3), OpCheck.random(rnd, DType.F32, 2, 7, 3), Tensor.zeros(2, 7, 4), null).shape());
        assertArrayEquals(new int[] {0, 5, 4},
                check(PLAIN, Tensor.zeros(0, 5, 3), OpCheck.random(rnd, DType.F32, 1, 7, 3), Tensor.zeros(1, 7, 4), null).shape());
    }

    /** Hand-computed values pin down the reference itself: one key gives its value; equal scores average the values. */
    @Test
    void handComputed() {
        Tensor q = Tensor.of(new double[] {1, 2, -1, 0.5}, 2, 2);
        Tensor v1 = Tensor.of(new double[] {3, -4}, 1, 2);
        RefTensor one = Reference.eval(Op.SDPA, PLAIN, RefTensor.of(q), RefTensor.of(Tensor.of(new double[] {7, 7}, 1, 2)),
                RefTensor.of(v1), null);
        assertArrayEquals(new double[] {3, -4, 3, -4}, one.data(), 1e-15);
        Tensor v = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 3, 2);
        Tensor k0 = Tensor.zeros(DType.F64, 3, 2);
        RefTensor avg = Reference.eval(Op.SDPA, PLAIN, RefTensor.of(q), RefTensor.of(k0), RefTensor.of(v), null);
        assertArrayEquals(new double[] {3, 4, 3, 4}, avg.data(), 1e-15);
        assertArrayEquals(avg.data(), Functional.scaledDotProductAttention(q, k0, v).toDoubleArray(), 1e-15);
        // two keys with scores 0 and ln 3 (scale 1): weights 1/4 and 3/4
        Tensor k2 = Tensor.of(new double[] {0, Math.log(3)}, 2, 1);
        Tensor q2 = Tensor.of(new double[] {1}, 1, 1);
        Tensor v2 = Tensor.of(new double[] {4, 8}, 2, 1);
        assertEquals(7, Functional.scaledDotProductAttention(q2, k2, v2, null, false, 1).item(), 1e-12);
        assertEquals(7, Reference.eval(Op.SDPA, attrs(false, 1), RefTensor.of(q2), RefTensor.of(k2), RefTensor.of(v2), null)
                .data()[0], 1e-12);
        // a BOOL mask hiding the second key leaves the first alone
        Tensor hide = Tensor.of(new boolean[] {true, false}, 1, 2);
        assertEquals(4, Functional.scaledDotProductAttention(q2, k2, v2, hide, false, 1).item(), 1e-12);
    }

    private static void assertFails(String[] fragments, Runnable call) {
        var e = assertThrows(IllegalArgumentException.class, call::run);
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "message lacks '" + f + "': " + e.getMessage());
    }

    @Test
    void errorsNameTheShapes() {
        Tensor q = Tensor.zeros(2, 3, 5, 8), k = Tensor.zeros(2, 3, 7, 8), v = Tensor.zeros(2, 3, 7, 4);
        assertFails(new String[] {"sdpa", "embedding size", "[2, 3, 5, 8]", "[2, 3, 7, 6]"},
                () -> Functional.scaledDotProductAttention(q, Tensor.zeros(2, 3, 7, 6), v));
        assertFails(new String[] {"sdpa", "number of keys", "[2, 3, 7, 8]", "[2, 3, 6, 4]"},
                () -> Functional.scaledDotProductAttention(q, k, Tensor.zeros(2, 3, 6, 4)));
        assertFails(new String[] {"sdpa", "broadcast", "[2, 3, 5, 8]", "[4, 3, 7, 8]"},
                () -> Functional.scaledDotProductAttention(q, Tensor.zeros(4, 3, 7, 8), Tensor.zeros(4, 3, 7, 4)));
        assertFails(new String[] {"sdpa", "mask", "[5, 6]", "[2, 3, 5, 7]"},
                () -> Functional.scaledDotProductAttention(q, k, v, Tensor.zeros(DType.BOOL, 5, 6), false, Double.NaN));
        assertFails(new String[] {"sdpa", "mask", "[1, 2, 3, 5, 7]"},
                () -> Functional.scaledDotProductAttention(q, k, v, Tensor.zeros(DType.BOOL, 1, 2, 3, 5, 7), false, Double.NaN));
        assertFails(new String[] {"sdpa", "mask", "BOOL", "i64[5, 7]"},
                () -> Functional.scaledDotProductAttention(q, k, v, Tensor.zeros(DType.I64, 5, 7), false, Double.NaN));
        assertFails(new String[] {"sdpa", "floating", "i32[2, 3, 5, 8]"},
                () -> Functional.scaledDotProductAttention(q.to(DType.I32), k.to(DType.I32), v.to(DType.I32)));
        assertFails(new String[] {"sdpa", "same dtype", "f64[2, 3, 7, 8]"},
                () -> Functional.scaledDotProductAttention(q, k.to(DType.F64), v));
        assertFails(new String[] {"sdpa", "at least 2 dims", "f32[8]"},
                () -> Functional.scaledDotProductAttention(Tensor.zeros(8), k, v));
    }
}
