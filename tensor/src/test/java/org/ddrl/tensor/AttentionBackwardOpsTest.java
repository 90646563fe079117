package org.ddrl.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.ddrl.kernels.cpu.Parallel;
import org.ddrl.tensor.testing.OpCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The fused attention gradient (SDPA_BACKWARD) against the F64 reference, which computes the weights,
 * dS = P * (dP - D) and the three products one query row at a time; the reference itself is pinned by
 * finite differences of the forward and by closed forms.
 */
class AttentionBackwardOpsTest {
    private final Random rnd = new Random(29);

    private static Attrs attrs(boolean causal, double scale) {
        return Attrs.of("causal", causal, "scale", scale);
    }

    private static final Attrs PLAIN = attrs(false, Double.NaN);
    private static final Attrs CAUSAL = attrs(true, Double.NaN);

    /**
     * Each gradient is a sum over up to max(Tq, Tk) products of terms that are themselves E- or Ev-term dot
     * products, and dS subtracts two such sums: the F32/F64 rounding error grows about like the square root
     * of the term counts, hence the scaling (at most about 12 here), while a wrong index, a missing mask or
     * a block summed twice moves gradients by far more. BF16 and F16 are computed in F32 and rounded once:
     * within the plain tolerance.
     */
    private static double tol(Tensor q, Tensor k, Tensor v) {
        if (q.dtype() == DType.BF16 || q.dtype() == DType.F16) return 1;
        int terms = Math.max(Math.max(q.size(-2), k.size(-2)), Math.max(q.size(-1), v.size(-1)));
        return 2 * Math.max(1, Math.sqrt(terms));
    }

    /** The inputs of one backward call: q, k, v, a random output gradient of the forward's shape, the mask. */
    private Tensor[] inputs(Attrs a, Tensor q, Tensor k, Tensor v, Tensor mask) {
        Tensor out = Functional.scaledDotProductAttention(q, k, v, mask, a.b("causal"), a.d("scale"));
        return new Tensor[] {q, k, v, OpCheck.random(rnd, q.dtype(), out.shape()), mask};
    }

    private Tensor check(Attrs a, Tensor q, Tensor k, Tensor v, Tensor mask) {
        return OpCheck.check(tol(q, k, v), Op.SDPA_BACKWARD, a, inputs(a, q, k, v, mask));
    }

    private void checkLayouts(Attrs a, Tensor q, Tensor k, Tensor v, Tensor mask) {
        OpCheck.checkLayouts(tol(q, k, v), Op.SDPA_BACKWARD, a, inputs(a, q, k, v, mask));
    }

