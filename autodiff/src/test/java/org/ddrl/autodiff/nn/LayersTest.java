package org.ddrl.autodiff.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Functional;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;
import org.junit.jupiter.api.Test;

/** Each layer's output against a plain computation, its initialization and its error messages. */
class LayersTest {
    private static Tensor randn(long seed, int... shape) {
        return Tensor.randn(new Generator(seed), DType.F64, Device.CPU, shape);
    }

    @Test
    void linearIsXTimesWeightTransposedPlusBias() {
        Linear lin = (Linear) new Linear(4, 3, new Generator(1)).to(DType.F64);
        Tensor x = randn(2, 2, 5, 4);
        double[] xs = x.toDoubleArray(), w = lin.weight().toDoubleArray(), b = lin.bias().toDoubleArray();
        double[] expect = new double[2 * 5 * 3];
        for (int r = 0; r < 10; r++) {
            for (int o = 0; o < 3; o++) {
                double s = b[o];
                for (int k = 0; k < 4; k++) s += xs[r * 4 + k] * w[o * 4 + k];
                expect[r * 3 + o] = s;
            }
        }
        Tensor y = lin.forward(x);
        assertArrayEquals(new int[] {2, 5, 3}, y.shape());
        assertArrayEquals(expect, y.toDoubleArray(), 1e-12);

        Linear noBias = new Linear(4, 3, false, new Generator(1));
        assertNull(noBias.bias());
        assertEquals(1, noBias.parameters().size());
        var e = assertThrows(IllegalArgumentException.class, () -> lin.forward(randn(3, 2, 5)));
        assertTrue(e.getMessage().contains("Linear(in_features=4, out_features=3, bias=true)") && e.getMessage().contains("[2, 5]"),
                e.getMessage());
    }

    @Test
    void linearInitializesAsPyTorch() {
        Linear a = new Linear(16, 32, new Generator(5)), b = new Linear(16, 32, new Generator(5));
        assertArrayEquals(a.weight().toFloatArray(), b.weight().toFloatArray(), 0, "same seed, same weights");
        assertArrayEquals(a.bias().toFloatArray(), b.bias().toFloatArray(), 0);
        double bound = 1 / Math.sqrt(16);
        // kaiming_uniform(a = sqrt(5)) on fan_in 16 gives U(-1/4, 1/4): the same bound as the bias
        for (Tensor t : new Tensor[] {a.weight(), a.bias()}) {
            assertTrue(t.abs().max().item() <= bound, "within the bound");
            assertTrue(t.abs().max().item() > 0.8 * bound, "spread over the range");
        }
        assertEquals(bound * bound / 3, a.weight().var().item(), 0.25 * bound * bound / 3, "variance of U(-b, b) is b^2 / 3");
        assertTrue(a.weight().requiresGrad() && a.weight().isLeaf());
    }

    @Test
    void conv1dMatchesADirectLoop() {
        Conv1d conv = (Conv1d) new Conv1d(4, 6, new int[] {3}, new int[] {2}, new int[] {1}, new int[] {2}, 2, true, new Generator(3))
                .to(DType.F64);
        Tensor x = randn(4, 2, 4, 9);
        Tensor y = conv.forward(x);
        int lOut = (9 + 2 - 2 * 2 - 1) / 2 + 1;
        assertArrayEquals(new int[] {2, 6, lOut}, y.shape());
        double[] xs = x.toDoubleArray(), w = conv.weight().toDoubleArray(), b = conv.bias().toDoubleArray(), ys = y.toDoubleArray();
        for (int n = 0; n < 2; n++) {
            for (int o = 0; o < 6; o++) {
                int g = o / 3;
                for (int l = 0; l < lOut; l++) {
                    double s = b[o];
                    for (int c = 0; c < 2; c++) {
                        for (int k = 0; k < 3; k++) {
                            int pos = l * 2 - 1 + k * 2;
                            if (pos >= 0 && pos < 9) s += xs[(n * 4 + g * 2 + c) * 9 + pos] * w[(o * 2 + c) * 3 + k];
                        }
                    }
                    assertEquals(s, ys[(n * 6 + o) * lOut + l], 1e-12);
                }
            }
        }
    }

