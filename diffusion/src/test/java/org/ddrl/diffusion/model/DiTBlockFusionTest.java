package org.ddrl.diffusion.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.ddrl.autodiff.nn.Fusion;
import org.ddrl.autodiff.nn.MultiheadAttention;
import org.ddrl.autodiff.nn.Rope3d;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.GradMode;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;
import org.junit.jupiter.api.Test;

/**
 * A video DiT block with its fused forward chains (norm + adaLN modulate, gated residuals, bias + GELU)
 * against the same block with {@link Fusion} off, which runs the composite chains: the same output and the
 * same gradients of the input, the conditioning, the text and every parameter, within float rounding.
 * All parameters are random (adaLN-Zero would otherwise zero the gated branches and hide them).
 */
class DiTBlockFusionTest {
    @Test
    void fusedBlockMatchesComposite() {
        Random rnd = new Random(5);
        DiTConfig cfg = new DiTConfig(3, 3, 1, 2, 2, 32, 1, 4, 2.0, 16, 32, 10000);
        DiTBlock block = new DiTBlock(cfg, new Generator(3));
        try (GradMode.Guard g = GradMode.noGrad()) {
            for (Tensor p : block.parameters()) p.copyFrom(rand(rnd, -0.3, 0.3, p.shape()));
        }
        Tensor x = rand(rnd, -1, 1, 2, 12, 32).requiresGrad(true), c = rand(rnd, -1, 1, 2, 32).requiresGrad(true);
        Tensor text = rand(rnd, -1, 1, 2, 5, 16).requiresGrad(true), v = rand(rnd, -1, 1, 2, 12, 32);
        Tensor padding = Tensor.of(new double[] {0, 0, 0, 1, 1, 0, 0, 0, 0, 1}, 2, 5).to(DType.BOOL);
        Rope3d rope = new Rope3d(cfg.headDim(), cfg.ropeTheta());
        MultiheadAttention.RopeInput ropeIn = new MultiheadAttention.RopeInput(rope, rope.tables(1, 3, 4));
        List<Tensor> leaves = new ArrayList<>(List.of(x, c, text));
        leaves.addAll(block.parameters());
        Map<Boolean, List<Tensor>> results = new LinkedHashMap<>();
        boolean before = Fusion.enabled();
        try {
            for (boolean fused : new boolean[] {false, true}) {
                Fusion.setEnabled(fused);
                for (Tensor l : leaves) l.zeroGrad();
                Tensor y = block.forward(x, c, text, padding, ropeIn);
                y.mul(v).sum().backward();
                List<Tensor> r = new ArrayList<>(List.of(y.detach()));
                for (Tensor l : leaves) r.add(l.grad().copy());
                results.put(fused, r);
            }
        } finally {
            Fusion.setEnabled(before);
        }
        List<Tensor> composite = results.get(false), fused = results.get(true);
        assertEquals(composite.size(), fused.size());
        for (int i = 0; i < composite.size(); i++) {
            double[] e = composite.get(i).toDoubleArray(), a = fused.get(i).toDoubleArray();
            assertArrayEquals(composite.get(i).shape(), fused.get(i).shape());
            double scale = 0;
            for (double d : e) scale = Math.max(scale, Math.abs(d));
            // a few float roundings apart, relative to the tensor's largest entry (sums over tokens and heads)
            for (int j = 0; j < e.length; j++) {
                assertTrue(Math.abs(e[j] - a[j]) <= 1e-5 * (scale + Math.abs(e[j])),
                        (i == 0 ? "output" : "gradient of leaf " + (i - 1)) + " element " + j + ": fused " + a[j] + ", composite " + e[j]);
            }
        }
    }

    private static Tensor rand(Random rnd, double lo, double hi, int... shape) {
        double[] v = new double[(int) org.ddrl.tensor.Shapes.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = lo + (hi - lo) * rnd.nextDouble();
        return Tensor.of(v, shape).to(DType.F32);
    }
}