    /** Odd sizes from {1, 3, 17, 33}, Tq != Tk, Ev != E; every layout of every input for some. */
    @ParameterizedTest
    @EnumSource(names = {"F32", "F64", "BF16", "F16"})
    void shapesMatchReference(DType dt) {
        int[][] cases = {{1, 1, 1, 1}, {3, 17, 33, 5}, {17, 3, 1, 17}, {33, 17, 17, 3}, {1, 33, 33, 1}, {33, 1, 3, 33}, {17, 17, 33, 17}};
        for (int[] c : cases) {
            int tq = c[0], tk = c[1], e = c[2], ev = c[3];
            Tensor q = OpCheck.random(rnd, dt, 2, 3, tq, e);
            Tensor k = OpCheck.random(rnd, dt, 2, 3, tk, e);
            Tensor v = OpCheck.random(rnd, dt, 2, 3, tk, ev);
            if (tq == 33 || tq == 3) {
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
        // key and value shared by every batch entry and head: one gradient per entry, summed by the caller
        check(CAUSAL, q, OpCheck.random(rnd, dt, 3, 33), OpCheck.random(rnd, dt, 3, 17), null);
        check(PLAIN, OpCheck.random(rnd, dt, 3, 5, 33), OpCheck.random(rnd, dt, 2, 1, 17, 33), OpCheck.random(rnd, dt, 2, 1, 17, 3), null);
        check(CAUSAL, OpCheck.random(rnd, dt, 33, 17), OpCheck.random(rnd, dt, 17, 17), OpCheck.random(rnd, dt, 17, 3), null);
    }

    /** Causal is top-left aligned, also with Tq > Tk and Tq < Tk. */
    @ParameterizedTest
    @EnumSource(names = {"F32", "F64", "BF16"})
    void causal(DType dt) {
        for (int[] c : new int[][] {{17, 17}, {3, 33}, {33, 3}}) {
            Tensor q = OpCheck.random(rnd, dt, 2, 2, c[0], 17);
            Tensor k = OpCheck.random(rnd, dt, 2, 2, c[1], 17);
            Tensor v = OpCheck.random(rnd, dt, 2, 2, c[1], 3);
            checkLayouts(CAUSAL, q, k, v, null);
        }
    }

    /** One head with more query rows than a block: several blocks, several groups summed in order at the end. */
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

    /** Additive mask values in [-3, 1) with some -inf entries (every row keeps key 0). */
    private Tensor additiveMask(DType dt, int... shape) {
        double[] d = OpCheck.random(rnd, DType.F64, -3, 1, shape).toDoubleArray();
        int tk = shape[shape.length - 1];
        for (int i = 0; i < d.length; i++) if (i % tk != 0 && rnd.nextInt(4) == 0) d[i] = Double.NEGATIVE_INFINITY;
        return Tensor.of(d, shape).to(dt);
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "F64", "BF16"})
    void masks(DType dt) {
        Tensor q = OpCheck.random(rnd, dt, 2, 3, 17, 33);
        Tensor k = OpCheck.random(rnd, dt, 2, 3, 33, 33);
        Tensor v = OpCheck.random(rnd, dt, 2, 3, 33, 5);
        Tensor key0 = Tensor.eye(17, 33, DType.BOOL, Device.CPU);
        checkLayouts(PLAIN, q, k, v, OpCheck.random(rnd, DType.BOOL, 17, 33).logicalOr(key0));
        check(PLAIN, q, k, v, OpCheck.random(rnd, DType.BOOL, 2, 3, 17, 33).logicalOr(key0));
        check(CAUSAL, q, k, v, OpCheck.random(rnd, DType.BOOL, 2, 1, 17, 33).logicalOr(key0));
        check(PLAIN, q, k, v, additiveMask(dt, 2, 3, 17, 33));
        checkLayouts(CAUSAL, q, k, v, additiveMask(dt, 1, 3, 17, 33));
        check(PLAIN, q, k, v, additiveMask(dt, 2, 1, 1, 33)); // a key padding mask
        check(PLAIN, q, k, v, additiveMask(dt == DType.F64 ? DType.F32 : DType.F64, 17, 33)); // another dtype, converted
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "F64", "BF16"})
    void customScale(DType dt) {
        Tensor q = OpCheck.random(rnd, dt, 2, 17, 33);
        Tensor k = OpCheck.random(rnd, dt, 2, 33, 33);
        Tensor v = OpCheck.random(rnd, dt, 2, 33, 3);
        check(attrs(false, 0.3), q, k, v, null);
        check(attrs(true, 2.0), q, k, v, null);
        check(attrs(false, 0.0), q, k, v, null);
    }

    /** Heads split out of [B, T, H, E] by a permute, and q, k, v sliced out of one fused projection. */
    @ParameterizedTest
    @EnumSource(names = {"F32", "BF16"})
    void permutedHeads(DType dt) {
        Tensor q = OpCheck.random(rnd, dt, 2, 33, 3, 17).permute(0, 2, 1, 3);
        Tensor k = OpCheck.random(rnd, dt, 2, 17, 3, 17).permute(0, 2, 1, 3);
        Tensor v = OpCheck.random(rnd, dt, 2, 17, 3, 5).permute(0, 2, 1, 3);
        check(CAUSAL, q, k, v, null);
        Tensor qkv = OpCheck.random(rnd, dt, 2, 33, 3, 3, 17);
        check(PLAIN, qkv.select(2, 0).transpose(1, 2), qkv.select(2, 1).transpose(1, 2), qkv.select(2, 2).transpose(1, 2), null);
    }

    /** A row whose keys are all masked has a NaN output but adds no gradient: dq is 0 there and nothing is NaN. */
    @ParameterizedTest
    @EnumSource(names = {"F32", "F64", "BF16"})
    void fullyMaskedRowsGiveZero(DType dt) {
        int tq = 5, tk = 37, e = 3;
        boolean[] m = new boolean[tq * tk];
        double[] add = new double[tq * tk];
        for (int i = 0; i < m.length; i++) {
            int row = i / tk, col = i % tk;
            m[i] = row != 2 && (col == 0 || rnd.nextInt(3) != 0);
            add[i] = row == 2 ? Double.NEGATIVE_INFINITY : m[i] ? 0 : -1;
        }
        Tensor q = OpCheck.random(rnd, dt, 2, tq, e), k = OpCheck.random(rnd, dt, 2, tk, e), v = OpCheck.random(rnd, dt, 2, tk, 4);
        for (Tensor mask : new Tensor[] {Tensor.of(m, tq, tk), Tensor.of(add, tq, tk).to(dt)}) {
            Tensor packed = check(PLAIN, q, k, v, mask);
            for (double x : packed.toDoubleArray()) assertTrue(Double.isFinite(x), "gradient " + x + " with mask " + mask.dtype());
            AttentionGrads d = AttentionGrads.unpack(packed, q, k, v);
            assertArrayEquals(new double[2 * e], d.dq().select(1, 2).toDoubleArray(), 0);
            assertTrue(d.dq().select(1, 3).abs().sum().item() > 0);
        }
    }