    @Test
    void conv2dAndConv3dCallFunctionalWithTheirSettings() {
        Conv3d c3 = new Conv3d(4, 8, new int[] {3, 1, 3}, new int[] {1, 2, 2}, new int[] {1, 0, 1}, new int[] {1}, 2, true,
                new Generator(6));
        Tensor x3 = Tensor.randn(new Generator(7), 2, 4, 3, 5, 6);
        Tensor expect3 = Functional.conv3d(x3, c3.weight(), c3.bias(), new int[] {1, 2, 2}, new int[] {1, 0, 1}, new int[] {1}, 2);
        assertArrayEquals(expect3.toFloatArray(), c3.forward(x3).toFloatArray(), 0);
        assertArrayEquals(new int[] {8, 2, 3, 1, 3}, c3.weight().shape());

        Conv2d c2 = new Conv2d(3, 5, new int[] {3}, new int[] {1}, new int[] {2}, new int[] {2}, 1, false, new Generator(8));
        Tensor x2 = Tensor.randn(new Generator(9), 1, 3, 6, 7);
        Tensor expect2 = Functional.conv2d(x2, c2.weight(), null, new int[] {1}, new int[] {2}, new int[] {2}, 1);
        assertArrayEquals(new int[] {1, 5, 6, 7}, c2.forward(x2).shape());
        assertArrayEquals(expect2.toFloatArray(), c2.forward(x2).toFloatArray(), 0);
        // default init: bound 1/sqrt(fan_in) with fan_in = C_in / groups * prod(kernel)
        assertTrue(c3.weight().abs().max().item() <= 1 / Math.sqrt(2 * 9));

        var e = assertThrows(IllegalArgumentException.class, () -> c3.forward(Tensor.zeros(2, 5, 3, 5, 6)));
        assertTrue(e.getMessage().startsWith("Conv3d(4, 8, kernel_size=[3, 1, 3]") && e.getMessage().contains("[2, 5, 3, 5, 6]"),
                e.getMessage());
        var small = assertThrows(IllegalArgumentException.class, () -> new Conv2d(1, 1, 5, new Generator(1)).forward(Tensor.zeros(1, 1, 3, 9)));
        assertTrue(small.getMessage().contains("too small") && small.getMessage().contains("[1, 1, 3, 9]"), small.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Conv3d(3, 4, new int[] {3}, new int[] {1}, new int[] {0}, new int[] {1}, 2,
                true, new Generator(1)));
    }

    @Test
    void normsMatchTheirDefinitions() {
        Tensor x = randn(10, 2, 4, 3);
        double[] xs = x.toDoubleArray();
        // GroupNorm(2 groups, 4 channels): stats over 2 channels x 3 positions
        GroupNorm gn = (GroupNorm) new GroupNorm(2, 4, 1e-5, true).to(DType.F64);
        try (var g = org.ddrl.tensor.GradMode.noGrad()) {
            gn.getParameter("weight").copyFrom(Tensor.of(new double[] {1, 2, 3, 4}));
            gn.getParameter("bias").copyFrom(Tensor.of(new double[] {0, -1, 1, 0.5}));
        }
        double[] gy = gn.forward(x).toDoubleArray();
        double[] w = {1, 2, 3, 4}, b = {0, -1, 1, 0.5};
        for (int n = 0; n < 2; n++) {
            for (int grp = 0; grp < 2; grp++) {
                int base = n * 12 + grp * 6;
                double mu = 0, var = 0;
                for (int i = 0; i < 6; i++) mu += xs[base + i] / 6;
                for (int i = 0; i < 6; i++) var += (xs[base + i] - mu) * (xs[base + i] - mu) / 6;
                for (int i = 0; i < 6; i++) {
                    int ch = grp * 2 + i / 3;
                    assertEquals((xs[base + i] - mu) / Math.sqrt(var + 1e-5) * w[ch] + b[ch], gy[base + i], 1e-10);
                }
            }
        }
        // LayerNorm and RMSNorm over the last dim (3)
        double[] ly = new LayerNorm(3).to(DType.F64).forward(x).toDoubleArray();
        double[] ry = new RMSNorm(new int[] {3}, 1e-6, false).to(DType.F64).forward(x).toDoubleArray();
        for (int r = 0; r < 8; r++) {
            double mu = 0, var = 0, ms = 0;
            for (int i = 0; i < 3; i++) mu += xs[r * 3 + i] / 3;
            for (int i = 0; i < 3; i++) {
                var += (xs[r * 3 + i] - mu) * (xs[r * 3 + i] - mu) / 3;
                ms += xs[r * 3 + i] * xs[r * 3 + i] / 3;
            }
            for (int i = 0; i < 3; i++) {
                assertEquals((xs[r * 3 + i] - mu) / Math.sqrt(var + 1e-5), ly[r * 3 + i], 1e-10);
                assertEquals(xs[r * 3 + i] / Math.sqrt(ms + 1e-6), ry[r * 3 + i], 1e-10);
            }
        }
        assertEquals(java.util.List.of("weight", "bias"), java.util.List.copyOf(new LayerNorm(3).namedParameters().keySet()));
        assertEquals(java.util.List.of("weight"), java.util.List.copyOf(new LayerNorm(new int[] {3}, 1e-5, true, false).namedParameters().keySet()));
        var e = assertThrows(IllegalArgumentException.class, () -> gn.forward(randn(1, 2, 3, 3)));
        assertTrue(e.getMessage().contains("GroupNorm(2, 4") && e.getMessage().contains("[2, 3, 3]"), e.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> new RMSNorm(4).forward(randn(1, 2, 3)));
        assertTrue(e2.getMessage().contains("RMSNorm([4]") && e2.getMessage().contains("[2, 3]"), e2.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new GroupNorm(3, 4));
    }

