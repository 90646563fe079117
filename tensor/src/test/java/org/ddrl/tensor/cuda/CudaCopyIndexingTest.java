package org.ddrl.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
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

/** Creation, copies and casts, cat, pad, gather, index_select and scatter_add on CUDA devices. */
class CudaCopyIndexingTest {
    private final Random rnd = new Random(3);

    private Tensor rand(DType dt, double lo, double hi, int... shape) {
        Tensor t = OpCheck.random(rnd, dt, lo, hi, shape);
        return shape.length == 0 ? t.view() : t;
    }

    @Test
    void creationOpsInEveryDtype() {
        for (Device dev : DeviceCheck.devices()) {
            for (DType dt : DType.values()) {
                for (double v : new double[] {0, -0.0, 1.5, -7, 1e10}) {
                    DeviceCheck.check(dev, 1, Op.FULL, Attrs.of("shape", new int[] {3, 17}, "dtype", dt, "value", v, "device", dev));
                }
                DeviceCheck.check(dev, 1, Op.ARANGE, Attrs.of("start", -3.0, "step", 0.5, "n", 33, "dtype", dt, "device", dev));
                DeviceCheck.check(dev, 1, Op.ARANGE, Attrs.of("start", 5.0, "step", -2.0, "n", 17, "dtype", dt, "device", dev));
                DeviceCheck.check(dev, 1, Op.LINSPACE, Attrs.of("start", -1.0, "end", 2.0, "n", 17, "dtype", dt, "device", dev));
                DeviceCheck.check(dev, 1, Op.LINSPACE, Attrs.of("start", 4.0, "end", 4.0, "n", 1, "dtype", dt, "device", dev));
                DeviceCheck.check(dev, 1, Op.EYE, Attrs.of("n", 5, "m", 7, "dtype", dt, "device", dev));
                DeviceCheck.check(dev, 1, Op.EYE, Attrs.of("n", 4, "m", 2, "dtype", dt, "device", dev));
            }
            // the CPU's exact integer arange, past what a double holds
            long start = (1L << 60) + 1;
            Tensor a = Tensor.arange(start, start + 3, 1, DType.I64, dev);
            assertArrayEquals(Tensor.arange(start, start + 3, 1, DType.I64, Device.CPU).toLongArray(), a.toLongArray());
            assertEquals(0, Tensor.zeros(DType.F32, dev, 0, 3).numel());
        }
    }

    @Test
    void castsBetweenEveryPairOfDtypesMatchTheCpu() {
        double[] special = {0, -0.0, 1, -1, 0.5, -2.5, 3.4e38, -3.4e38, 1e300, Float.MIN_VALUE, 6.1e-5, 65504, 65520, 1e-8, Double.NaN,
            Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 9.3e18, -9.3e18, 2147483648.0, 255.5, 1.00390625, 1.005859375};
        for (Device dev : DeviceCheck.devices()) {
            for (DType from : DType.values()) {
                Tensor src = Tensor.of(special).to(from);
                for (DType to : DType.values()) {
                    Tensor cpu = src.to(to), cuda = src.to(dev).to(to);
                    assertEquals(to, cuda.dtype());
                    if (to.isFloatingPoint()) {
                        assertArrayEquals(cpu.toDoubleArray(), cuda.toDoubleArray(), from + " -> " + to);
                    } else {
                        assertArrayEquals(cpu.toLongArray(), cuda.toLongArray(), from + " -> " + to);
                    }
                    DeviceCheck.checkLayouts(dev, 1, Op.CAST, Attrs.of("dtype", to), rand(from, -100, 100, 3, 5, 7));
                }
                DeviceCheck.checkLayouts(dev, 1, Op.CONTIGUOUS, Attrs.NONE, rand(from, -100, 100, 2, 33, 17));
            }
        }
    }

