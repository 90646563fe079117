package org.ddrl.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.ddrl.kernels.cpu.Parallel;
import org.ddrl.tensor.testing.OpCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The fused norm gradients (layer_norm_backward, rms_norm_backward, group_norm_backward) against the F64
 * reference, which applies the textbook formulas row by row; the reference itself is pinned to finite
 * differences of the forward ops below. Every output mask, with and without weight, odd shapes, more rows
 * than one partial block of the weight gradient, and every non-contiguous layout of every input.
 */
class NormBackwardOpsTest {
    private final Random rnd = new Random(41);

    /**
     * The input gradient subtracts two row means from gh, and the weight gradient sums up to ~100 rows:
     * a few units in the last place more than one rounding in F32; BF16 and F16 compute in F32 and round once.
     */
    private static final double TOL = 8;

    private static final int[][] MASKS3 = {{1, 1, 1}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {0, 1, 1}, {1, 1, 0}};

    private Tensor param(DType dt, int... shape) {
        return OpCheck.random(rnd, dt, 0.5, 1.5, shape);
    }

    private static Attrs trailing(int ndim, double eps, int[] mask) {
        return Attrs.of("ndim", ndim, "eps", eps, "outputMask", mask);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64", "BF16", "F16"})
    void layerNormMatchesReference(DType dt) {
        int[][] shapes = {{17}, {3, 33}, {2, 3, 5, 7}, {70, 9}};
        for (int[] shape : shapes) {
            // an offset mean and a spread unlike 1, so that both really have to be normalized away
            Tensor x = OpCheck.random(rnd, dt, 1, 7, shape), g = OpCheck.random(rnd, dt, shape);
            for (int ndim = 1; ndim <= Math.min(2, shape.length); ndim++) {
                int[] normShape = Arrays.copyOfRange(shape, shape.length - ndim, shape.length);
                Tensor w = param(dt, normShape);
                OpCheck.checkLayouts(TOL, Op.LAYER_NORM_BACKWARD, trailing(ndim, 1e-5, new int[] {1, 1, 1}), g, x, w);
                OpCheck.checkLayouts(TOL, Op.LAYER_NORM_BACKWARD, trailing(ndim, 1e-5, new int[] {1, 0, 1}), g, x, null);
                for (int[] mask : MASKS3) OpCheck.check(TOL, Op.LAYER_NORM_BACKWARD, trailing(ndim, 1e-5, mask), g, x, w);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64", "BF16", "F16"})
    void rmsNormMatchesReference(DType dt) {
        int[][] shapes = {{17}, {3, 33}, {2, 3, 5, 7}, {70, 9}};
        for (int[] shape : shapes) {
            Tensor x = OpCheck.random(rnd, dt, shape), g = OpCheck.random(rnd, dt, shape);
            for (int ndim = 1; ndim <= Math.min(2, shape.length); ndim++) {
                int[] normShape = Arrays.copyOfRange(shape, shape.length - ndim, shape.length);
                OpCheck.checkLayouts(TOL, Op.RMS_NORM_BACKWARD, trailing(ndim, 1e-6, new int[] {1, 1}), g, x, param(dt, normShape));
                OpCheck.checkLayouts(TOL, Op.RMS_NORM_BACKWARD, trailing(ndim, 1e-6, new int[] {1, 0}), g, x, null);
                OpCheck.check(TOL, Op.RMS_NORM_BACKWARD, trailing(ndim, 1e-6, new int[] {0, 1}), g, x, param(dt, normShape));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64", "BF16", "F16"})
    void groupNormMatchesReference(DType dt) {
        int[][] shapes = {{2, 6, 5, 7}, {3, 4}, {1, 6, 33}, {5, 3, 2, 1, 3}};
        for (int[] shape : shapes) {
            Tensor x = OpCheck.random(rnd, dt, -1, 5, shape), g = OpCheck.random(rnd, dt, shape);
            Tensor w = param(dt, shape[1]);
            for (int groups = 1; groups <= shape[1]; groups++) {
                if (shape[1] % groups != 0) continue;
                Attrs all = Attrs.of("groups", groups, "eps", 1e-5, "outputMask", new int[] {1, 1, 1});
                OpCheck.checkLayouts(TOL, Op.GROUP_NORM_BACKWARD, all, g, x, w);
                OpCheck.check(TOL, Op.GROUP_NORM_BACKWARD, all, g, x, null);
                for (int[] mask : MASKS3) OpCheck.check(TOL, Op.GROUP_NORM_BACKWARD, all.with("outputMask", mask), g, x, w);
            }
        }
    }

    /** The reference against central differences of the forward ops: d/dx sum(norm(x) * g) in F64. */
    @Test
    void referenceMatchesFiniteDifferences() {
        Tensor x = OpCheck.random(rnd, DType.F64, 1.0, 4.0, 3, 4, 5), g = OpCheck.random(rnd, DType.F64, 3, 4, 5);
        Tensor w = param(DType.F64, 4, 5), b = param(DType.F64, 4, 5), wc = param(DType.F64, 4), bc = param(DType.F64, 4);
        checkFiniteDifferences(Op.LAYER_NORM, Attrs.of("ndim", 2, "eps", 1e-5), Op.LAYER_NORM_BACKWARD,
                trailing(2, 1e-5, new int[] {1, 1, 1}), g, x, w, b);
        checkFiniteDifferences(Op.RMS_NORM, Attrs.of("ndim", 1, "eps", 1e-6), Op.RMS_NORM_BACKWARD,
                trailing(1, 1e-6, new int[] {1, 1}), g, x, param(DType.F64, 5), null);
        checkFiniteDifferences(Op.GROUP_NORM, Attrs.of("groups", 2, "eps", 1e-5), Op.GROUP_NORM_BACKWARD,
                Attrs.of("groups", 2, "eps", 1e-5, "outputMask", new int[] {1, 1, 1}), g, x, wc, bc);
    }

    /** Each packed gradient entry against (f(p + h) - f(p - h)) / 2h with f = sum(forward * g), on the CPU. */
    private static void checkFiniteDifferences(Op forward, Attrs fa, Op backward, Attrs ba, Tensor g, Tensor x, Tensor w, Tensor b) {
        Tensor[] params = b == null ? new Tensor[] {x, w} : new Tensor[] {x, w, b};
        double[] packed = Dispatch.call(backward, ba, g, x, w).toDoubleArray();
        int at = 0;
        for (int p = 0; p < params.length; p++) {
            double[] v = params[p].toDoubleArray();
            for (int i = 0; i < v.length; i++, at++) {
                double[] plus = v.clone(), minus = v.clone();
                double h = 1e-6;
                plus[i] += h;
                minus[i] -= h;
                double fd = (objective(forward, fa, g, params, p, plus) - objective(forward, fa, g, params, p, minus)) / (2 * h);
                assertEquals(fd, packed[at], 1e-6 * (1 + Math.abs(fd)), backward.opName() + " gradient " + p + " element " + i);
            }
        }
        assertEquals(packed.length, at, "packed length");
    }

    private static double objective(Op forward, Attrs fa, Tensor g, Tensor[] params, int p, double[] values) {
        Tensor[] in = params.clone();
        in[p] = Tensor.of(values, params[p].shape());
        return Dispatch.call(forward, fa, in).mul(g).sum().item();
    }

    /** NormGrads splits the packed result into views of the right shapes, null where the mask said no. */
    @Test
    void normGradsUnpacksViews() {
        Tensor x = OpCheck.random(rnd, DType.F32, 4, 6), g = OpCheck.random(rnd, DType.F32, 4, 6), w = param(DType.F32, 6);
        NormGrads all = NormGrads.layerNorm(g, x, w, 1, 1e-5, true, true, true);
        assertArrayEquals(new int[] {4, 6}, all.input().shape());
        assertArrayEquals(new int[] {6}, all.weight().shape());
        assertArrayEquals(new int[] {6}, all.bias().shape());
        // grad bias is the column sum of g, grad input of each row sums to zero (a layer norm's output has mean 0)
        assertArrayEquals(g.sum(0).toFloatArray(), all.bias().toFloatArray(), 1e-5f);
        float[] rowSums = all.input().sum(1).toFloatArray();
        for (float s : rowSums) assertEquals(0, s, 1e-5);
        NormGrads biasOnly = NormGrads.layerNorm(g, x, w, 1, 1e-5, false, false, true);
        assertNull(biasOnly.input());
        assertNull(biasOnly.weight());
        assertArrayEquals(all.bias().toFloatArray(), biasOnly.bias().toFloatArray());
        NormGrads gn = NormGrads.groupNorm(g.reshape(2, 6, 2), x.reshape(2, 6, 2), w, 3, 1e-5, true, true, false);
        assertArrayEquals(new int[] {2, 6, 2}, gn.input().shape());
        assertArrayEquals(new int[] {6}, gn.weight().shape());
        assertNull(gn.bias());
        NormGrads rms = NormGrads.rmsNorm(g, x, null, 2, 1e-6, true, false);
        assertArrayEquals(new int[] {4, 6}, rms.input().shape());
        assertNull(rms.weight());
    }

    /** Weight and bias gradients are sums over rows in an order fixed by the shape: the same bits on 1, 2 or 3 threads. */
    @Test
    void sameBitsWhateverTheThreadCount() {
        int before = Parallel.threads();
        Tensor x = OpCheck.random(rnd, DType.F32, 1.0, 3.0, 300, 129), g = OpCheck.random(rnd, DType.F32, 300, 129);
        Tensor w = param(DType.F32, 129), wg = param(DType.F32, 8);
        Tensor xg = OpCheck.random(rnd, DType.F32, 6, 8, 40, 40), gg = OpCheck.random(rnd, DType.F32, 6, 8, 40, 40);
        Attrs ln = trailing(1, 1e-5, new int[] {1, 1, 1}), gn = Attrs.of("groups", 4, "eps", 1e-5, "outputMask", new int[] {1, 1, 1});
        float[][] first = null;
        try {
            for (int threads : new int[] {1, 2, 3}) {
                Parallel.setThreads(threads);
                float[][] now = {Dispatch.call(Op.LAYER_NORM_BACKWARD, ln, g, x, w).toFloatArray(),
                    Dispatch.call(Op.GROUP_NORM_BACKWARD, gn, gg, xg, wg).toFloatArray()};
                if (first == null) first = now;
                else for (int i = 0; i < 2; i++) assertArrayEquals(first[i], now[i], "different bits on " + threads + " threads");
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void emptyInputsGiveZeroParameterGradients() {
        Tensor x = Tensor.zeros(DType.F32, Device.CPU, 0, 5), w = param(DType.F32, 5);
        Tensor packed = Dispatch.call(Op.LAYER_NORM_BACKWARD, trailing(1, 1e-5, new int[] {1, 1, 1}), x, x, w);
        assertArrayEquals(new float[10], packed.toFloatArray());
    }

    @Test
    void badArgumentsAreNamed() {
        Tensor x = OpCheck.random(rnd, DType.F32, 3, 4), g = OpCheck.random(rnd, DType.F32, 3, 4);
        var e = assertThrows(IllegalArgumentException.class,
                () -> Dispatch.call(Op.LAYER_NORM_BACKWARD, trailing(1, 1e-5, new int[] {1, 1, 1}), g, x, param(DType.F32, 3)));
        assertTrue(e.getMessage().contains("layer_norm_backward") && e.getMessage().contains("[4]") && e.getMessage().contains("[3]"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Dispatch.call(Op.LAYER_NORM_BACKWARD, trailing(1, 1e-5, new int[] {1, 1}), g, x, null));
        assertTrue(e.getMessage().contains("outputMask"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Dispatch.call(Op.RMS_NORM_BACKWARD, trailing(3, 1e-5, new int[] {1, 1}), g, x, null));
        assertTrue(e.getMessage().contains("rms_norm_backward") && e.getMessage().contains("ndim 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Dispatch.call(Op.GROUP_NORM_BACKWARD, Attrs.of("groups", 3, "eps", 1e-5, "outputMask", new int[] {1, 1, 1}), g, x, null));
        assertTrue(e.getMessage().contains("group_norm_backward") && e.getMessage().contains("4 channels"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Dispatch.call(Op.LAYER_NORM_BACKWARD, trailing(1, 1e-5, new int[] {1, 0, 0}), g.reshape(4, 3), x, null));
        assertTrue(e.getMessage().contains("same shape"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Dispatch.call(Op.LAYER_NORM_BACKWARD, trailing(1, 1e-5, new int[] {1, 0, 0}), g, x.to(DType.I64), null));
        assertTrue(e.getMessage().contains("floating") && e.getMessage().contains("i64"), e.getMessage());
    }
}