    @Test
    void embeddingPicksRowsAndScattersGradientsBack() {
        Embedding emb = new Embedding(5, 3, new Generator(11));
        Tensor idx = Tensor.of(new long[] {4, 0, 4, 2}, 2, 2);
        Tensor y = emb.forward(idx);
        assertArrayEquals(new int[] {2, 2, 3}, y.shape());
        float[] w = emb.weight().toFloatArray(), ys = y.toFloatArray();
        long[] ids = {4, 0, 4, 2};
        for (int i = 0; i < 4; i++) {
            for (int d = 0; d < 3; d++) assertEquals(w[(int) ids[i] * 3 + d], ys[i * 3 + d], 0);
        }
        y.sum().backward();
        float[] g = emb.weight().grad().toFloatArray();
        float[] counts = {1, 0, 1, 0, 2};
        for (int r = 0; r < 5; r++) {
            for (int d = 0; d < 3; d++) assertEquals(counts[r], g[r * 3 + d], 0, "row " + r + " was used " + counts[r] + " times");
        }
        assertArrayEquals(emb.forward(Tensor.of(new int[] {4, 0})).toFloatArray(),
                emb.forward(Tensor.of(new long[] {4, 0})).toFloatArray(), 0, "I32 indices work too");
        var e = assertThrows(IndexOutOfBoundsException.class, () -> emb.forward(Tensor.of(new long[] {1, 5})));
        assertTrue(e.getMessage().startsWith("Embedding(5, 3)") && e.getMessage().contains("[0, 5)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> emb.forward(Tensor.of(new float[] {1})));
        assertEquals(1, emb.weight().var().item(), 0.9, "N(0, 1) init");
    }

    @Test
    void nearestUpsamplingRepeatsEachVoxel() {
        Tensor x = Tensor.arange(0, 8, 1, DType.F32, Device.CPU).reshape(1, 1, 2, 2, 2);
        Tensor y = new Upsample(new int[] {1, 2, 3}, Upsample.Mode.NEAREST, false).forward(x);
        assertArrayEquals(new int[] {1, 1, 2, 4, 6}, y.shape());
        float[] ys = y.toFloatArray();
        for (int d = 0; d < 2; d++) {
            for (int h = 0; h < 4; h++) {
                for (int w = 0; w < 6; w++) assertEquals(d * 4 + (h / 2) * 2 + w / 3, ys[(d * 4 + h) * 6 + w], 0);
            }
        }
        Tensor leaf = Tensor.randn(new Generator(1), 2, 3, 2, 2, 2).requiresGrad(true);
        new Upsample(2, Upsample.Mode.NEAREST).forward(leaf).sum().backward();
        for (float g : leaf.grad().toFloatArray()) assertEquals(8, g, 0, "each input feeds a 2x2x2 block");
    }

    @Test
    void linearUpsamplingMatchesPyTorchValues() {
        Tensor x = Tensor.of(new float[] {1, 2, 4}, 1, 1, 3);
        // torch.nn.functional.interpolate(x, scale_factor=2, mode="linear", align_corners=False / True)
        assertArrayEquals(new float[] {1, 1.25f, 1.75f, 2.5f, 3.5f, 4},
                new Upsample(2, Upsample.Mode.LINEAR).forward(x).toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {1, 1.4f, 1.8f, 2.4f, 3.2f, 4},
                new Upsample(new int[] {2}, Upsample.Mode.LINEAR, true).forward(x).toFloatArray(), 1e-6f);
    }

    @Test
    void trilinearUpsamplingIsTheEightCornerBlend() {
        int[] in = {3, 2, 4}, f = {2, 3, 2};
        Tensor x = randn(12, 2, 3, in[0], in[1], in[2]);
        Tensor y = new Upsample(f, Upsample.Mode.LINEAR, false).forward(x);
        int[] out = {in[0] * f[0], in[1] * f[1], in[2] * f[2]};
        assertArrayEquals(new int[] {2, 3, out[0], out[1], out[2]}, y.shape());
        double[] xs = x.toDoubleArray(), ys = y.toDoubleArray();
        int plane = in[0] * in[1] * in[2], outPlane = out[0] * out[1] * out[2];
        for (int nc = 0; nc < 6; nc++) {
            for (int od = 0; od < out[0]; od++) {
                for (int oh = 0; oh < out[1]; oh++) {
                    for (int ow = 0; ow < out[2]; ow++) {
                        int[] o = {od, oh, ow};
                        int[] lo = new int[3], hi = new int[3];
                        double[] t = new double[3];
                        for (int a = 0; a < 3; a++) {
                            double src = Math.max(0, (o[a] + 0.5) / f[a] - 0.5);
                            lo[a] = (int) Math.floor(src);
                            hi[a] = Math.min(lo[a] + 1, in[a] - 1);
                            t[a] = src - lo[a];
                        }
                        double s = 0;
                        for (int corner = 0; corner < 8; corner++) {
                            double wgt = 1;
                            int[] at = new int[3];
                            for (int a = 0; a < 3; a++) {
                                boolean up = ((corner >> a) & 1) == 1;
                                at[a] = up ? hi[a] : lo[a];
                                wgt *= up ? t[a] : 1 - t[a];
                            }
                            s += wgt * xs[nc * plane + (at[0] * in[1] + at[1]) * in[2] + at[2]];
                        }
                        assertEquals(s, ys[nc * outPlane + (od * out[1] + oh) * out[2] + ow], 1e-12);
                    }
                }
            }
        }
        var e = assertThrows(IllegalArgumentException.class, () -> new Upsample(new int[] {2, 2, 2}, Upsample.Mode.LINEAR, false)
                .forward(randn(1, 1, 1, 4, 4)));
        assertTrue(e.getMessage().contains("Upsample(scale_factor=[2, 2, 2]") && e.getMessage().contains("[1, 1, 4, 4]"), e.getMessage());
    }

    @Test
    void dropoutDropsScalesAndStopsInEval() {
        Dropout drop = new Dropout(0.25, new Generator(21));
        Tensor x = Tensor.ones(DType.F32, 100, 100);
        float[] y = drop.forward(x).toFloatArray();
        int kept = 0;
        for (float v : y) {
            assertTrue(v == 0 || Math.abs(v - 1 / 0.75f) < 1e-6, "zero or scaled by 1/(1-p), got " + v);
            if (v != 0) kept++;
        }
        assertEquals(0.75, kept / 10000.0, 0.02);
        assertTrue(!java.util.Arrays.equals(y, drop.forward(x).toFloatArray()), "the generator advances: a new mask each call");
        drop.eval();
        assertArrayEquals(x.toFloatArray(), drop.forward(x).toFloatArray(), 0);
        drop.train();
        assertTrue(drop.forward(x).eq(0).sum().item() > 0, "dropping again after train()");
        // reproducible: the same seed and call order give the same masks
        float[] a = new Dropout(0.5, new Generator(3)).forward(x).toFloatArray();
        float[] b = new Dropout(0.5, new Generator(3)).forward(x).toFloatArray();
        assertArrayEquals(a, b, 0);
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1.5, new Generator(1)));
    }