    @Test
    void halfPrecisionRoundsToNearestEvenLikeTheCpu() {
        for (Device dev : DeviceCheck.devices()) {
            // every float bit pattern step that crosses the half and bfloat16 rounding boundaries, subnormals included
            float[] v = new float[4096];
            Random r = new Random(1);
            for (int i = 0; i < v.length; i++) v[i] = Float.intBitsToFloat(r.nextInt());
            for (int i = 0; i < 64; i++) v[i] = Float.intBitsToFloat(0x33000000 + i * 0x00010000 + (i & 3) * 0x1000);
            Tensor x = Tensor.of(v);
            for (DType half : new DType[] {DType.F16, DType.BF16}) {
                assertArrayEquals(x.to(half).toFloatArray(), x.to(dev).to(half).toFloatArray(), half.toString());
            }
        }
    }

    @Test
    void assignBroadcastsConvertsAndHandlesAnOverlappingSource() {
        for (Device dev : DeviceCheck.devices()) {
            DeviceCheck.check(dev, 1, Op.ASSIGN, Attrs.NONE, rand(DType.F32, -2, 2, 3, 33, 17), rand(DType.F64, -2, 2, 33, 1));
            DeviceCheck.check(dev, 1, Op.ASSIGN, Attrs.NONE, rand(DType.I32, -9, 9, 4, 5), rand(DType.BF16, -9, 9, 5));
            // a source that overlaps the destination (its own transpose)
            Tensor cpu = rand(DType.F32, -2, 2, 5, 5);
            Tensor m = cpu.to(dev);
            Tensor r = m.copyFrom(m.t());
            assertSame(m, r);
            assertArrayEquals(cpu.t().contiguous().toFloatArray(), m.toFloatArray());
            Tensor f = Tensor.zeros(DType.F16, dev, 2, 3).fill(2.5);
            assertArrayEquals(new float[] {2.5f, 2.5f, 2.5f, 2.5f, 2.5f, 2.5f}, f.toFloatArray());
        }
    }

    @Test
    void catAlongEachDim() {
        for (Device dev : DeviceCheck.devices()) {
            for (DType dt : DType.values()) {
                DeviceCheck.check(dev, 1, Op.CAT, Attrs.of("dim", 1), rand(dt, -2, 2, 3, 5, 7), rand(dt, -2, 2, 3, 2, 7),
                        rand(dt, -2, 2, 3, 0, 7), rand(dt, -2, 2, 3, 1, 7));
                DeviceCheck.check(dev, 1, Op.CAT, Attrs.of("dim", -1), rand(dt, -2, 2, 3, 5), rand(dt, -2, 2, 3, 4));
                DeviceCheck.check(dev, 1, Op.CAT, Attrs.of("dim", 0), rand(dt, -2, 2, 3, 5), rand(dt, -2, 2, 4, 5));
            }
            Tensor a = rand(DType.F32, -2, 2, 3, 5).to(dev);
            Tensor joined = Tensor.cat(0, DeviceCheck.relayout(a, "transposed"), DeviceCheck.relayout(a, "strided"));
            assertArrayEquals(Tensor.cat(0, a, a).toFloatArray(), joined.toFloatArray());
            assertTrue(assertThrows(IllegalArgumentException.class, () -> Tensor.cat(0, a, a.to(DType.F64))).getMessage()
                    .contains("cat: input 1 has dtype f64[3, 5] but input 0 has f32[3, 5]"));
        }
    }

