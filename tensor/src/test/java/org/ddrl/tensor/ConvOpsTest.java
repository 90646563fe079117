package org.ddrl.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.ddrl.tensor.reference.RefTensor;
import org.ddrl.tensor.reference.Reference;
import org.ddrl.tensor.testing.OpCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** conv3d (and conv1d, conv2d through it) against the direct-definition reference. */
class ConvOpsTest {
    /**
     * The grid cases sum at most cg * k^3 = 5 * 27 = 135 products of values in [-2, 2). Rounding error
     * of such a sum grows about like the square root of the number of terms, relative to the size of the
     * terms rather than of the (possibly cancelling) result: a factor 8 over the single-rounding tolerance
     * covers that with room, and is still far below any indexing mistake, which moves results by O(1).
     * BF16 and F16 compute in F32 and round once, so they differ from the rounded reference by at most
     * one unit in the last place, inside their plain tolerance: {@link #tol} does not scale theirs.
     */
    private static final double GRID_TOL = 8;

    private static double tol(DType dt, double sumScale) {
        return dt == DType.BF16 || dt == DType.F16 ? 1 : sumScale;
    }

    private final Random rnd = new Random(11);

    private static Attrs attrs(int[] stride, int[] padding, int[] dilation, int groups) {
        return Attrs.of("stride", stride, "padding", padding, "dilation", dilation, "groups", groups);
    }

    private static Attrs attrs(int stride, int padding, int dilation, int groups) {
        return attrs(new int[] {stride, stride, stride}, new int[] {padding, padding, padding},
                new int[] {dilation, dilation, dilation}, groups);
    }

    /** Random valid configurations from the grid N 1-2, C 1-5, D/H/W in {1, 3, 5, 7}, k 1-3, stride 1-2, padding 0-2, dilation 1-2. */
    @ParameterizedTest
    @EnumSource(names = {"F32", "F64", "BF16", "F16"})
    void gridMatchesReference(DType dt) {
        Random r = new Random(100 + dt.ordinal());
        int[] sizes = {1, 3, 5, 7};
        int cases = 0, tries = 0;
        while (cases < 60 && tries < 2000) {
            tries++;
            int n = 1 + r.nextInt(2), c = 1 + r.nextInt(5);
            int groups = switch (r.nextInt(3)) {
                case 0 -> 1;
                case 1 -> 2;
                default -> c;
            };
            if (c % groups != 0) continue;
            int o = groups * (1 + r.nextInt(3));
            int[] in = new int[3], k = new int[3], s = new int[3], p = new int[3], dil = new int[3];
            boolean positive = true;
            for (int i = 0; i < 3; i++) {
                in[i] = sizes[r.nextInt(4)];
                k[i] = 1 + r.nextInt(3);
                s[i] = 1 + r.nextInt(2);
                p[i] = r.nextInt(3);
                dil[i] = 1 + r.nextInt(2);
                positive &= in[i] + 2 * p[i] - dil[i] * (k[i] - 1) - 1 >= 0;
            }
            if (!positive) continue;
            Tensor x = OpCheck.random(rnd, dt, n, c, in[0], in[1], in[2]);
            Tensor w = OpCheck.random(rnd, dt, o, c / groups, k[0], k[1], k[2]);
            Tensor b = r.nextBoolean() ? OpCheck.random(rnd, dt, o) : null;
            Attrs a = attrs(s, p, dil, groups);
            if (cases % 4 == 0) {
                OpCheck.checkLayouts(tol(dt, GRID_TOL), Op.CONV3D, a, x, w, b);
            } else {
                OpCheck.check(tol(dt, GRID_TOL), Op.CONV3D, a, x, w, b);
            }
            cases++;
        }
        assertEquals(60, cases, "the grid should yield valid cases often; " + tries + " tries gave " + cases);
    }

    /** 1x1x1 kernels with unit stride and no padding skip im2col; with stride or padding they do not. */
    @ParameterizedTest
    @EnumSource(names = {"F32", "F64", "BF16"})
    void pointwiseKernels(DType dt) {
        Tensor x = OpCheck.random(rnd, dt, 2, 6, 3, 5, 7);
        for (int groups : new int[] {1, 2, 3, 6}) {
            Tensor w = OpCheck.random(rnd, dt, 6, 6 / groups, 1, 1, 1);
            Tensor b = OpCheck.random(rnd, dt, 6);
            OpCheck.checkLayouts(tol(dt, GRID_TOL), Op.CONV3D, attrs(1, 0, 1, groups), x, w, b);
            OpCheck.check(tol(dt, GRID_TOL), Op.CONV3D, attrs(1, 0, 1, groups), x, w, null);
            OpCheck.check(tol(dt, GRID_TOL), Op.CONV3D, attrs(2, 0, 1, groups), x, w, b);
            OpCheck.check(tol(dt, GRID_TOL), Op.CONV3D, attrs(1, 1, 1, groups), x, w, b);
        }
    }

