package org.ddrl.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.ddrl.autodiff.nn.AdaLNModulation;
import org.ddrl.autodiff.nn.FeedForward;
import org.ddrl.autodiff.nn.Fusion;
import org.ddrl.autodiff.nn.LayerNorm;
import org.ddrl.autodiff.nn.Module;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Functional;
import org.ddrl.tensor.FusedGrads;
import org.ddrl.tensor.GradMode;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The fused forward chains through the engine: their derivative rules give bit for bit the fused gradient
 * ops' results (gradcheck of the rules is DerivativeCatalogTest's, on the op samples), and the layers wired
 * to them (AdaLNModulation's norm-and-modulate and gated residual, FeedForward's bias and GELU) give the
 * outputs and gradients of the composite chains they replace, with {@link Fusion} off as the oracle, and
 * the same parameter names and shapes.
 */
class FusedForwardTest {
    private final Random rnd = new Random(71);

    private Tensor rand(DType dt, double lo, double hi, int... shape) {
        double[] v = new double[(int) org.ddrl.tensor.Shapes.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = lo + (hi - lo) * rnd.nextDouble();
        return Tensor.of(v, shape).to(dt);
    }

    private static Tensor leaf(Tensor t) {
        return t.copy().requiresGrad(true);
    }

    /** F32: relative 2e-5 (a few roundings apart); F64: 1e-12. */
    private static void assertClose(String what, Tensor expected, Tensor actual) {
        double tol = actual.dtype() == DType.F64 ? 1e-12 : 2e-5;
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        for (int i = 0; i < e.length; i++) {
            assertTrue(Math.abs(e[i] - a[i]) <= tol * (1 + Math.abs(e[i])), what + " element " + i + ": " + a[i] + ", composite " + e[i]);
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void rulesCallTheFusedGradients(DType dt) {
        Tensor x = leaf(rand(dt, -1, 3, 3, 37, 20)), y = leaf(rand(dt, -2, 2, 3, 37, 20));
        Tensor shift = leaf(rand(dt, -1, 1, 3, 20)), scale = leaf(rand(dt, -1, 1, 3, 1, 20)), gate = leaf(rand(dt, -1, 1, 3, 20));
        Tensor v = rand(dt, -1, 1, 3, 37, 20);
        Functional.layerNormModulate(x, shift, scale, 1e-6).mul(v).sum().backward();
        FusedGrads.Modulate m = FusedGrads.layerNormModulate(v, x, scale, 1e-6, true, true, true);
        assertArrayEquals(m.input().toDoubleArray(), x.grad().toDoubleArray());
        assertArrayEquals(m.shift().toDoubleArray(), shift.grad().toDoubleArray());
        assertArrayEquals(new int[] {3, 1, 20}, scale.grad().shape());
        assertArrayEquals(m.scale().toDoubleArray(), scale.grad().toDoubleArray());
        x.zeroGrad();
        Functional.gatedResidual(x, y, gate).mul(v).sum().backward();
        FusedGrads.GatedResidual r = FusedGrads.gatedResidual(v, y, gate, true, true);
        assertArrayEquals(v.toDoubleArray(), x.grad().toDoubleArray());
        assertArrayEquals(r.y().toDoubleArray(), y.grad().toDoubleArray());
        assertArrayEquals(r.gate().toDoubleArray(), gate.grad().toDoubleArray());
        Tensor h = leaf(rand(dt, -4, 4, 5, 37)), b = leaf(rand(dt, -1, 1, 37)), w = rand(dt, -1, 1, 5, 37);
        Functional.biasGelu(h, b, "tanh").mul(w).sum().backward();
        FusedGrads.BiasGelu d = FusedGrads.biasGelu(w, h, b, "tanh", true, true);
        assertArrayEquals(d.input().toDoubleArray(), h.grad().toDoubleArray());
        assertArrayEquals(d.bias().toDoubleArray(), b.grad().toDoubleArray());
    }

    /** Only the gradients asked for: a frozen gate or input takes no work and gets none. */
    @Test
    void onlyNeededGradients() {
        Tensor x = rand(DType.F32, -1, 1, 2, 5, 8), y = leaf(rand(DType.F32, -1, 1, 2, 5, 8)), gate = rand(DType.F32, -1, 1, 2, 8);
        Functional.gatedResidual(x, y, gate).sum().backward();
        assertArrayEquals(gate.unsqueeze(1).expand(2, 5, 8).toFloatArray(), y.grad().toFloatArray());
    }

    /** Outputs and gradients of every leaf, with the layers fused and with them composite. */
    private static Map<String, Tensor[]> both(Supplier<Tensor> forward, List<Tensor> leaves, Tensor v) {
        Map<String, Tensor[]> out = new LinkedHashMap<>();
        boolean before = Fusion.enabled();
        try {
            for (boolean fused : new boolean[] {false, true}) {
                Fusion.setEnabled(fused);
                for (Tensor l : leaves) l.zeroGrad();
                Tensor y = forward.get();
                y.mul(v).sum().backward();
                Tensor[] r = new Tensor[leaves.size() + 1];
                r[0] = y.detach();
                for (int i = 0; i < leaves.size(); i++) r[i + 1] = leaves.get(i).grad().copy();
                out.put(fused ? "fused" : "composite", r);
            }
        } finally {
            Fusion.setEnabled(before);
        }
        return out;
    }

    private static void assertSame(String what, Map<String, Tensor[]> r) {
        Tensor[] c = r.get("composite"), f = r.get("fused");
        for (int i = 0; i < c.length; i++) assertClose(what + (i == 0 ? " output" : " gradient " + i), c[i], f[i]);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void adaLNModulationMatchesComposite(DType dt) {
        AdaLNModulation ada = new AdaLNModulation(12, 24, 3);
        randomize(ada, dt);
        LayerNorm norm = new LayerNorm(new int[] {24}, 1e-6, false, false);
        Tensor x = leaf(rand(dt, -1, 3, 4, 9, 24)), y = leaf(rand(dt, -2, 2, 4, 9, 24)), c = leaf(rand(dt, -1, 1, 4, 12));
        Tensor v = rand(dt, -1, 1, 4, 9, 24);
        List<Tensor> leaves = new java.util.ArrayList<>(List.of(x, y, c));
        leaves.addAll(ada.parameters());
        assertSame("adaLN", both(() -> {
            Tensor[] m = ada.chunks(c);
            Tensor h = AdaLNModulation.modulate(norm, x, m[0], m[1]);
            return AdaLNModulation.gatedResidual(h, y, m[2]);
        }, leaves, v));
        // a [B, 1, C] modulation broadcast by the caller takes the fused path too, with the same result
        assertSame("adaLN [B, 1, C]", both(() -> {
            Tensor[] m = ada.chunks(c);
            return AdaLNModulation.modulate(norm, x, m[0].unsqueeze(1), m[1].unsqueeze(1));
        }, leaves, v));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void feedForwardMatchesComposite(DType dt) {
        for (FeedForward.Activation act : new FeedForward.Activation[] {FeedForward.Activation.GELU, FeedForward.Activation.GELU_TANH}) {
            FeedForward mlp = new FeedForward(20, 52, act, true, new Generator(5));
            mlp.to(dt);
            Tensor x = leaf(rand(dt, -2, 2, 3, 11, 20)), v = rand(dt, -1, 1, 3, 11, 20);
            List<Tensor> leaves = new java.util.ArrayList<>(List.of(x));
            leaves.addAll(mlp.parameters());
            assertSame("mlp " + act, both(() -> mlp.forward(x), leaves, v));
        }
    }

    /** With fusion on, the layers return exactly the fused ops' results (so the comparisons above compare two paths). */
    @Test
    void layersTakeTheFusedOps() {
        Tensor x = rand(DType.F32, -1, 3, 2, 7, 16), y = rand(DType.F32, -1, 1, 2, 7, 16), p = rand(DType.F32, -1, 1, 2, 16);
        LayerNorm norm = new LayerNorm(new int[] {16}, 1e-6, false, false);
        FeedForward mlp = new FeedForward(16, 24, FeedForward.Activation.GELU, true, new Generator(2));
        boolean before = Fusion.enabled();
        try {
            Fusion.setEnabled(true);
            assertArrayEquals(Functional.layerNormModulate(x, p, p, 1e-6).toFloatArray(), AdaLNModulation.modulate(norm, x, p, p).toFloatArray());
            assertArrayEquals(Functional.gatedResidual(x, y, p).toFloatArray(), AdaLNModulation.gatedResidual(x, y, p).toFloatArray());
            Tensor fc1 = mlp.getParameter("fc1.weight"), b1 = mlp.getParameter("fc1.bias");
            Tensor h = Functional.biasGelu(x.matmul(fc1.t()), b1, "none");
            Tensor expected = Functional.linear(h, mlp.getParameter("fc2.weight"), mlp.getParameter("fc2.bias"));
            assertArrayEquals(expected.toFloatArray(), mlp.forward(x).toFloatArray());
            // a norm with affine parameters is not the fused op's: the norm, then the composite modulate
            LayerNorm affine = new LayerNorm(16);
            assertArrayEquals(AdaLNModulation.modulate(affine.forward(x), p, p).toFloatArray(), AdaLNModulation.modulate(affine, x, p, p).toFloatArray());
        } finally {
            Fusion.setEnabled(before);
        }
    }

    /** The modules keep their parameter names and shapes (checkpoints load as before). */
    @Test
    void stateDictsUnchanged() {
        FeedForward mlp = new FeedForward(8, 32, FeedForward.Activation.GELU_TANH, true, new Generator(1));
        Map<String, int[]> shapes = new LinkedHashMap<>();
        mlp.stateDict().forEach((k, t) -> shapes.put(k, t.shape()));
        assertEquals(List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"), List.copyOf(shapes.keySet()));
        assertArrayEquals(new int[] {32, 8}, shapes.get("fc1.weight"));
        assertArrayEquals(new int[] {32}, shapes.get("fc1.bias"));
        AdaLNModulation ada = new AdaLNModulation(8, 16, 6);
        assertEquals(List.of("linear.weight", "linear.bias"), List.copyOf(ada.stateDict().keySet()));
        assertArrayEquals(new int[] {96, 8}, ada.stateDict().get("linear.weight").shape());
        assertTrue(new LayerNorm(new int[] {16}, 1e-6, false, false).stateDict().isEmpty());
    }

    /** adaLN-Zero starts at zero; random parameters make every path of the test matter. */
    private void randomize(Module m, DType dt) {
        m.to(dt);
        try (GradMode.Guard g = GradMode.noGrad()) {
            for (Tensor p : m.parameters()) p.copyFrom(rand(dt, -0.5, 0.5, p.shape()));
        }
    }
}
