package org.ddrl.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.ddrl.kernels.cpu.Parallel;
import org.ddrl.tensor.testing.OpCheck;
import org.junit.jupiter.api.Test;

/**
 * conv3d and both gradients give the same bits on 1, 2 and 3 threads (the weight gradient's sums over
 * samples and positions are cut by the shapes alone), and the shifted-plane im2col / col2im of same-size
 * stride-1 convolutions match the reference at the geometries that stress it: rows narrower than a vector
 * (W = 8), dilated taps that wrap two columns, uneven kernels and paddings per dim, and a plane smaller
 * than the kernel's reach.
 */
class ConvThreadsTest {
    private final Random rnd = new Random(41);

    private static Attrs attrs(int[] s, int[] p, int[] d, int groups) {
        return Attrs.of("stride", s, "padding", p, "dilation", d, "groups", groups);
    }

    private static int[] same(int v) {
        return new int[] {v, v, v};
    }

    private static long[] bits(Tensor t) {
        double[] v = t.to(DType.F64).toDoubleArray();
        long[] b = new long[v.length];
        for (int i = 0; i < v.length; i++) b[i] = Double.doubleToRawLongBits(v[i]);
        return b;
    }

    /** The three ops' results, as bits, on the given thread count. */
    private static long[][] run(int threads, Attrs a, Tensor x, Tensor w, Tensor gy) {
        int saved = Parallel.threads();
        try {
            Parallel.setThreads(threads);
            return new long[][] {
                bits(Dispatch.call(Op.CONV3D, a, x, w, null)),
                bits(Dispatch.call(Op.CONV3D_BACKWARD_INPUT, a.with("inputShape", x.shape()), gy, w)),
                bits(Dispatch.call(Op.CONV3D_BACKWARD_WEIGHT, a.with("weightShape", w.shape()), x, gy))};
        } finally {
            Parallel.setThreads(saved);
        }
    }

    /**
     * Shapes that take every way of splitting the weight gradient: many samples and blocks (several slices),
     * 32 output channels (the transposed products) and 8 (the plain ones), groups, im2col rows cut into
     * chunks when threads outnumber the slices, and positions spread over several blocks (2400 and 5760 per
     * sample), where a split that followed the thread count would change the sums.
     */
    @Test
    void sameBitsOnAnyThreadCount() {
        int[][] cases = { // n, c, o, d, h, w, groups
            {4, 8, 8, 4, 8, 8, 1}, {2, 4, 32, 3, 16, 16, 1}, {3, 8, 8, 5, 9, 24, 2}, {1, 32, 32, 2, 6, 6, 1},
            {1, 2, 4, 6, 20, 20, 1}, {1, 8, 4, 10, 24, 24, 1}};
        for (DType dt : new DType[] {DType.F32, DType.F64}) {
            for (int[] c : cases) {
                Tensor x = OpCheck.random(rnd, dt, c[0], c[1], c[3], c[4], c[5]);
                Tensor w = OpCheck.random(rnd, dt, c[2], c[1] / c[6], 3, 3, 3);
                Tensor gy = OpCheck.random(rnd, dt, c[0], c[2], c[3], c[4], c[5]);
                Attrs a = attrs(same(1), same(1), same(1), c[6]);
                long[][] one = run(1, a, x, w, gy);
                for (int threads : new int[] {2, 3}) {
                    long[][] more = run(threads, a, x, w, gy);
                    for (int op = 0; op < 3; op++) {
                        assertArrayEquals(one[op], more[op], dt + " case " + java.util.Arrays.toString(c) + " op " + op
                                + " on " + threads + " threads");
                    }
                }
            }
        }
    }

    /** Same-size stride-1 geometries against the reference, forward and both gradients, F32 and F64. */
    @Test
    void shiftedPlaneGeometries() {
        Object[][] cases = { // x shape, w shape, padding, dilation
            {new int[] {2, 3, 4, 8, 8}, new int[] {4, 3, 3, 3, 3}, same(1), same(1)},
            {new int[] {1, 2, 3, 8, 9}, new int[] {3, 2, 3, 3, 3}, same(2), same(2)},
            {new int[] {2, 2, 3, 5, 11}, new int[] {2, 2, 1, 3, 5}, new int[] {0, 1, 2}, same(1)},
            {new int[] {1, 3, 2, 3, 2}, new int[] {2, 3, 3, 5, 5}, new int[] {1, 2, 2}, same(1)},
            {new int[] {1, 2, 3, 4, 4}, new int[] {2, 2, 3, 3, 3}, new int[] {2, 2, 4}, new int[] {2, 2, 4}}};
        for (DType dt : new DType[] {DType.F32, DType.F64}) {
            for (Object[] c : cases) {
                int[] xs = (int[]) c[0], ws = (int[]) c[1], p = (int[]) c[2], d = (int[]) c[3];
                Attrs a = attrs(same(1), p, d, 1);
                Tensor x = OpCheck.random(rnd, dt, xs), w = OpCheck.random(rnd, dt, ws);
                Tensor y = OpCheck.check(8, Op.CONV3D, a, x, w, null);
                OpCheck.check(8, Op.CONV3D_BACKWARD_INPUT, a.with("inputShape", xs), OpCheck.random(rnd, dt, y.shape()), w);
                OpCheck.check(8, Op.CONV3D_BACKWARD_WEIGHT, a.with("weightShape", ws), x, OpCheck.random(rnd, dt, y.shape()));
            }
        }
    }
}