    /** A NaN input still gives NaN gradients: only masking, not a bad value, makes a row count as empty. */
    @Test
    void nanInputIsNotHidden() {
        Tensor q = OpCheck.random(rnd, DType.F32, 4, 3), k = OpCheck.random(rnd, DType.F32, 6, 3), v = OpCheck.random(rnd, DType.F32, 6, 2);
        double[] qv = q.toDoubleArray();
        qv[4] = Double.NaN; // row 1
        Tensor qn = Tensor.of(qv, 4, 3).to(DType.F32);
        AttentionGrads d = AttentionGrads.compute(qn, k, v, OpCheck.random(rnd, DType.F32, 4, 2), null, false, Double.NaN);
        assertTrue(Double.isNaN(d.dq().select(0, 1).toDoubleArray()[0]));
        assertTrue(Double.isNaN(d.dv().toDoubleArray()[0]));
    }

    /**
     * Same bits for every thread count and run: the grouping of query blocks, not the pool, fixes the order of
     * the dk and dv sums. 300 queries make 5 blocks per batch entry, summed in groups. Seven keys keep every
     * softmax row shorter than one F32 vector, so the exponentials come from the scalar tail: the Vector API's
     * lanewise EXP may round differently before and after C2 compiles it, which would change the bits between
     * runs whatever the thread count.
     */
    @Test
    void deterministicAcrossThreadCounts() {
        Tensor q = OpCheck.random(rnd, DType.F32, 2, 300, 33), k = OpCheck.random(rnd, DType.F32, 2, 7, 33);
        Tensor v = OpCheck.random(rnd, DType.F32, 2, 7, 17);
        Tensor g = OpCheck.random(rnd, DType.F32, 2, 300, 17);
        int saved = Parallel.threads();
        try {
            float[] first = null;
            for (int threads : new int[] {1, 2, 3, 7}) {
                Parallel.setThreads(threads);
                for (int run = 0; run < 2; run++) {
                    float[] got = Dispatch.call(Op.SDPA_BACKWARD, CAUSAL, q, k, v, g).toFloatArray();
                    if (first == null) first = got;
                    assertArrayEquals(first, got, "threads " + threads + " run " + run);
                }
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }

    /**
     * The reference against central differences of the forward: for L = sum(gradOut * sdpa(q, k, v, mask)),
     * dL/dx . dx = (L(x + h dx) - L(x - h dx)) / 2h for random directions in q, k and v, in F64.
     */
    @Test
    void referenceMatchesFiniteDifferences() {
        for (Attrs a : new Attrs[] {PLAIN, CAUSAL, attrs(false, 0.7)}) {
            Tensor q = OpCheck.random(rnd, DType.F64, 2, 5, 3), k = OpCheck.random(rnd, DType.F64, 2, 7, 3);
            Tensor v = OpCheck.random(rnd, DType.F64, 2, 7, 4), g = OpCheck.random(rnd, DType.F64, 2, 5, 4);
            Tensor mask = OpCheck.random(rnd, DType.BOOL, 5, 7).logicalOr(Tensor.eye(5, 7, DType.BOOL, Device.CPU));
            var ref = org.ddrl.tensor.reference.Reference.eval(Op.SDPA_BACKWARD, a, org.ddrl.tensor.reference.RefTensor.of(q),
                    org.ddrl.tensor.reference.RefTensor.of(k), org.ddrl.tensor.reference.RefTensor.of(v),
                    org.ddrl.tensor.reference.RefTensor.of(g), org.ddrl.tensor.reference.RefTensor.of(mask));
            AttentionGrads d = AttentionGrads.unpack(ref.toTensor(), q, k, v);
            Tensor[] xs = {q, k, v}, grads = {d.dq(), d.dk(), d.dv()};
            for (int which = 0; which < 3; which++) {
                Tensor dir = OpCheck.random(rnd, DType.F64, xs[which].shape());
                double h = 1e-5;
                Tensor[] plus = xs.clone(), minus = xs.clone();
                plus[which] = xs[which].add(dir.mul(h));
                minus[which] = xs[which].sub(dir.mul(h));
                double lp = Functional.scaledDotProductAttention(plus[0], plus[1], plus[2], mask, a.b("causal"), a.d("scale")).mul(g).sum().item();
                double lm = Functional.scaledDotProductAttention(minus[0], minus[1], minus[2], mask, a.b("causal"), a.d("scale")).mul(g).sum().item();
                double numeric = (lp - lm) / (2 * h);
                double analytic = grads[which].mul(dir).sum().item();
                assertEquals(numeric, analytic, 1e-7 * (1 + Math.abs(numeric)), "input " + which + " " + a);
            }
        }
    }

    /**
     * One visible key: its weight is 1, so dq and dk are exactly 0 (not rounding noise, which Adam would turn
     * into full-size steps for the key bias) and dv is the sum of the output gradients; also for rows that a
     * mask or causality leaves one key, next to rows with several.
     */
    @ParameterizedTest
    @EnumSource(names = {"F32", "F64", "BF16"})
    void singleKeyGivesExactZeros(DType dt) {
        Tensor q = OpCheck.random(rnd, dt, 4, 3), k = OpCheck.random(rnd, dt, 1, 3), v = OpCheck.random(rnd, dt, 1, 2);
        Tensor g = OpCheck.random(rnd, dt, 4, 2);
        AttentionGrads d = AttentionGrads.compute(q, k, v, g, null, false, Double.NaN);
        assertArrayEquals(new double[12], d.dq().toDoubleArray(), 0);
        assertArrayEquals(new double[3], d.dk().toDoubleArray(), 0);
        assertArrayEquals(g.to(DType.F64).sum(new int[] {0}, true).toDoubleArray(), d.dv().toDoubleArray(), dt == DType.F64 ? 1e-14 : 5e-2);
        // causal: query 0 sees key 0 only; a key padding mask leaves every query of batch entry 1 one key
        Tensor q2 = OpCheck.random(rnd, dt, 2, 5, 8), k2 = OpCheck.random(rnd, dt, 2, 7, 8), v2 = OpCheck.random(rnd, dt, 2, 7, 3);
        Tensor pad = Tensor.of(new boolean[] {true, true, true, true, false, true, true, false, false, true, false, false, false, false},
                2, 1, 7);
        AttentionGrads c = AttentionGrads.compute(q2, k2, v2, OpCheck.random(rnd, dt, 2, 5, 3), pad, true, Double.NaN);
        assertArrayEquals(new double[8], c.dq().select(0, 0).select(0, 0).toDoubleArray(), 0);
        assertArrayEquals(new double[5 * 8], c.dq().select(0, 1).toDoubleArray(), 0);
        assertArrayEquals(new double[7 * 8], c.dk().select(0, 1).toDoubleArray(), 0);
        assertTrue(c.dq().select(0, 0).select(0, 4).abs().sum().item() > 0);
    }

    @Test
    void emptySizes() {
        // no keys: dq is 0 (the output is a constant 0); dk and dv are empty
        Tensor q = OpCheck.random(rnd, DType.F32, 2, 5, 3);
        Tensor packed = check(PLAIN, q, Tensor.zeros(2, 0, 3), Tensor.zeros(2, 0, 4), null);
        assertArrayEquals(new float[2 * 5 * 3], packed.toFloatArray());
        // no queries: dk and dv are 0
        Tensor k = OpCheck.random(rnd, DType.F32, 2, 7, 3), v = OpCheck.random(rnd, DType.F32, 2, 7, 4);
        assertArrayEquals(new float[2 * 7 * 7], check(PLAIN, Tensor.zeros(2, 0, 3), k, v, null).toFloatArray());
        assertEquals(0, check(PLAIN, Tensor.zeros(0, 5, 3), Tensor.zeros(1, 7, 3), Tensor.zeros(1, 7, 4), null).numel());
    }

    @Test
    void errorsNameTheShapes() {
        Tensor q = Tensor.zeros(2, 5, 8), k = Tensor.zeros(2, 7, 8), v = Tensor.zeros(2, 7, 4), g = Tensor.zeros(2, 5, 4);
        var e = assertThrows(IllegalArgumentException.class, () -> Dispatch.call(Op.SDPA_BACKWARD, PLAIN, q, k, v, Tensor.zeros(2, 5, 3)));
        assertTrue(e.getMessage().contains("sdpa_backward") && e.getMessage().contains("gradOut") && e.getMessage().contains("[2, 5, 4]")
                && e.getMessage().contains("[2, 5, 3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Dispatch.call(Op.SDPA_BACKWARD, PLAIN, q, k, v, g.to(DType.F64)));
        assertTrue(e.getMessage().contains("gradOut") && e.getMessage().contains("f64[2, 5, 4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Dispatch.call(Op.SDPA_BACKWARD, PLAIN, q, Tensor.zeros(2, 7, 6), v, g));
        assertTrue(e.getMessage().contains("sdpa_backward") && e.getMessage().contains("embedding size"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AttentionGrads.unpack(Tensor.zeros(10), q, k, v));
        assertTrue(e.getMessage().contains("sdpa_backward") && e.getMessage().contains("[10]"), e.getMessage());
    }
}