    @Test
    void padInEveryMode() {
        for (Device dev : DeviceCheck.devices()) {
            for (DType dt : new DType[] {DType.F32, DType.BF16, DType.I64, DType.BOOL}) {
                for (String mode : new String[] {"constant", "reflect", "replicate"}) {
                    DeviceCheck.checkLayouts(dev, 1, Op.PAD, Attrs.of("pads", new int[] {1, 2, 0, 3}, "mode", mode, "value", 0.5),
                            rand(dt, -5, 5, 3, 5, 7));
                    DeviceCheck.check(dev, 1, Op.PAD, Attrs.of("pads", new int[] {2, 1, 1, 1, 1, 0}, "mode", mode, "value", -1.0),
                            rand(dt, -5, 5, 3, 5, 7));
                }
                DeviceCheck.check(dev, 1, Op.PAD, Attrs.of("pads", new int[] {-1, 2, -2, -1}, "mode", "constant", "value", 3.0),
                        rand(dt, -5, 5, 3, 5, 7));
            }
            Tensor x = Tensor.zeros(DType.F32, dev, 2, 3);
            assertTrue(assertThrows(IllegalArgumentException.class, () -> x.pad(new int[] {3, 0}, "reflect", 0)).getMessage()
                    .contains("pad: reflect pads (3, 0) of dim 1 must be smaller than its size 3"));
        }
    }

    @Test
    void gatherAndIndexSelect() {
        for (Device dev : DeviceCheck.devices()) {
            for (DType dt : new DType[] {DType.F32, DType.F16, DType.I32, DType.BOOL}) {
                for (DType it : new DType[] {DType.I64, DType.I32}) {
                    DeviceCheck.checkLayouts(dev, 1, Op.GATHER, Attrs.of("dim", 1), rand(dt, -5, 5, 5, 7), rand(it, 0, 7, 5, 3));
                    DeviceCheck.check(dev, 1, Op.GATHER, Attrs.of("dim", 0), rand(dt, -5, 5, 5, 7, 3), rand(it, 0, 5, 9, 2, 3));
                    DeviceCheck.checkLayouts(dev, 1, Op.INDEX_SELECT, Attrs.of("dim", 0), rand(dt, -5, 5, 5, 7), rand(it, 0, 5, 9));
                    DeviceCheck.check(dev, 1, Op.INDEX_SELECT, Attrs.of("dim", -1), rand(dt, -5, 5, 2, 5, 7), rand(it, 0, 7, 11));
                }
            }
            Tensor x = rand(DType.F32, -5, 5, 4, 6).to(dev);
            Tensor idx = Tensor.of(new long[] {0, 1, 2, 6, 1, -1}, 2, 3).to(dev);
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> x.gather(1, idx));
            assertTrue(e.getMessage().contains("gather: index 6 is out of range for dim 1 of size 6") && e.getMessage().contains("[1, 0]"),
                    e.getMessage());
            e = assertThrows(IndexOutOfBoundsException.class, () -> x.indexSelect(0, Tensor.of(new int[] {1, 3, 4, 0}).to(dev)));
            assertTrue(e.getMessage().contains("index_select: index 4 is out of range for dim 0 of size 4")
                    && e.getMessage().contains("position 2 of the index"), e.getMessage());
        }
    }

    @Test
    void scatterAddAccumulatesDuplicates() {
        for (Device dev : DeviceCheck.devices()) {
            for (DType dt : new DType[] {DType.F32, DType.F64, DType.BF16, DType.I64, DType.I32}) {
                DeviceCheck.check(dev, 1, Op.SCATTER_ADD, Attrs.of("dim", 0), rand(dt, -2, 2, 5, 7), rand(DType.I64, 0, 5, 9, 6),
                        rand(dt, -2, 2, 9, 7));
                DeviceCheck.checkLayouts(dev, 1, Op.SCATTER_ADD, Attrs.of("dim", 1), rand(dt, -2, 2, 3, 4), rand(DType.I32, 0, 4, 3, 8),
                        rand(dt, -2, 2, 3, 9));
            }
            Tensor base = Tensor.zeros(DType.F32, dev, 3);
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                    () -> base.scatterAdd(0, Tensor.of(new long[] {0, 3}).to(dev), Tensor.of(new float[] {1, 2}).to(dev)));
            assertTrue(e.getMessage().contains("scatter_add: index value 3 at position [1]"), e.getMessage());
        }
    }
}
