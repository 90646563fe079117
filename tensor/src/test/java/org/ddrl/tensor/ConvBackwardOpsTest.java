package org.ddrl.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.ddrl.kernels.cpu.Parallel;
import org.ddrl.tensor.testing.OpCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** conv3d_backward_input and conv3d_backward_weight against their reference definitions, and tied to conv3d. */
class ConvBackwardOpsTest {
    /**
     * Tolerance factor for sums of `terms` products of values in [-2, 2), as in ConvOpsTest: 8 for up to
     * 135 terms, growing with the square root of the count beyond (the rounding error of such a sum grows
     * about like sqrt(terms) relative to its typical size). The weight gradient sums over every sample and
     * output position, up to a few thousand terms here. BF16 and F16 compute in F32 and round once, so
     * they stay within their plain tolerance of the rounded reference.
     */
    private static double tol(DType dt, long terms) {
        if (dt == DType.BF16 || dt == DType.F16) return 1;
        return 8 * Math.max(1, Math.sqrt(terms / 135.0));
    }

    private final Random rnd = new Random(23);

    /** One conv3d configuration; the forward input, weight and gradient shapes and the attrs of both ops. */
    private record Case(int[] x, int[] w, int[] y, int[] s, int[] p, int[] d, int groups) {
        Attrs input() {
            return base().with("inputShape", x);
        }

        Attrs weight() {
            return base().with("weightShape", w);
        }

        Attrs base() {
            return Attrs.of("stride", s, "padding", p, "dilation", d, "groups", groups);
        }

        /** Products summed per element: the input gradient's (at most) and the weight gradient's. */
        long inputTerms() {
            return (long) (w[0] / groups) * w[2] * w[3] * w[4];
        }

        long weightTerms() {
            return (long) y[0] * y[2] * y[3] * y[4];
        }

        @Override
        public String toString() {
            return "input " + Arrays.toString(x) + ", weight " + Arrays.toString(w) + ", " + base();
        }

        static Case of(int[] x, int[] w, int[] s, int[] p, int[] d, int groups) {
            int[] y = {x[0], w[0], 0, 0, 0};
            for (int i = 0; i < 3; i++) y[2 + i] = Math.floorDiv(x[2 + i] + 2 * p[i] - d[i] * (w[2 + i] - 1) - 1, s[i]) + 1;
            return new Case(x, w, y, s, p, d, groups);
        }

        static Case of(int[] x, int[] w, int s, int p, int d, int groups) {
            return of(x, w, new int[] {s, s, s}, new int[] {p, p, p}, new int[] {d, d, d}, groups);
        }
    }

    /** Both gradients of case c against the reference; with all non-contiguous layouts when `layouts`. */
    private void check(DType dt, Case c, boolean layouts) {
        Tensor x = OpCheck.random(rnd, dt, c.x());
        Tensor w = OpCheck.random(rnd, dt, c.w());
        Tensor gy = OpCheck.random(rnd, dt, c.y());
        if (layouts) {
            OpCheck.checkLayouts(tol(dt, c.inputTerms()), Op.CONV3D_BACKWARD_INPUT, c.input(), gy, w);
            OpCheck.checkLayouts(tol(dt, c.weightTerms()), Op.CONV3D_BACKWARD_WEIGHT, c.weight(), x, gy);
        } else {
            OpCheck.check(tol(dt, c.inputTerms()), Op.CONV3D_BACKWARD_INPUT, c.input(), gy, w);
            OpCheck.check(tol(dt, c.weightTerms()), Op.CONV3D_BACKWARD_WEIGHT, c.weight(), x, gy);
        }
    }