    /** Depthwise: groups = C, one filter (or a few) per input channel. */
    @ParameterizedTest
    @EnumSource(names = {"F32", "F64", "BF16"})
    void depthwise(DType dt) {
        Tensor x = OpCheck.random(rnd, dt, 2, 5, 5, 7, 3);
        for (int mult : new int[] {1, 3}) {
            Tensor w = OpCheck.random(rnd, dt, 5 * mult, 1, 3, 3, 3);
            OpCheck.checkLayouts(tol(dt, GRID_TOL), Op.CONV3D, attrs(1, 1, 1, 5), x, w, OpCheck.random(rnd, dt, 5 * mult));
            OpCheck.check(tol(dt, GRID_TOL), Op.CONV3D, attrs(new int[] {2, 1, 2}, new int[] {0, 2, 1}, new int[] {1, 2, 1}, 5), x, w, null);
        }
    }

    /**
     * x [2, 16, 6, 12, 12] with w [8, 16, 3, 3, 3]: each output sums 16 * 27 = 432 products. By the same
     * square-root growth as the grid, 432 terms need about sqrt(432 / 135) = 1.8 times the grid's factor;
     * 16 keeps the check tight while leaving room for a GEMM that sums in a different order.
     */
    @ParameterizedTest
    @EnumSource(names = {"F32", "F64", "BF16"})
    void largerCase(DType dt) {
        Tensor x = OpCheck.random(rnd, dt, 2, 16, 6, 12, 12);
        Tensor w = OpCheck.random(rnd, dt, 8, 16, 3, 3, 3);
        Tensor b = OpCheck.random(rnd, dt, 8);
        if (dt == DType.F32) {
            OpCheck.checkLayouts(16, Op.CONV3D, attrs(1, 1, 1, 1), x, w, b);
        } else {
            OpCheck.check(tol(dt, 16), Op.CONV3D, attrs(1, 1, 1, 1), x, w, b);
        }
        OpCheck.check(tol(dt, 16), Op.CONV3D, attrs(new int[] {2, 1, 2}, new int[] {0, 1, 2}, new int[] {1, 2, 1}, 2), x,
                OpCheck.random(rnd, dt, 8, 8, 3, 3, 3), null);
    }

    /**
     * An input whose im2col matrix (8 * 27 rows x 10 * 24 * 24 columns, about 5 MB in F32) is split into
     * several blocks of output positions, with block edges falling inside a row of the output grid.
     * 216-term sums: the larger case's tolerance factor.
     */
    @Test
    void blockedIm2col() {
        Tensor x = OpCheck.random(rnd, DType.F32, 1, 8, 10, 24, 24);
        Tensor w = OpCheck.random(rnd, DType.F32, 4, 8, 3, 3, 3);
        Tensor b = OpCheck.random(rnd, DType.F32, 4);
        OpCheck.check(16, Op.CONV3D, attrs(1, 1, 1, 1), x, w, b);
        OpCheck.check(16, Op.CONV3D, attrs(1, 1, 1, 1), x.to(DType.F64), w.to(DType.F64), b.to(DType.F64));
    }

    @Test
    void emptyBatchAndNoInputChannels() {
        Tensor w = OpCheck.random(rnd, DType.F32, 4, 2, 3, 3, 3);
        Tensor y = OpCheck.check(Op.CONV3D, attrs(1, 1, 1, 1), OpCheck.random(rnd, DType.F32, 0, 2, 3, 3, 3), w, null);
        assertArrayEquals(new int[] {0, 4, 3, 3, 3}, y.shape());
        // no input channels: every output is its bias
        Tensor b = OpCheck.random(rnd, DType.F32, 4);
        OpCheck.check(Op.CONV3D, attrs(1, 0, 1, 1), Tensor.zeros(1, 0, 3, 3, 3), Tensor.zeros(4, 0, 1, 1, 1), b);
    }