    @Test
    void feedForwardVariantsAreTheirFormulas() {
        Tensor x = randn(30, 2, 3, 6);
        FeedForward gelu = (FeedForward) new FeedForward(6, 10, FeedForward.Activation.GELU, true, new Generator(31)).to(DType.F64);
        Linear fc1 = (Linear) gelu.getSubmodule("fc1"), fc2 = (Linear) gelu.getSubmodule("fc2");
        Tensor h = x.matmul(fc1.weight().t()).add(fc1.bias());
        Tensor hg = h.mul(h.div(Math.sqrt(2)).erf().add(1)).mul(0.5);
        assertArrayEquals(hg.matmul(fc2.weight().t()).add(fc2.bias()).toDoubleArray(), gelu.forward(x).toDoubleArray(), 1e-12);

        FeedForward swiglu = (FeedForward) new FeedForward(6, 8, FeedForward.Activation.SWIGLU, false, new Generator(32)).to(DType.F64);
        Tensor gate = x.matmul(swiglu.getParameter("gate_proj.weight").t());
        Tensor up = x.matmul(swiglu.getParameter("up_proj.weight").t());
        Tensor expect = gate.mul(gate.sigmoid()).mul(up).matmul(swiglu.getParameter("down_proj.weight").t());
        assertArrayEquals(expect.toDoubleArray(), swiglu.forward(x).toDoubleArray(), 1e-12);
        assertEquals(3 * 6 * 8, swiglu.numParameters());
    }

