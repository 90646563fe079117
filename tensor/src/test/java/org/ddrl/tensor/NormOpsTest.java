package org.ddrl.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.ddrl.tensor.testing.OpCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** layer_norm, group_norm and rms_norm against the reference, with and without weight and bias. */
class NormOpsTest {
    private final Random rnd = new Random(5);

    /**
     * Norms sum a row twice (mean, then variance) and divide by a square root; in F32 that costs a few
     * more units in the last place than one rounding, hence twice the default tolerance.
     */
    private static final double TOL = 2;

    private static final int[][] SHAPES = {{1}, {17}, {3, 33}, {2, 3, 5, 7}};

    private Tensor param(DType dt, int[] shape) {
        return OpCheck.random(rnd, dt, 0.5, 1.5, shape);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64", "BF16", "F16"})
    void layerNormMatchesReference(DType dt) {
        for (int[] shape : SHAPES) {
            // An offset mean and a spread unlike 1 check that both are really normalized away.
            Tensor x = OpCheck.random(rnd, dt, 1, 7, shape);
            for (int ndim = 1; ndim <= Math.min(2, shape.length); ndim++) {
                int[] normShape = Arrays.copyOfRange(shape, shape.length - ndim, shape.length);
                Attrs a = Attrs.of("ndim", ndim, "eps", 1e-5);
                Tensor w = param(dt, normShape), b = OpCheck.random(rnd, dt, normShape);
                OpCheck.checkLayouts(TOL, Op.LAYER_NORM, a, x);
                OpCheck.checkLayouts(TOL, Op.LAYER_NORM, a, x, w);
                OpCheck.checkLayouts(TOL, Op.LAYER_NORM, a, x, w, b);
                OpCheck.checkLayouts(TOL, Op.LAYER_NORM, a, x, null, b);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64", "BF16", "F16"})
    void rmsNormMatchesReference(DType dt) {
        for (int[] shape : SHAPES) {
            Tensor x = OpCheck.random(rnd, dt, shape);
            for (int ndim = 1; ndim <= Math.min(2, shape.length); ndim++) {
                int[] normShape = Arrays.copyOfRange(shape, shape.length - ndim, shape.length);
                Attrs a = Attrs.of("ndim", ndim, "eps", 1e-6);
                OpCheck.checkLayouts(TOL, Op.RMS_NORM, a, x);
                OpCheck.checkLayouts(TOL, Op.RMS_NORM, a, x, param(dt, normShape));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64", "BF16", "F16"})
    void groupNormMatchesReference(DType dt) {
        Tensor x = OpCheck.random(rnd, dt, -1.0, 3.0, 2, 6, 3, 5);
        Tensor w = param(dt, new int[] {6}), b = OpCheck.random(rnd, dt, 6);
        for (int groups : new int[] {1, 2, 3, 6}) {
            Attrs a = Attrs.of("groups", groups, "eps", 1e-5);
            OpCheck.checkLayouts(TOL, Op.GROUP_NORM, a, x);
            OpCheck.checkLayouts(TOL, Op.GROUP_NORM, a, x, w);
            OpCheck.checkLayouts(TOL, Op.GROUP_NORM, a, x, w, b);
            OpCheck.checkLayouts(TOL, Op.GROUP_NORM, a, x, null, b);
        }
        // no spatial dims, and one spatial dim
        OpCheck.checkLayouts(TOL, Op.GROUP_NORM, Attrs.of("groups", 3, "eps", 1e-5), OpCheck.random(rnd, dt, 4, 6), w, b);
        OpCheck.checkLayouts(TOL, Op.GROUP_NORM, Attrs.of("groups", 2, "eps", 1e-5), OpCheck.random(rnd, dt, 3, 6, 17), w, b);
    }

    /** Rows longer than one parallel chunk and a big vector-width remainder. */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void longRows(DType dt) {
        Tensor x = OpCheck.random(rnd, dt, -1.0, 5.0, 2, 40_003);
        Attrs a = Attrs.of("ndim", 1, "eps", 1e-5);
        OpCheck.check(TOL, Op.LAYER_NORM, a, x, param(dt, new int[] {40_003}), OpCheck.random(rnd, dt, 40_003));
        OpCheck.check(TOL, Op.RMS_NORM, a, x, param(dt, new int[] {40_003}));
        Tensor y = OpCheck.random(rnd, dt, -1.0, 5.0, 1, 4, 20_001);
        OpCheck.check(TOL, Op.GROUP_NORM, Attrs.of("groups", 2, "eps", 1e-5), y, param(dt, new int[] {4}), OpCheck.random(rnd, dt, 4));
    }

    @Test
    void normalizesToZeroMeanAndUnitVariance() {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4, 10, 10, 10, 10}, 2, 4);
        double[] y = Functional.layerNorm(x, new int[] {4}, null, null, 0).toDoubleArray();
        double s = Math.sqrt(1.25);
        assertArrayEquals(new double[] {-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s}, Arrays.copyOf(y, 4), 1e-12);
        // a constant row has zero variance: without eps it is 0 / 0, with eps the output is 0
        assertTrue(Double.isNaN(y[4]));
        double[] withEps = Functional.layerNorm(x, new int[] {4}, null, null, 1e-5).toDoubleArray();
        assertArrayEquals(new double[] {0, 0, 0, 0}, Arrays.copyOfRange(withEps, 4, 8), 0);
        double[] r = Functional.rmsNorm(Tensor.of(new double[] {3, 4}, 1, 2), new int[] {2}, null, 0).toDoubleArray();
        double rms = Math.sqrt(12.5);
        assertArrayEquals(new double[] {3 / rms, 4 / rms}, r, 1e-12);
        assertEquals(DType.BF16, Functional.groupNorm(Tensor.ones(DType.BF16, 1, 2, 3), 1, null, null, 1e-5).dtype());
    }

    @Test
    void errorsNameTheShapes() {
        Tensor x = Tensor.zeros(2, 6, 3, 5);
        var g = assertThrows(IllegalArgumentException.class, () -> Functional.groupNorm(x, 4, null, null, 1e-5));
        assertTrue(g.getMessage().contains("group_norm") && g.getMessage().contains("6 channels") && g.getMessage().contains("4 groups")
                && g.getMessage().contains("[2, 6, 3, 5]"), g.getMessage());
        var gw = assertThrows(IllegalArgumentException.class, () -> Functional.groupNorm(x, 3, Tensor.ones(5), null, 1e-5));
        assertTrue(gw.getMessage().contains("weight") && gw.getMessage().contains("[5]") && gw.getMessage().contains("[6]"), gw.getMessage());
        var gr = assertThrows(IllegalArgumentException.class, () -> Functional.groupNorm(Tensor.zeros(6), 3, null, null, 1e-5));
        assertTrue(gr.getMessage().contains("[N, C, *]") && gr.getMessage().contains("[6]"), gr.getMessage());
        Tensor y = Tensor.zeros(4, 6);
        var lw = assertThrows(IllegalArgumentException.class, () -> Functional.layerNorm(y, new int[] {6}, Tensor.ones(5), null, 1e-5));
        assertTrue(lw.getMessage().contains("layer_norm") && lw.getMessage().contains("weight") && lw.getMessage().contains("[5]")
                && lw.getMessage().contains("[6]"), lw.getMessage());
        var lb = assertThrows(IllegalArgumentException.class,
                () -> Functional.layerNorm(y, new int[] {4, 6}, null, Tensor.ones(6), 1e-5));
        assertTrue(lb.getMessage().contains("bias") && lb.getMessage().contains("[6]") && lb.getMessage().contains("[4, 6]"), lb.getMessage());
        var rw = assertThrows(IllegalArgumentException.class, () -> Functional.rmsNorm(y, new int[] {6}, Tensor.ones(1, 6), 1e-5));
        assertTrue(rw.getMessage().contains("rms_norm") && rw.getMessage().contains("[1, 6]") && rw.getMessage().contains("[6]"), rw.getMessage());
        var nd = assertThrows(IllegalArgumentException.class,
                () -> Dispatch.call(Op.LAYER_NORM, Attrs.of("ndim", 3, "eps", 1e-5), y));
        assertTrue(nd.getMessage().contains("ndim 3") && nd.getMessage().contains("[4, 6]"), nd.getMessage());
        var it = assertThrows(IllegalArgumentException.class, () -> Functional.layerNorm(Tensor.of(new int[] {1, 2}), new int[] {2}, null, null, 1e-5));
        assertTrue(it.getMessage().contains("layer_norm") && it.getMessage().contains("i32"), it.getMessage());
    }
}
