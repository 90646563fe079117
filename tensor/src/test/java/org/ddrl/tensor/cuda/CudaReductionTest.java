package org.ddrl.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.testing.OpCheck;
import org.junit.jupiter.api.Test;

/** Reductions, argmax/argmin and softmax on CUDA devices against the reference. */
class CudaReductionTest {
    private final Random rnd = new Random(9);

    private Tensor rand(DType dt, double lo, double hi, int... shape) {
        Tensor t = OpCheck.random(rnd, dt, lo, hi, shape);
        return shape.length == 0 ? t.view() : t;
    }

    private static final int[][] DIMS = {{}, {0}, {2}, {-1, 0}, {1, 2}, {0, 1, 2}};

    @Test
    void reductionsOverAnyDimsInEveryDtype() {
        for (Device dev : DeviceCheck.devices()) {
            for (Op op : new Op[] {Op.SUM, Op.MEAN, Op.VAR, Op.MAX, Op.MIN, Op.LOGSUMEXP}) {
                for (DType dt : DType.values()) {
                    if ((op == Op.MEAN || op == Op.VAR) && !dt.isFloatingPoint()) continue;
                    for (int[] dims : DIMS) {
                        for (boolean keep : new boolean[] {false, true}) {
                            Attrs a = Attrs.of("dims", dims, "keepdim", keep, "correction", 1);
                            // sums of up to 5 * 17 * 33 terms: the float accumulation order differs from the reference's
                            DeviceCheck.check(dev, 8, op, a, rand(dt, -3, 3, 5, 17, 33));
                        }
                    }
                    DeviceCheck.checkLayouts(dev, 8, op, Attrs.of("dims", new int[] {1}, "keepdim", false, "correction", 0),
                            rand(dt, -3, 3, 3, 65, 7));
                    DeviceCheck.check(dev, 1, op, Attrs.of("dims", new int[0], "keepdim", false, "correction", 0), rand(dt, -3, 3));
                }
            }
        }
    }

    @Test
    void longRowsAreSplitOverSeveralBlocks() {
        for (Device dev : DeviceCheck.devices()) {
            for (Op op : new Op[] {Op.SUM, Op.MEAN, Op.VAR, Op.MAX, Op.MIN, Op.LOGSUMEXP}) {
                for (DType dt : DType.values()) {
                    if ((op == Op.MEAN || op == Op.VAR) && !dt.isFloatingPoint()) continue;
                    Attrs rows = Attrs.of("dims", new int[] {1}, "keepdim", false, "correction", 1);
                    // float sums of 5001 terms (in parts of about 2048, then across parts)
                    DeviceCheck.check(dev, 16, op, rows, rand(dt, -2, 2, 3, 5001));
                    DeviceCheck.check(dev, 16, op, Attrs.of("dims", new int[0], "keepdim", true, "correction", 0),
                            rand(dt, -2, 2, 7, 31, 40));
                }
            }
            Tensor big = Tensor.full(1, DType.I64, Device.CPU, 70001).mul(Tensor.scalar(1L << 40, DType.I64, Device.CPU));
            assertEquals(70001L << 40, big.to(dev).sum().itemLong(), "integer sums are exact");
            float[] v = new float[9000];
            java.util.Arrays.fill(v, Float.NEGATIVE_INFINITY);
            Tensor ninf = Tensor.of(v).to(dev);
            assertEquals(Float.NEGATIVE_INFINITY, ninf.logsumexp(0).toFloatArray()[0], "an all -inf row");
            v[8000] = Float.NaN;
            Tensor nan = Tensor.of(v).to(dev);
            assertTrue(Float.isNaN(nan.max().toFloatArray()[0]) && Float.isNaN(nan.min().toFloatArray()[0]));
            assertTrue(Float.isNaN(nan.sum().toFloatArray()[0]) && Float.isNaN(nan.logsumexp(0).toFloatArray()[0]));
        }
    }