    @Test
    void adaLNZeroStartsAsIdentityAndModulatesPerSample() {
        AdaLNModulation ada = new AdaLNModulation(4, 3, 6);
        Tensor c = Tensor.randn(new Generator(41), 2, 4);
        Tensor[] parts = ada.chunks(c);
        assertEquals(6, parts.length);
        for (Tensor p : parts) {
            assertArrayEquals(new int[] {2, 3}, p.shape());
            assertEquals(0, p.abs().max().item(), 0, "adaLN-Zero: the modulation starts at zero");
        }
        Tensor x = Tensor.randn(new Generator(42), 2, 5, 3);
        assertArrayEquals(x.toFloatArray(), AdaLNModulation.modulate(x, parts[0], parts[1]).toFloatArray(), 0);

        Tensor shift = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3), scale = Tensor.of(new float[] {0, 1, -1, 2, 0, 0.5f}, 2, 3);
        float[] xs = x.toFloatArray(), ys = AdaLNModulation.modulate(x, shift, scale).toFloatArray();
        float[] sh = shift.toFloatArray(), sc = scale.toFloatArray();
        for (int n = 0; n < 2; n++) {
            for (int t = 0; t < 5; t++) {
                for (int d = 0; d < 3; d++) {
                    int i = (n * 5 + t) * 3 + d;
                    assertEquals(xs[i] * (1 + sc[n * 3 + d]) + sh[n * 3 + d], ys[i], 1e-6);
                }
            }
        }
        float[] gated = AdaLNModulation.gate(x, scale).toFloatArray();
        assertEquals(xs[5 * 3 + 1] * sc[3 + 1], gated[5 * 3 + 1], 1e-6);
        // the gradient reaches the zero-initialized Linear through the gate
        AdaLNModulation.gate(x, ada.chunks(c)[2]).sum().backward();
        assertTrue(ada.getParameter("linear.weight").grad().abs().max().item() > 0);
        var e = assertThrows(IllegalArgumentException.class, () -> AdaLNModulation.modulate(x, Tensor.zeros(2, 4), Tensor.zeros(2, 4)));
        assertTrue(e.getMessage().contains("[2, 4]") && e.getMessage().contains("[2, 5, 3]"), e.getMessage());
    }

    @Test
    void activationModulesApplyTheirFunction() {
        Tensor x = randn(52, 3, 4);
        assertArrayEquals(x.relu().toDoubleArray(), new ReLU().forward(x).toDoubleArray(), 0);
        assertArrayEquals(x.tanh().toDoubleArray(), new Tanh().forward(x).toDoubleArray(), 0);
        assertArrayEquals(x.mul(x.sigmoid()).toDoubleArray(), new SiLU().forward(x).toDoubleArray(), 1e-15);
        assertArrayEquals(x.gelu().toDoubleArray(), new GELU().forward(x).toDoubleArray(), 0);
        assertArrayEquals(x.gelu("tanh").toDoubleArray(), new Sequential(new GELU("tanh")).forward(x).toDoubleArray(), 0);
        assertThrows(IllegalArgumentException.class, () -> new GELU("fast"));
        var e = assertThrows(IllegalArgumentException.class, () -> new ReLU().forward(x, x));
        assertTrue(e.getMessage().contains("ReLU(): forward takes one input tensor, got 2 inputs"), e.getMessage());
    }

    @Test
    void sequentialChainsAndModuleListHasNoForward() {
        Generator gen = new Generator(51);
        Linear a = new Linear(3, 4, gen), b = new Linear(4, 2, gen);
        Sequential seq = new Sequential(a, new Dropout(0.5, gen), b);
        seq.eval();
        Tensor x = Tensor.randn(gen, 5, 3);
        assertArrayEquals(b.forward(a.forward(x)).toFloatArray(), seq.forward(x).toFloatArray(), 0);
        assertEquals(java.util.List.of("0.weight", "0.bias", "2.weight", "2.bias"), java.util.List.copyOf(seq.namedParameters().keySet()));
        assertTrue(seq.get(1) instanceof Dropout);

        ModuleList<Linear> list = new ModuleList<>(a, b);
        assertEquals(2, list.size());
        assertEquals(b, list.get(1));
        var e = assertThrows(UnsupportedOperationException.class, () -> list.forward(x));
        assertTrue(e.getMessage().contains("ModuleList"), e.getMessage());
    }
}
