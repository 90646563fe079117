package org.ddrl.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.ddrl.kernels.cpu.Parallel;
import org.ddrl.tensor.testing.OpCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The fused forward chains (layer_norm_modulate, gated_residual, bias_gelu) and their fused gradients
 * against the F64 reference: odd shapes, more rows per sample than one partial block of the per-sample
 * sums, every output mask, per-sample parameters as [B, C], as [B, 1, ..., 1, C] and as adaLN's
 * non-contiguous chunks, every non-contiguous layout of every input, four dtypes. The reference gradients
 * are pinned to central differences of the forward ops.
 */
class FusedForwardOpsTest {
    private final Random rnd = new Random(61);

    /** The norm's gradient subtracts two row means and the per-sample sums add up to 70 rows. */
    private static final double TOL = 8;

    private static final int[][] SHAPES = {{2, 1, 7}, {3, 5, 17}, {2, 3, 4, 33}, {1, 70, 9}, {4, 40, 3}, {3, 16}};
    private static final int[][] MASKS3 = {{1, 1, 1}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {0, 1, 1}, {1, 1, 0}};
    private static final int[][] MASKS2 = {{1, 1}, {1, 0}, {0, 1}};

    private Tensor rand(DType dt, double lo, double hi, int... shape) {
        return OpCheck.random(rnd, dt, lo, hi, shape);
    }