    /** Hand-computed 1-d cases fix the meaning of padding, stride and dilation for both the kernel and the reference. */
    @Test
    void handComputedConv1d() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5}, 1, 1, 5);
        Tensor w = Tensor.of(new float[] {1, 0, -1}, 1, 1, 3);
        assertArrayEquals(new float[] {-2, -2, -2}, Functional.conv1d(x, w, null, 1, 0, 1, 1).toFloatArray());
        assertArrayEquals(new float[] {-2, -2, -2, -2, 4}, Functional.conv1d(x, w, null, 1, 1, 1, 1).toFloatArray());
        assertArrayEquals(new float[] {-4}, Functional.conv1d(x, w, null, 2, 0, 2, 1).toFloatArray());
        assertArrayEquals(new float[] {8, 8}, Functional.conv1d(x, w, Tensor.of(new float[] {10}), 3, 1, 1, 1).toFloatArray());
        RefTensor ref = Reference.eval(Op.CONV3D, attrs(new int[] {1, 1, 1}, new int[] {0, 0, 1}, new int[] {1, 1, 1}, 1),
                RefTensor.of(x.view(1, 1, 1, 1, 5)), RefTensor.of(w.view(1, 1, 1, 1, 3)), null);
        assertArrayEquals(new double[] {-2, -2, -2, -2, 4}, ref.data());
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "F64", "BF16"})
    void conv1dAndConv2d(DType dt) {
        Tensor x1 = OpCheck.random(rnd, dt, 2, 4, 17);
        Tensor w1 = OpCheck.random(rnd, dt, 6, 2, 3);
        Tensor b1 = OpCheck.random(rnd, dt, 6);
        for (String layout : new String[] {"dense", "transposed"}) {
            Tensor x = layout.equals("dense") ? x1 : OpCheck.relayout(x1, layout);
            Tensor y = Functional.conv1d(x, w1, b1, 2, 1, 2, 2);
            OpCheck.assertClose("conv1d " + layout, expected(x1, w1, b1, new int[] {1, 1, 2}, new int[] {0, 0, 1},
                    new int[] {1, 1, 2}, 2, 2), y, tol(dt, GRID_TOL));
        }
        Tensor x2 = OpCheck.random(rnd, dt, 2, 3, 9, 7);
        Tensor w2 = OpCheck.random(rnd, dt, 5, 3, 3, 2);
        Tensor b2 = OpCheck.random(rnd, dt, 5);
        for (String layout : new String[] {"dense", "transposed", "strided"}) {
            Tensor x = layout.equals("dense") ? x2 : OpCheck.relayout(x2, layout);
            Tensor y = Functional.conv2d(x, w2, b2, new int[] {2, 1}, new int[] {1, 0}, new int[] {1, 2}, 1);
            OpCheck.assertClose("conv2d " + layout, expected(x2, w2, b2, new int[] {1, 2, 1}, new int[] {0, 1, 0},
                    new int[] {1, 1, 2}, 1, 1), y, tol(dt, GRID_TOL));
            Tensor y2 = Functional.conv2d(x, w2, null, new int[] {1}, new int[] {2}, new int[] {1}, 1);
            OpCheck.assertClose("conv2d no bias " + layout, expected(x2, w2, null, new int[] {1, 1, 1}, new int[] {0, 2, 2},
                    new int[] {1, 1, 1}, 1, 1), y2, tol(dt, GRID_TOL));
        }
    }

    /** The reference conv3d of x and w with `missing` size-1 spatial dims inserted after the channels, dropped again. */
    private static RefTensor expected(Tensor x, Tensor w, Tensor b, int[] s, int[] p, int[] d, int groups, int missing) {
        RefTensor y = Reference.eval(Op.CONV3D, attrs(s, p, d, groups), insert(RefTensor.of(x), missing),
                insert(RefTensor.of(w), missing), b == null ? null : RefTensor.of(b));
        int[] ys = y.shape();
        int[] shape = new int[5 - missing];
        shape[0] = ys[0];
        shape[1] = ys[1];
        System.arraycopy(ys, 2 + missing, shape, 2, 3 - missing);
        return new RefTensor(y.data(), shape, y.dtype());
    }

    private static RefTensor insert(RefTensor t, int missing) {
        int[] s = t.shape();
        int[] shape = new int[s.length + missing];
        Arrays.fill(shape, 1);
        shape[0] = s[0];
        shape[1] = s[1];
        System.arraycopy(s, 2, shape, 2 + missing, s.length - 2);
        return new RefTensor(t.data(), shape, t.dtype());
    }

    private static void assertFails(String[] fragments, Runnable call) {
        var e = assertThrows(IllegalArgumentException.class, call::run);
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "message lacks '" + f + "': " + e.getMessage());
    }

    @Test
    void errorsNameTheShapes() {
        Tensor x = Tensor.zeros(1, 4, 5, 5, 5);
        Tensor w = Tensor.zeros(6, 2, 3, 3, 3);
        assertFails(new String[] {"conv3d", "4 channels", "[6, 3, 3, 3, 3]", "[1, 4, 5, 5, 5]"},
                () -> Functional.conv3d(x, Tensor.zeros(6, 3, 3, 3, 3), null));
        assertFails(new String[] {"conv3d", "4 channels", "expects 2 * groups 1", "[6, 2, 3, 3, 3]"},
                () -> Functional.conv3d(x, w, null));
        assertFails(new String[] {"conv3d", "output channels 6", "groups 4", "[6, 1, 3, 3, 3]"},
                () -> Functional.conv3d(x, Tensor.zeros(6, 1, 3, 3, 3), null, new int[] {1}, new int[] {0}, new int[] {1}, 4));
        assertFails(new String[] {"conv3d", "input channels 4", "groups 3", "[1, 4, 5, 5, 5]"},
                () -> Functional.conv3d(x, Tensor.zeros(6, 1, 3, 3, 3), null, new int[] {1}, new int[] {0}, new int[] {1}, 3));
        assertFails(new String[] {"conv3d", "not positive", "[1, 4, 5, 5, 5]", "[6, 4, 3, 7, 3]"},
                () -> Functional.conv3d(x, Tensor.zeros(6, 4, 3, 7, 3), null));
        assertFails(new String[] {"conv3d", "not positive", "dilation [1, 3, 1]"},
                () -> Functional.conv3d(x, Tensor.zeros(6, 4, 3, 3, 3), null, new int[] {1}, new int[] {0}, new int[] {1, 3, 1}, 1));
        assertFails(new String[] {"conv3d", "5-d", "[4, 5, 5, 5]"},
                () -> Functional.conv3d(Tensor.zeros(4, 5, 5, 5), w, null));
        assertFails(new String[] {"conv3d", "weight must be 5-d", "[6, 4, 3, 3]"},
                () -> Functional.conv3d(x, Tensor.zeros(6, 4, 3, 3), null));
        assertFails(new String[] {"conv3d", "bias", "[6]", "f32[4]"},
                () -> Functional.conv3d(x, Tensor.zeros(6, 4, 3, 3, 3), Tensor.zeros(4)));
        assertFails(new String[] {"conv3d", "bias", "f32[1, 6]"},
                () -> Functional.conv3d(x, Tensor.zeros(6, 4, 3, 3, 3), Tensor.zeros(1, 6)));
        assertFails(new String[] {"conv3d", "floating", "i64[1, 4, 5, 5, 5]"},
                () -> Functional.conv3d(Tensor.zeros(DType.I64, 1, 4, 5, 5, 5), Tensor.zeros(DType.I64, 6, 4, 3, 3, 3), null));
        assertFails(new String[] {"conv3d", "same dtype", "f32[1, 4, 5, 5, 5]", "f64[6, 4, 3, 3, 3]"},
                () -> Functional.conv3d(x, Tensor.zeros(DType.F64, 6, 4, 3, 3, 3), null));
        assertFails(new String[] {"conv3d", "stride", "[0, 1, 1]"},
                () -> Functional.conv3d(x, Tensor.zeros(6, 4, 3, 3, 3), null, new int[] {0, 1, 1}, new int[] {0}, new int[] {1}, 1));
        assertFails(new String[] {"conv3d", "groups must be >= 1"},
                () -> Functional.conv3d(x, Tensor.zeros(6, 4, 3, 3, 3), null, new int[] {1}, new int[] {0}, new int[] {1}, 0));
        assertFails(new String[] {"conv2d", "stride", "3"},
                () -> Functional.conv2d(Tensor.zeros(1, 4, 5, 5), Tensor.zeros(6, 4, 3, 3), null, new int[] {1, 1, 1},
                        new int[] {0}, new int[] {1}, 1));
    }
}