    @Test
    void specialValuesFollowTheCpu() {
        for (Device dev : DeviceCheck.devices()) {
            Tensor x = Tensor.of(new float[] {1, Float.NaN, 3, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY}, 2, 3)
                    .to(dev);
            float[] max = x.max(new int[] {1}, false).toFloatArray();
            assertTrue(Float.isNaN(max[0]));
            assertEquals(Float.NEGATIVE_INFINITY, max[1]);
            assertEquals(Float.NEGATIVE_INFINITY, x.logsumexp(1).toFloatArray()[1], "an all -inf row");
            assertArrayEquals(new long[] {1, 0}, x.argmax(1, false).toLongArray(), "NaN wins, then the first of equals");
            assertTrue(Float.isNaN(x.softmax(1).toFloatArray()[3]), "softmax of an all -inf row is NaN");
            Tensor ties = Tensor.of(new int[] {4, 9, 9, 1, 1, 4}, 2, 3).to(dev);
            assertArrayEquals(new long[] {1, 2}, ties.argmax(1, false).toLongArray());
            assertArrayEquals(new long[] {0, 0}, ties.argmin(1, false).toLongArray());
            // reducing nothing: the identity where there is one
            Tensor empty = Tensor.zeros(DType.F32, dev, 3, 0);
            assertArrayEquals(new float[] {0, 0, 0}, empty.sum(1).toFloatArray());
            assertTrue(Float.isNaN(empty.mean(1).toFloatArray()[0]));
            assertEquals(Float.NEGATIVE_INFINITY, empty.logsumexp(1).toFloatArray()[2]);
            assertTrue(assertThrows(IllegalArgumentException.class, () -> empty.max(new int[] {1}, false)).getMessage()
                    .contains("max: cannot reduce over dims [1] of input f32[3, 0]"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> empty.argmax(1, false)).getMessage()
                    .contains("argmax: cannot reduce over dim 1 of input f32[3, 0]: it has size 0"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> ties.mean()).getMessage()
                    .contains("mean: needs a floating-point input, got i32[2, 3]"));
        }
    }

    @Test
    void argmaxAndArgminAlongEachDim() {
        for (Device dev : DeviceCheck.devices()) {
            for (DType dt : DType.values()) {
                for (int dim : new int[] {0, 1, -1}) {
                    for (boolean keep : new boolean[] {false, true}) {
                        DeviceCheck.checkLayouts(dev, 1, Op.ARGMAX, Attrs.of("dim", dim, "keepdim", keep), rand(dt, -5, 5, 7, 33, 5));
                        DeviceCheck.check(dev, 1, Op.ARGMIN, Attrs.of("dim", dim, "keepdim", keep), rand(dt, -5, 5, 7, 33, 5));
                    }
                }
                DeviceCheck.check(dev, 1, Op.ARGMAX, Attrs.of("dim", 0, "keepdim", false), rand(dt, -5, 5));
            }
        }
    }

    @Test
    void softmaxAlongEachDim() {
        for (Device dev : DeviceCheck.devices()) {
            for (DType dt : new DType[] {DType.F32, DType.F64, DType.BF16, DType.F16}) {
                for (int dim : new int[] {0, 1, 2, -1}) {
                    DeviceCheck.checkLayouts(dev, 2, Op.SOFTMAX, Attrs.of("dim", dim), rand(dt, -6, 6, 3, 17, 33));
                    DeviceCheck.checkLayouts(dev, 2, Op.LOG_SOFTMAX, Attrs.of("dim", dim), rand(dt, -6, 6, 3, 17, 33));
                }
                DeviceCheck.check(dev, 1, Op.SOFTMAX, Attrs.of("dim", 0), rand(dt, -6, 6));
            }
            assertTrue(assertThrows(IllegalArgumentException.class, () -> Tensor.of(new int[] {1, 2}).to(dev).softmax(0)).getMessage()
                    .startsWith("softmax: needs a floating-point input"));
        }
    }
}