    /** The three forms a per-sample parameter of x takes: [B, C], [B, 1, ..., 1, C], and a chunk of a [B, 3C] tensor. */
    private Tensor[] perSample(DType dt, int[] x) {
        int b = x[0], c = x[x.length - 1];
        int[] wide = new int[x.length];
        java.util.Arrays.fill(wide, 1);
        wide[0] = b;
        wide[x.length - 1] = c;
        return new Tensor[] {rand(dt, -1, 1, b, c), rand(dt, -1, 1, wide), rand(dt, -1, 1, b, 3 * c).narrow(1, c, c)};
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64", "BF16", "F16"})
    void layerNormModulateMatchesReference(DType dt) {
        for (int[] shape : SHAPES) {
            // an offset mean and a spread unlike 1, so that both must really be normalized away
            Tensor x = rand(dt, 1, 7, shape), g = rand(dt, -2, 2, shape);
            Tensor[] p = perSample(dt, shape);
            Attrs fwd = Attrs.of("eps", 1e-6);
            OpCheck.checkLayouts(4, Op.LAYER_NORM_MODULATE, fwd, x, p[0], p[1]);
            OpCheck.check(4, Op.LAYER_NORM_MODULATE, fwd, x, p[2], p[2]);
            Attrs all = Attrs.of("eps", 1e-6, "outputMask", new int[] {1, 1, 1});
            OpCheck.checkLayouts(TOL, Op.LAYER_NORM_MODULATE_BACKWARD, all, g, x, p[1]);
            for (int[] mask : MASKS3) OpCheck.check(TOL, Op.LAYER_NORM_MODULATE_BACKWARD, all.with("outputMask", mask), g, x, p[2]);
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64", "BF16", "F16"})
    void gatedResidualMatchesReference(DType dt) {
        for (int[] shape : SHAPES) {
            Tensor x = rand(dt, -2, 2, shape), y = rand(dt, -2, 2, shape), g = rand(dt, -2, 2, shape);
            Tensor[] p = perSample(dt, shape);
            OpCheck.checkLayouts(1, Op.GATED_RESIDUAL, Attrs.NONE, x, y, p[0]);
            OpCheck.check(1, Op.GATED_RESIDUAL, Attrs.NONE, x, y, p[2]);
            Attrs all = Attrs.of("outputMask", new int[] {1, 1});
            OpCheck.checkLayouts(TOL, Op.GATED_RESIDUAL_BACKWARD, all, g, y, p[1]);
            for (int[] mask : MASKS2) OpCheck.check(TOL, Op.GATED_RESIDUAL_BACKWARD, all.with("outputMask", mask), g, y, p[2]);
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64", "BF16", "F16"})
    void biasGeluMatchesReference(DType dt) {
        // 1 element, less than a vector, masked last vectors, and more rows than one partial block of grad bias
        for (int[] shape : new int[][] {{1}, {7}, {3, 33}, {2, 5, 17}, {70, 9}, {2, 40, 16}}) {
            Tensor x = rand(dt, -5, 5, shape), g = rand(dt, -2, 2, shape), b = rand(dt, -1, 1, shape[shape.length - 1]);
            for (String form : new String[] {"none", "tanh"}) {
                // a product of terms each a few units off in the last place (the sum x + b rounds first)
                OpCheck.checkLayouts(4, Op.BIAS_GELU, Attrs.of("approximate", form), x, b);
                Attrs all = Attrs.of("approximate", form, "outputMask", new int[] {1, 1});
                OpCheck.checkLayouts(TOL, Op.BIAS_GELU_BACKWARD, all, g, x, b);
                for (int[] mask : MASKS2) OpCheck.check(TOL, Op.BIAS_GELU_BACKWARD, all.with("outputMask", mask), g, x, b);
            }
        }
    }

    /** Far tails in F32, where exp overflows: finite, and the limits of gelu and of its derivative. */
    @Test
    void biasGeluTailsAreFinite() {
        Tensor x = Tensor.of(new float[] {-1e4f, -200, -90, 90, 200, 1e4f}, 6), b = Tensor.zeros(DType.F32, Device.CPU, 6);
        Tensor one = Tensor.ones(DType.F32, Device.CPU, 1, 6);
        for (String form : new String[] {"none", "tanh"}) {
            float[] y = Functional.biasGelu(x.view(1, 6), b, form).toFloatArray();
            float[] d = FusedGrads.biasGelu(one, x.view(1, 6), b, form, true, false).input().toFloatArray();
            for (int i = 0; i < 3; i++) {
                assertEquals(0, y[i], 1e-30, form + " left tail at " + i);
                assertEquals(0, d[i], 1e-30, form + " left tail slope at " + i);
            }
            for (int i = 3; i < 6; i++) {
                assertEquals(x.toFloatArray()[i], y[i], 0, form + " right tail at " + i);
                assertEquals(1, d[i], 0, form + " right tail slope at " + i);
            }
        }
    }

    /** Closed forms at a hand-computed point: one sample, one row. */
    @Test
    void closedForms() {
        // x = [1, 2, 3, 6]: mean 3, variance 3.5; shift 0.5, scale 1 (so a = 2)
        Tensor x = Tensor.of(new double[] {1, 2, 3, 6}, 1, 1, 4);
        Tensor shift = Tensor.full(0.5, DType.F64, Device.CPU, 1, 4), scale = Tensor.full(1.0, DType.F64, Device.CPU, 1, 4);
        double rstd = 1 / Math.sqrt(3.5 + 1e-6);
        double[] y = Functional.layerNormModulate(x, shift, scale, 1e-6).toDoubleArray();
        double[] expected = {-2 * rstd * 2 + 0.5, -1 * rstd * 2 + 0.5, 0.5, 3 * rstd * 2 + 0.5};
        assertArrayEquals(expected, y, 1e-12);
        double[] gated = Functional.gatedResidual(x, x, scale.mul(3)).toDoubleArray();
        assertArrayEquals(new double[] {4, 8, 12, 24}, gated, 0);
        // gelu(0) = 0 and gelu'(0) = 1/2 in both forms, so a bias that cancels x gives 0 and half the gradient
        Tensor xb = Tensor.of(new double[] {-1.5, 2.0}, 1, 2), bias = Tensor.of(new double[] {1.5, -2.0}, 2);
        for (String form : new String[] {"none", "tanh"}) {
            assertArrayEquals(new double[] {0, 0}, Functional.biasGelu(xb, bias, form).toDoubleArray(), 0);
            FusedGrads.BiasGelu d = FusedGrads.biasGelu(Tensor.of(new double[] {2, 4}, 1, 2), xb, bias, form, true, true);
            assertArrayEquals(new double[] {1, 2}, d.input().toDoubleArray(), 1e-15);
            assertArrayEquals(new double[] {1, 2}, d.bias().toDoubleArray(), 1e-15);
        }
    }

    /** The reference gradients against central differences of sum(forward * g) in F64, on the CPU. */
    @Test
    void referenceGradientsMatchFiniteDifferences() {
        Tensor x = rand(DType.F64, 1, 4, 2, 3, 5), g = rand(DType.F64, -1, 1, 2, 3, 5);
        Tensor shift = rand(DType.F64, -1, 1, 2, 5), scale = rand(DType.F64, -1, 1, 2, 1, 5);
        fd(Op.LAYER_NORM_MODULATE, Attrs.of("eps", 1e-5), new Tensor[] {x, shift, scale},
                Op.LAYER_NORM_MODULATE_BACKWARD, Attrs.of("eps", 1e-5, "outputMask", new int[] {1, 1, 1}), new int[] {0, 1, 2},
                new Tensor[] {g, x, scale});
        Tensor y = rand(DType.F64, -2, 2, 2, 3, 5);
        fd(Op.GATED_RESIDUAL, Attrs.NONE, new Tensor[] {x, y, scale}, Op.GATED_RESIDUAL_BACKWARD,
                Attrs.of("outputMask", new int[] {1, 1}), new int[] {1, 2}, new Tensor[] {g, y, scale});
        Tensor bias = rand(DType.F64, -1, 1, 5), xs = rand(DType.F64, -3, 3, 2, 3, 5);
        for (String form : new String[] {"none", "tanh"}) {
            fd(Op.BIAS_GELU, Attrs.of("approximate", form), new Tensor[] {xs, bias}, Op.BIAS_GELU_BACKWARD,
                    Attrs.of("approximate", form, "outputMask", new int[] {1, 1}), new int[] {0, 1}, new Tensor[] {g, xs, bias});
        }
    }

    /**
     * Each entry of the packed reference gradient of the forward's inputs {@code wrt} (in packing order)
     * against (f(p + h) - f(p - h)) / 2h with f = sum(forward * g).
     */
    private static void fd(Op forward, Attrs fa, Tensor[] in, Op backward, Attrs ba, int[] wrt, Tensor[] backIn) {
        org.ddrl.tensor.reference.RefTensor[] ref = new org.ddrl.tensor.reference.RefTensor[backIn.length];
        for (int i = 0; i < ref.length; i++) ref[i] = org.ddrl.tensor.reference.RefTensor.of(backIn[i]);
        double[] packed = org.ddrl.tensor.reference.Reference.eval(backward, ba, ref).data();
        Tensor g = backIn[0];
        int at = 0;
        for (int p : wrt) {
            double[] v = in[p].toDoubleArray();
            for (int i = 0; i < v.length; i++, at++) {
                double[] plus = v.clone(), minus = v.clone();
                double h = 1e-6;
                plus[i] += h;
                minus[i] -= h;
                double fd = (objective(forward, fa, g, in, p, plus) - objective(forward, fa, g, in, p, minus)) / (2 * h);
                assertEquals(fd, packed[at], 1e-6 * (1 + Math.abs(fd)), backward.opName() + " gradient of input " + p + " element " + i);
            }
        }
        assertEquals(packed.length, at, backward.opName() + " packed length");
    }

    private static double objective(Op forward, Attrs fa, Tensor g, Tensor[] params, int p, double[] values) {
        Tensor[] in = params.clone();
        in[p] = Tensor.of(values, params[p].shape());
        return Dispatch.call(forward, fa, in).mul(g).sum().item();
    }

    /** The per-sample and bias sums are cut by the shape alone: the same bits on 1, 2 or 3 threads. */
    @Test
    void sameBitsWhateverTheThreadCount() {
        int before = Parallel.threads();
        Tensor x = rand(DType.F32, 1, 3, 4, 300, 65), g = rand(DType.F32, -1, 1, 4, 300, 65), p = rand(DType.F32, -1, 1, 4, 65);
        Attrs mod = Attrs.of("eps", 1e-6, "outputMask", new int[] {1, 1, 1}), gate = Attrs.of("outputMask", new int[] {1, 1});
        Attrs gelu = Attrs.of("approximate", "tanh", "outputMask", new int[] {1, 1});
        Tensor b = rand(DType.F32, -1, 1, 65);
        float[][] first = null;
        try {
            for (int threads : new int[] {1, 2, 3}) {
                Parallel.setThreads(threads);
                float[][] now = {Dispatch.call(Op.LAYER_NORM_MODULATE_BACKWARD, mod, g, x, p).toFloatArray(),
                    Dispatch.call(Op.GATED_RESIDUAL_BACKWARD, gate, g, x, p).toFloatArray(),
                    Dispatch.call(Op.BIAS_GELU_BACKWARD, gelu, g, x, b).toFloatArray()};
                if (first == null) first = now;
                else for (int i = 0; i < now.length; i++) assertArrayEquals(first[i], now[i], "different bits on " + threads + " threads");
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    /** VectorMath's functions give the same bits interpreted and compiled. */
    @Test
    void firstRunEqualsCompiled() {
        Tensor x = rand(DType.F32, -8, 8, 13, 37), g = rand(DType.F32, -1, 1, 13, 37), b = rand(DType.F32, -1, 1, 37);
        for (String form : new String[] {"none", "tanh"}) {
            Attrs f = Attrs.of("approximate", form), bw = f.with("outputMask", new int[] {1, 1});
            float[] cold = Dispatch.call(Op.BIAS_GELU, f, x, b).toFloatArray();
            float[] coldGrad = Dispatch.call(Op.BIAS_GELU_BACKWARD, bw, g, x, b).toFloatArray();
            for (int i = 0; i < 3000; i++) {
                Dispatch.call(Op.BIAS_GELU, f, x, b);
                Dispatch.call(Op.BIAS_GELU_BACKWARD, bw, g, x, b);
            }
            assertArrayEquals(cold, Dispatch.call(Op.BIAS_GELU, f, x, b).toFloatArray(), "bias_gelu " + form);
            assertArrayEquals(coldGrad, Dispatch.call(Op.BIAS_GELU_BACKWARD, bw, g, x, b).toFloatArray(), "bias_gelu_backward " + form);
        }
    }

    @Test
    void gradsUnpackViews() {
        Tensor x = rand(DType.F32, -1, 1, 2, 3, 4), g = rand(DType.F32, -1, 1, 2, 3, 4), p = rand(DType.F32, -1, 1, 2, 1, 4);
        FusedGrads.Modulate m = FusedGrads.layerNormModulate(g, x, p, 1e-6, true, false, true);
        assertArrayEquals(new int[] {2, 3, 4}, m.input().shape());
        assertNull(m.shift());
        assertArrayEquals(new int[] {2, 4}, m.scale().shape());
        FusedGrads.GatedResidual r = FusedGrads.gatedResidual(g, x, p, false, true);
        assertNull(r.y());
        // grad gate is sum over tokens of g y
        assertArrayEquals(g.mul(x).sum(1).toFloatArray(), r.gate().toFloatArray(), 1e-5f);
        FusedGrads.BiasGelu b = FusedGrads.biasGelu(g, x, rand(DType.F32, -1, 1, 4), "none", false, true);
        assertNull(b.input());
        assertArrayEquals(new int[] {4}, b.bias().shape());
    }

    @Test
    void emptyInputsGiveZeroParameterGradients() {
        Tensor x = Tensor.zeros(DType.F32, Device.CPU, 2, 0, 5), p = rand(DType.F32, -1, 1, 2, 5);
        Tensor packed = Dispatch.call(Op.LAYER_NORM_MODULATE_BACKWARD, Attrs.of("eps", 1e-6, "outputMask", new int[] {1, 1, 1}), x, x, p);
        assertArrayEquals(new float[20], packed.toFloatArray());
        Tensor gb = Dispatch.call(Op.BIAS_GELU_BACKWARD, Attrs.of("approximate", "none", "outputMask", new int[] {0, 1}),
                Tensor.zeros(DType.F32, Device.CPU, 0, 5), Tensor.zeros(DType.F32, Device.CPU, 0, 5), p.select(0, 0));
        assertArrayEquals(new float[5], gb.toFloatArray());
    }

    @Test
    void badArgumentsAreNamed() {
        Tensor x = rand(DType.F32, -1, 1, 2, 3, 4), p = rand(DType.F32, -1, 1, 2, 4);
        var e = assertThrows(IllegalArgumentException.class, () -> Functional.layerNormModulate(x, p, rand(DType.F32, -1, 1, 2, 3), 1e-6));
        assertTrue(e.getMessage().contains("layer_norm_modulate") && e.getMessage().contains("scale") && e.getMessage().contains("[2, 3]")
                && e.getMessage().contains("[2, 3, 4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Functional.layerNormModulate(x, rand(DType.F32, -1, 1, 2, 3, 4), p, 1e-6));
        assertTrue(e.getMessage().contains("shift") && e.getMessage().contains("one vector per sample"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Functional.gatedResidual(x, x.reshape(2, 4, 3), p));
        assertTrue(e.getMessage().contains("gated_residual") && e.getMessage().contains("y f32[2, 4, 3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Functional.gatedResidual(x.view(24), x.view(24), p));
        assertTrue(e.getMessage().contains("rank 2 or more"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Functional.biasGelu(x, rand(DType.F32, -1, 1, 3), "tanh"));
        assertTrue(e.getMessage().contains("bias_gelu") && e.getMessage().contains("bias f32[3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Functional.biasGelu(x, rand(DType.F32, -1, 1, 4), "fast"));
        assertTrue(e.getMessage().contains("approximate") && e.getMessage().contains("fast"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Functional.gatedResidual(x.to(DType.I64), x.to(DType.I64), p));
        assertTrue(e.getMessage().contains("floating") && e.getMessage().contains("i64"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Dispatch.call(Op.GATED_RESIDUAL_BACKWARD,
                Attrs.of("outputMask", new int[] {1, 1, 1}), x, x, p));
        assertTrue(e.getMessage().contains("gated_residual_backward") && e.getMessage().contains("outputMask"), e.getMessage());
    }
}