    /**
     * Random valid configurations from the forward's grid: N 1-2, C 1-5, groups 1, 2 or C (depthwise),
     * D/H/W in {1, 3, 5, 7}, k 1-3, stride 1-2, padding 0-2, dilation 1-2, each chosen per dim.
     */
    private static Case randomCase(Random r) {
        int[] sizes = {1, 3, 5, 7};
        while (true) {
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
            if (positive) {
                return Case.of(new int[] {n, c, in[0], in[1], in[2]}, new int[] {o, c / groups, k[0], k[1], k[2]}, s, p, dil,
                        groups);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "F64", "BF16", "F16"})
    void gridMatchesReference(DType dt) {
        Random r = new Random(200 + dt.ordinal());
        for (int i = 0; i < 50; i++) check(dt, randomCase(r), i % 4 == 0);
    }

    /** 1x1x1 kernels with unit stride and no padding skip im2col and col2im; with stride or padding they do not. */
    @ParameterizedTest
    @EnumSource(names = {"F32", "F64", "BF16"})
    void pointwiseKernels(DType dt) {
        for (int groups : new int[] {1, 2, 3, 6}) {
            int[] x = {2, 6, 3, 5, 7}, w = {6, 6 / groups, 1, 1, 1};
            check(dt, Case.of(x, w, 1, 0, 1, groups), true);
            check(dt, Case.of(x, w, 2, 0, 1, groups), false);
            check(dt, Case.of(x, w, 1, 1, 1, groups), false);
        }
    }

    /** Depthwise: groups = C, one filter (or a few) per input channel. */
    @ParameterizedTest
    @EnumSource(names = {"F32", "F64", "BF16"})
    void depthwise(DType dt) {
        for (int mult : new int[] {1, 3}) {
            int[] x = {2, 5, 5, 7, 3}, w = {5 * mult, 1, 3, 3, 3};
            check(dt, Case.of(x, w, 1, 1, 1, 5), true);
            check(dt, Case.of(x, w, new int[] {2, 1, 2}, new int[] {0, 2, 1}, new int[] {1, 2, 1}, 5), false);
        }
    }

    /**
     * Cases big enough for several blocks of output positions per sample (8 * 27 im2col rows against a
     * 10 x 24 x 24 output; block edges fall inside output rows), run on 1, 3 and 8 threads so that every
     * way of splitting the work is taken: the input gradient one sample-and-group per thread or with the
     * GEMM and col2im spread over the pool, the weight gradient cut by im2col rows, by samples into
     * private sums, or both.
     */
    @Test
    void blockingAndThreadCounts() {
        int saved = Parallel.threads();
        try {
            for (int threads : new int[] {1, 3, 8}) {
                Parallel.setThreads(threads);
                for (DType dt : new DType[] {DType.F32, DType.F64}) {
                    check(dt, Case.of(new int[] {1, 8, 10, 24, 24}, new int[] {4, 8, 3, 3, 3}, 1, 1, 1, 1), false);
                    check(dt, Case.of(new int[] {3, 2, 9, 17, 17}, new int[] {8, 2, 3, 3, 3}, 1, 1, 1, 1), false);
                    check(dt, Case.of(new int[] {2, 16, 5, 9, 9}, new int[] {8, 4, 3, 3, 3},
                            new int[] {1, 2, 1}, new int[] {1, 0, 2}, new int[] {2, 1, 1}, 4), false);
                    check(dt, Case.of(new int[] {2, 6, 7, 13, 13}, new int[] {12, 6, 1, 1, 1}, 1, 0, 1, 1), false);
                }
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }

    @Test
    void emptyAndDegenerateShapes() {
        // empty batch: both gradients exist and are zero-sized or zero
        check(DType.F32, Case.of(new int[] {0, 2, 3, 3, 3}, new int[] {4, 2, 3, 3, 3}, 1, 1, 1, 1), false);
        // no input channels: the input gradient is empty, the weight gradient [4, 0, 3, 3, 3]
        check(DType.F32, Case.of(new int[] {1, 0, 3, 3, 3}, new int[] {4, 0, 3, 3, 3}, 1, 1, 1, 1), false);
        // no output channels: nothing flows back to the input
        check(DType.F64, Case.of(new int[] {2, 3, 4, 4, 4}, new int[] {0, 3, 2, 2, 2}, 1, 0, 1, 1), false);
        Tensor gx = Dispatch.call(Op.CONV3D_BACKWARD_INPUT,
                Case.of(new int[] {2, 3, 4, 4, 4}, new int[] {0, 3, 2, 2, 2}, 1, 0, 1, 1).input(),
                Tensor.zeros(2, 0, 3, 3, 3), Tensor.zeros(0, 3, 2, 2, 2));
        assertArrayEquals(new int[] {2, 3, 4, 4, 4}, gx.shape());
        assertEquals(0, gx.abs().sum().item());
    }

    /**
     * The two gradients are the adjoints of conv3d in each argument: for any x, w and gy,
     * <conv3d(x, w), gy> = <x, backward_input(gy, w)> = <w, backward_weight(x, gy)>. This ties the backward
     * kernels to the forward kernel independently of the reference. Checked in F64 to 1e-10 of the sum
     * of the absolute products, far below the O(1) change any indexing mistake makes.
     */
    @Test
    void adjointIdentities() {
        Random r = new Random(7);
        for (int i = 0; i < 40; i++) {
            Case c = randomCase(r);
            Tensor x = OpCheck.random(rnd, DType.F64, c.x());
            Tensor w = OpCheck.random(rnd, DType.F64, c.w());
            Tensor gy = OpCheck.random(rnd, DType.F64, c.y());
            if (i % 3 == 1) {
                x = OpCheck.relayout(x, "transposed");
                gy = OpCheck.relayout(gy, "strided");
            }
            Tensor y = Functional.conv3d(x, w, null, c.s(), c.p(), c.d(), c.groups());
            Tensor gx = Dispatch.call(Op.CONV3D_BACKWARD_INPUT, c.input(), gy, w);
            Tensor gw = Dispatch.call(Op.CONV3D_BACKWARD_WEIGHT, c.weight(), x, gy);
            double[] yg = dot(y, gy), xg = dot(x, gx), wg = dot(w, gw);
            double scale = 1e-10 * Math.max(1, Math.max(yg[1], Math.max(xg[1], wg[1])));
            assertEquals(yg[0], xg[0], scale, "<conv3d(x, w), gy> vs <x, backward_input> for " + c);
            assertEquals(yg[0], wg[0], scale, "<conv3d(x, w), gy> vs <w, backward_weight> for " + c);
        }
    }

    /** The dot product of a and b, and the sum of the absolute values of its terms. */
    private static double[] dot(Tensor a, Tensor b) {
        assertArrayEquals(a.shape(), b.shape());
        double[] u = a.toDoubleArray(), v = b.toDoubleArray();
        double s = 0, abs = 0;
        for (int i = 0; i < u.length; i++) {
            s += u[i] * v[i];
            abs += Math.abs(u[i] * v[i]);
        }
        return new double[] {s, abs};
    }

    private static void assertFails(String[] fragments, Runnable call) {
        var e = assertThrows(IllegalArgumentException.class, call::run);
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "message lacks '" + f + "': " + e.getMessage());
    }

    @Test
    void backwardInputErrors() {
        Case c = Case.of(new int[] {1, 4, 5, 5, 5}, new int[] {6, 4, 3, 3, 3}, 1, 0, 1, 1);
        Tensor w = Tensor.zeros(6, 4, 3, 3, 3);
        assertFails(new String[] {"conv3d_backward_input", "gradOutput must have the conv3d output shape [1, 6, 3, 3, 3]",
                "f32[1, 6, 3, 3, 4]", "f32[6, 4, 3, 3, 3]", "inputShape [1, 4, 5, 5, 5]"},
                () -> Dispatch.call(Op.CONV3D_BACKWARD_INPUT, c.input(), Tensor.zeros(1, 6, 3, 3, 4), w));
        assertFails(new String[] {"conv3d_backward_input", "output shape", "f32[6, 3, 3, 3]"},
                () -> Dispatch.call(Op.CONV3D_BACKWARD_INPUT, c.input(), Tensor.zeros(6, 3, 3, 3), w));
        assertFails(new String[] {"conv3d_backward_input", "inputShape must have 5 values", "[4, 5, 5, 5]"},
                () -> Dispatch.call(Op.CONV3D_BACKWARD_INPUT, c.base().with("inputShape", new int[] {4, 5, 5, 5}),
                        Tensor.zeros(1, 6, 3, 3, 3), w));
        assertFails(new String[] {"conv3d_backward_input", "negative dimension", "[1, -4, 5, 5, 5]"},
                () -> Dispatch.call(Op.CONV3D_BACKWARD_INPUT, c.base().with("inputShape", new int[] {1, -4, 5, 5, 5}),
                        Tensor.zeros(1, 6, 3, 3, 3), w));
        assertFails(new String[] {"conv3d_backward_input", "weight must be 5-d", "f32[6, 4, 3, 3]"},
                () -> Dispatch.call(Op.CONV3D_BACKWARD_INPUT, c.input(), Tensor.zeros(1, 6, 3, 3, 3), Tensor.zeros(6, 4, 3, 3)));
        assertFails(new String[] {"conv3d_backward_input", "input has 4 channels", "expects 2 * groups 1", "f32[6, 2, 3, 3, 3]"},
                () -> Dispatch.call(Op.CONV3D_BACKWARD_INPUT, c.input(), Tensor.zeros(1, 6, 3, 3, 3), Tensor.zeros(6, 2, 3, 3, 3)));
        assertFails(new String[] {"conv3d_backward_input", "same dtype", "f64[1, 6, 3, 3, 3]", "f32[6, 4, 3, 3, 3]"},
                () -> Dispatch.call(Op.CONV3D_BACKWARD_INPUT, c.input(), Tensor.zeros(DType.F64, 1, 6, 3, 3, 3), w));
        assertFails(new String[] {"conv3d_backward_input", "floating", "i64[1, 6, 3, 3, 3]"},
                () -> Dispatch.call(Op.CONV3D_BACKWARD_INPUT, c.input(), Tensor.zeros(DType.I64, 1, 6, 3, 3, 3),
                        Tensor.zeros(DType.I64, 6, 4, 3, 3, 3)));
        assertFails(new String[] {"conv3d_backward_input", "stride", "[0, 1, 1]"},
                () -> Dispatch.call(Op.CONV3D_BACKWARD_INPUT, c.input().with("stride", new int[] {0, 1, 1}),
                        Tensor.zeros(1, 6, 3, 3, 3), w));
    }

    @Test
    void backwardWeightErrors() {
        Case c = Case.of(new int[] {1, 4, 5, 5, 5}, new int[] {6, 2, 3, 3, 3}, 2, 1, 1, 2);
        Tensor x = Tensor.zeros(1, 4, 5, 5, 5);
        assertFails(new String[] {"conv3d_backward_weight", "gradOutput must have the conv3d output shape [1, 6, 3, 3, 3]",
                "f32[1, 4, 5, 5, 5]", "f32[1, 6, 5, 5, 5]", "weightShape [6, 2, 3, 3, 3]", "stride [2, 2, 2]", "groups 2"},
                () -> Dispatch.call(Op.CONV3D_BACKWARD_WEIGHT, c.weight(), x, Tensor.zeros(1, 6, 5, 5, 5)));
        assertFails(new String[] {"conv3d_backward_weight", "weightShape must have 5 values", "[6, 2, 3, 3]"},
                () -> Dispatch.call(Op.CONV3D_BACKWARD_WEIGHT, c.base().with("weightShape", new int[] {6, 2, 3, 3}),
                        x, Tensor.zeros(1, 6, 3, 3, 3)));
        assertFails(new String[] {"conv3d_backward_weight", "input must be 5-d", "f32[4, 5, 5, 5]"},
                () -> Dispatch.call(Op.CONV3D_BACKWARD_WEIGHT, c.weight(), Tensor.zeros(4, 5, 5, 5), Tensor.zeros(1, 6, 3, 3, 3)));
        assertFails(new String[] {"conv3d_backward_weight", "output channels 6", "groups 4", "weightShape [6, 1, 3, 3, 3]"},
                () -> Dispatch.call(Op.CONV3D_BACKWARD_WEIGHT, c.base().with("groups", 4).with("weightShape",
                        new int[] {6, 1, 3, 3, 3}), x, Tensor.zeros(1, 6, 3, 3, 3)));
        assertFails(new String[] {"conv3d_backward_weight", "same dtype", "f32[1, 4, 5, 5, 5]", "bf16[1, 6, 3, 3, 3]"},
                () -> Dispatch.call(Op.CONV3D_BACKWARD_WEIGHT, c.weight(), x, Tensor.zeros(DType.BF16, 1, 6, 3, 3, 3)));
        assertFails(new String[] {"conv3d_backward_weight", "kernel sizes must be positive", "weightShape [6, 2, 0, 3, 3]"},
                () -> Dispatch.call(Op.CONV3D_BACKWARD_WEIGHT, c.base().with("weightShape", new int[] {6, 2, 0, 3, 3}),
                        x, Tensor.zeros(1, 6, 3, 3, 3)));
    }
}
