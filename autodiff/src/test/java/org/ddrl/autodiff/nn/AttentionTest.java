package org.ddrl.autodiff.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.ddrl.autodiff.Autograd;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.GradMode;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;
import org.junit.jupiter.api.Test;

/** MultiheadAttention against a loop over heads, its masks, the RoPE relative-position property and gradients. */
class AttentionTest {
    private static Tensor randn(long seed, int... shape) {
        return Tensor.randn(new Generator(seed), DType.F64, Device.CPU, shape);
    }

    private static MultiheadAttention mha(int e, int h, int kdim, int vdim, long seed) {
        return (MultiheadAttention) new MultiheadAttention(e, h, kdim, vdim, true, new Generator(seed)).to(DType.F64);
    }

    private static Tensor project(MultiheadAttention m, String name, Tensor x) {
        return x.matmul(m.getParameter(name + ".weight").t()).add(m.getParameter(name + ".bias"));
    }

    /** softmax(q_h k_h^T / sqrt(d) + mask) v_h per head with plain loops; allowed[n][i][j] false masks a key. */
    private static Tensor reference(MultiheadAttention m, Tensor query, Tensor key, Tensor value, boolean[][][] allowed) {
        int n = query.size(0), tq = query.size(1), tk = key.size(1), e = m.embedDim(), h = m.numHeads(), d = e / h;
        double[] q = project(m, "q_proj", query).toDoubleArray();
        double[] k = project(m, "k_proj", key).toDoubleArray();
        double[] v = project(m, "v_proj", value).toDoubleArray();
        double[] o = new double[n * tq * e];
        for (int b = 0; b < n; b++) {
            for (int head = 0; head < h; head++) {
                for (int i = 0; i < tq; i++) {
                    double[] s = new double[tk];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < tk; j++) {
                        double dot = 0;
                        for (int c = 0; c < d; c++) dot += q[(b * tq + i) * e + head * d + c] * k[(b * tk + j) * e + head * d + c];
                        s[j] = allowed == null || allowed[b][i][j] ? dot / Math.sqrt(d) : Double.NEGATIVE_INFINITY;
                        max = Math.max(max, s[j]);
                    }
                    double z = 0;
                    for (int j = 0; j < tk; j++) z += s[j] = Math.exp(s[j] - max);
                    for (int c = 0; c < d; c++) {
                        double acc = 0;
                        for (int j = 0; j < tk; j++) acc += s[j] / z * v[(b * tk + j) * e + head * d + c];
                        o[(b * tq + i) * e + head * d + c] = acc;
                    }
                }
            }
        }
        return project(m, "out_proj", Tensor.of(o, n, tq, e));
    }

    @Test
    void selfAndCrossAttentionMatchALoopOverHeads() {
        MultiheadAttention self = mha(8, 2, 8, 8, 1);
        Tensor x = randn(2, 2, 5, 8);
        Tensor y = self.forward(x);
        assertArrayEquals(new int[] {2, 5, 8}, y.shape());
        assertArrayEquals(reference(self, x, x, x, null).toDoubleArray(), y.toDoubleArray(), 1e-12);

        MultiheadAttention cross = mha(8, 4, 6, 6, 3);
        Tensor ctx = randn(4, 2, 7, 6);
        assertArrayEquals(reference(cross, x, ctx, ctx, null).toDoubleArray(), cross.forward(x, ctx).toDoubleArray(), 1e-12);

        var e = assertThrows(IllegalArgumentException.class, () -> cross.forward(x, randn(5, 2, 7, 8)));
        assertTrue(e.getMessage().contains("MultiheadAttention(embed_dim=8, num_heads=4)") && e.getMessage().contains("[2, 7, 8]"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new MultiheadAttention(8, 3, new Generator(1)));
    }

    /** Each mask form leaves masked keys without weight: the output matches the reference and ignores their values. */
    @Test
    void maskedKeysGetZeroWeight() {
        int n = 2, tq = 3, tk = 5;
        MultiheadAttention m = mha(8, 2, 8, 8, 5);
        Tensor query = randn(6, n, tq, 8), key = randn(7, n, tk, 8), value = randn(8, n, tk, 8);
        boolean[][][] allowed = new boolean[n][tq][tk];
        boolean[] attend = new boolean[tq * tk];
        double[] additive = new double[tq * tk];
        boolean[] padding = {false, false, false, true, false, true, false, false, false, false};
        for (int b = 0; b < n; b++) {
            for (int i = 0; i < tq; i++) {
                for (int j = 0; j < tk; j++) {
                    boolean a = (i + j) % 3 != 1;
                    attend[i * tk + j] = a;
                    additive[i * tk + j] = a ? 0 : Double.NEGATIVE_INFINITY;
                    allowed[b][i][j] = a && !padding[b * tk + j];
                }
            }
        }
        Tensor boolMask = Tensor.of(attend, tq, tk);
        Tensor floatMask = Tensor.of(additive, tq, tk);
        Tensor pad = Tensor.of(padding, n, tk);
        Tensor padAdditive = Tensor.zeros(DType.F64, n, tk).maskedFill(pad, Double.NEGATIVE_INFINITY);
        double[] expect = reference(m, query, key, value, allowed).toDoubleArray();
        Tensor[][] combos = {{boolMask, pad}, {floatMask, pad}, {boolMask, padAdditive}, {floatMask.unsqueeze(0).unsqueeze(0), pad},
                {boolMask.unsqueeze(0).expand(n, tq, tk), pad}};
        for (Tensor[] c : combos) {
            assertArrayEquals(expect, m.forward(query, key, value, c[0], c[1], false, null).toDoubleArray(), 1e-12);
        }
        // changing what a masked key holds changes nothing; changing an allowed one does
        Tensor changed = value.copy();
        changed.select(0, 0).select(0, 3).fill(100);
        assertArrayEquals(expect, m.forward(query, key, changed, boolMask, pad, false, null).toDoubleArray(), 1e-12);
        changed.select(0, 0).select(0, 2).fill(100);
        assertTrue(Math.abs(m.forward(query, key, changed, boolMask, pad, false, null).sub(Tensor.of(expect, n, tq, 8)).abs().max().item()) > 1e-3);

        var e = assertThrows(IllegalArgumentException.class, () -> m.forward(query, key, value, Tensor.ones(DType.BOOL, tk, tq), null, false, null));
        assertTrue(e.getMessage().contains("attention mask [5, 3]"), e.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> m.forward(query, key, value, null, Tensor.ones(DType.BOOL, n, tq), false, null));
        assertTrue(e2.getMessage().contains("key padding mask [2, 3] must be [2, 5]"), e2.getMessage());
    }

    @Test
    void causalAttentionIgnoresLaterTokens() {
        MultiheadAttention m = mha(8, 2, 8, 8, 9);
        Tensor x = randn(10, 1, 6, 8);
        boolean[][][] lower = new boolean[1][6][6];
        for (int i = 0; i < 6; i++) for (int j = 0; j <= i; j++) lower[0][i][j] = true;
        Tensor y = m.forward(x, x, x, null, null, true, null);
        assertArrayEquals(reference(m, x, x, x, lower).toDoubleArray(), y.toDoubleArray(), 1e-12);
        Tensor x2 = x.copy();
        x2.select(1, 4).fill(3);
        Tensor y2 = m.forward(x2, x2, x2, null, null, true, null);
        assertArrayEquals(y.slice(1, 0, 4).toDoubleArray(), y2.slice(1, 0, 4).toDoubleArray(), 1e-12, "tokens 0..3 do not see token 4");
    }

    private static double dot(Tensor a, Tensor b) {
        return a.mul(b).sum().item();
    }

    /** q at position p and k at position r, rotated, as [1, head_dim] rows. */
    private static double rotatedDot(Rope3d rope, Tensor q, Tensor k, double[] p, double[] r) {
        Rope3d.Tables tables = rope.tables(new double[] {p[0], r[0]}, new double[] {p[1], r[1]}, new double[] {p[2], r[2]},
                DType.F64, Device.CPU);
        Tensor both = rope.apply(Tensor.cat(0, q, k), tables);
        return dot(both.select(0, 0), both.select(0, 1));
    }

    @Test
    void ropeMakesScoresDependOnRelativePositionOnly() {
        Rope3d rope = new Rope3d(16, 100);
        assertArrayEquals(new int[] {8, 4, 4}, rope.axisDims());
        Tensor q = randn(11, 1, 16), k = randn(12, 1, 16);
        Random rnd = new Random(13);
        for (int trial = 0; trial < 10; trial++) {
            double[] p = {rnd.nextInt(8), rnd.nextInt(8), rnd.nextInt(8)}, r = {rnd.nextInt(8), rnd.nextInt(8), rnd.nextInt(8)};
            double[] shift = {rnd.nextInt(20) - 10, rnd.nextInt(20) - 10, rnd.nextInt(20) - 10};
            double base = rotatedDot(rope, q, k, p, r);
            double shifted = rotatedDot(rope, q, k, new double[] {p[0] + shift[0], p[1] + shift[1], p[2] + shift[2]},
                    new double[] {r[0] + shift[0], r[1] + shift[1], r[2] + shift[2]});
            assertEquals(base, shifted, 1e-10, "shifting both positions by the same offset keeps q.k");
            for (int axis = 0; axis < 3; axis++) {
                double[] r2 = r.clone();
                r2[axis] += 1;
                assertTrue(Math.abs(rotatedDot(rope, q, k, p, r2) - base) > 1e-6, "moving only k along axis " + axis + " changes q.k");
            }
        }
        // the rotation keeps norms and is the identity at the origin
        Rope3d.Tables t = rope.tables(2, 3, 4);
        assertEquals(24, t.length());
        Tensor x = randn(14, 2, 24, 16);
        Tensor rx = rope.apply(x, new Rope3d.Tables(t.cos().to(DType.F64), t.sin().to(DType.F64)));
        assertArrayEquals(x.mul(x).sum(-1).toDoubleArray(), rx.mul(rx).sum(-1).toDoubleArray(), 1e-5);
        assertArrayEquals(x.select(1, 0).toDoubleArray(), rx.select(1, 0).toDoubleArray(), 1e-12);
    }

    @Test
    void ropeFrequencyLayout() {
        // head dim 12 split (t, h, w) = (4, 4, 4): pairs 0-1 follow t, 2-3 follow h, 4-5 follow w; pair i of a part of size d
        // turns by pos * theta^(-2i/d)
        Rope3d rope = new Rope3d(new int[] {4, 4, 4}, 10000);
        Rope3d.Tables tab = rope.tables(new double[] {0}, new double[] {2}, new double[] {0}, DType.F64, Device.CPU);
        double[] expectAngles = {0, 0, 2, 2 * Math.pow(10000, -0.5), 0, 0};
        double[] cos = tab.cos().toDoubleArray(), sin = tab.sin().toDoubleArray();
        for (int j = 0; j < 6; j++) {
            assertEquals(Math.cos(expectAngles[j]), cos[j], 1e-12);
            assertEquals(Math.sin(expectAngles[j]), sin[j], 1e-12);
        }
        // an interleaved pair (a, b) turns as a complex number a + ib
        Tensor x = Tensor.of(new double[] {0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0}, 1, 12);
        double[] r = rope.apply(x, tab).toDoubleArray();
        assertEquals(Math.cos(2), r[4], 1e-12);
        assertEquals(Math.sin(2), r[5], 1e-12);
        var e = assertThrows(IllegalArgumentException.class, () -> rope.apply(randn(1, 2, 12), tab));
        assertTrue(e.getMessage().contains("[2, 12]") && e.getMessage().contains("1 tokens"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Rope3d(new int[] {4, 3, 4}, 10000));
        assertArrayEquals(new int[] {24, 20, 20}, new Rope3d(64, 10000).axisDims());
    }

    /** A pre-norm transformer block with rotary self-attention, padding and causal masks, and a SwiGLU MLP. */
    static final class RopeBlock extends Module {
        final LayerNorm norm1 = registerModule("norm1", new LayerNorm(8));
        final MultiheadAttention attn;
        final RMSNorm norm2 = registerModule("norm2", new RMSNorm(8));
        final FeedForward mlp;
        final Rope3d rope = new Rope3d(new int[] {2, 0, 2}, 50);

        RopeBlock(Generator gen) {
            attn = registerModule("attn", new MultiheadAttention(8, 2, gen));
            mlp = registerModule("mlp", new FeedForward(8, 12, FeedForward.Activation.SWIGLU, true, gen));
        }

        Tensor forward(Tensor x, Tensor padding) {
            Rope3d.Tables t = rope.tables(new double[] {0, 0, 1, 1}, new double[4], new double[] {0, 1, 0, 1}, x.dtype(), x.device());
            Tensor h = norm1.forward(x);
            x = x.add(attn.forward(h, h, h, null, padding, true, new MultiheadAttention.RopeInput(rope, t)));
            return x.add(mlp.forward(norm2.forward(x)));
        }
    }

    @Test
    void blockGradientsMatchFiniteDifferences() {
        RopeBlock block = new RopeBlock(new Generator(21));
        block.to(DType.F64);
        Tensor x = randn(22, 2, 4, 8).requiresGrad(true);
        Tensor padding = Tensor.of(new boolean[] {false, false, false, false, false, true, false, true}, 2, 4);
        Tensor weights = randn(23, 2, 4, 8);
        Tensor[] wrt = {x, block.getParameter("attn.q_proj.weight"), block.getParameter("attn.k_proj.bias"),
                block.getParameter("attn.v_proj.weight"), block.getParameter("norm1.weight"), block.getParameter("mlp.up_proj.weight")};
        Tensor[] grads = Autograd.grad(block.forward(x, padding).mul(weights).sum(), null, wrt);
        Random rnd = new Random(24);
        for (int w = 0; w < wrt.length; w++) {
            assertNotNull(grads[w], "input " + w + " has a gradient");
            double[] analytic = grads[w].toDoubleArray();
            Tensor flat = wrt[w].view(-1);
            for (int probe = 0; probe < 6; probe++) {
                int j = rnd.nextInt((int) flat.numel());
                double v0 = flat.select(0, j).item(), h = 1e-6;
                double plus = objective(block, x, padding, weights, flat, j, v0 + h);
                double minus = objective(block, x, padding, weights, flat, j, v0 - h);
                objective(block, x, padding, weights, flat, j, v0);
                double numeric = (plus - minus) / (2 * h);
                assertEquals(numeric, analytic[j], 1e-6 + 1e-5 * Math.abs(numeric), "d loss / d input " + w + " element " + j);
            }
        }
    }

    private static double objective(RopeBlock block, Tensor x, Tensor padding, Tensor weights, Tensor flat, int j, double value) {
        try (GradMode.Guard g = GradMode.noGrad()) {
            flat.select(0, j).fill(value);
            return block.forward(x, padding).mul(weights).sum().item();
        }
    }
}
