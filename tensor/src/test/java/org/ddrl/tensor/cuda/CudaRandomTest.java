package org.ddrl.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;
import org.junit.jupiter.api.Test;

/**
 * The Philox ops on CUDA devices give the CPU's tensors for the same generator state: uniform and randint
 * bit for bit, normal equal after rounding to F32 and the half types, and within a few ulps in F64 (CUDA's
 * double log, sin and cos against StrictMath's).
 */
class CudaRandomTest {
    /** Odd sizes (partial counter blocks), and seeds whose high word matters. */
    private static final int[][] SHAPES = {{1}, {3, 33}, {1001}};
    private static final long[] SEEDS = {0, 42, 0x1234_5678_9abc_def0L};

    @Test
    void uniformIsBitIdenticalToTheCpu() {
        for (Device dev : DeviceCheck.devices()) {
            for (DType dt : new DType[] {DType.F32, DType.F64, DType.BF16, DType.F16}) {
                for (long seed : SEEDS) {
                    for (int[] shape : SHAPES) {
                        Generator g = new Generator(seed), h = new Generator(seed);
                        g.setOffset(7);
                        h.setOffset(7);
                        Tensor cpu = Tensor.uniform(g, -1, 2, dt, Device.CPU, shape), cuda = Tensor.uniform(h, -1, 2, dt, dev, shape);
                        assertArrayEquals(cpu.toDoubleArray(), cuda.toDoubleArray(), dt + " seed " + seed);
                        assertEquals(g.offset(), h.offset());
                    }
                }
            }
            // a range where rounding can reach high: the result stays below it
            Tensor u = Tensor.uniform(new Generator(1), 0, 1e-30, DType.BF16, dev, 4001);
            for (double v : u.toDoubleArray()) assertTrue(v >= 0 && v < 1e-30, "uniform value " + v);
        }
    }

    @Test
    void randintIsBitIdenticalToTheCpuInEveryDtype() {
        long[][] ranges = {{-5, 17}, {0, 2}, {-(1L << 40), 1L << 50}, {Long.MIN_VALUE, Long.MAX_VALUE}};
        for (Device dev : DeviceCheck.devices()) {
            for (DType dt : DType.values()) {
                for (long[] r : ranges) {
                    if (dt != DType.I64 && (r[0] < -(1L << 8) || r[1] > 1L << 8)) continue; // the op refuses ranges a dtype cannot hold
                    if (dt == DType.BOOL && (r[0] < 0 || r[1] > 2)) continue;
                    for (long seed : SEEDS) {
                        Tensor cpu = Tensor.randint(new Generator(seed), r[0], r[1], dt, Device.CPU, 3, 33);
                        Tensor cuda = Tensor.randint(new Generator(seed), r[0], r[1], dt, dev, 3, 33);
                        assertArrayEquals(cpu.toLongArray(), cuda.toLongArray(), dt + " [" + r[0] + ", " + r[1] + ")");
                    }
                }
            }
        }
    }

    @Test
    void normalMatchesTheCpu() {
        for (Device dev : DeviceCheck.devices()) {
            for (DType dt : new DType[] {DType.F32, DType.BF16, DType.F16, DType.F64}) {
                for (long seed : SEEDS) {
                    for (int[] shape : SHAPES) {
                        double[] cpu = Tensor.normal(new Generator(seed), 0.5, 2, dt, Device.CPU, shape).toDoubleArray();
                        double[] cuda = Tensor.normal(new Generator(seed), 0.5, 2, dt, dev, shape).toDoubleArray();
                        if (dt != DType.F64) {
                            assertArrayEquals(cpu, cuda, dt + " seed " + seed);
                        } else {
                            for (int i = 0; i < cpu.length; i++) {
                                assertEquals(cpu[i], cuda[i], 8 * Math.ulp(cpu[i]) + 1e-15, "F64 normal element " + i);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void argumentsAreCheckedWithTheCpusMessages() {
        for (Device dev : DeviceCheck.devices()) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> Tensor.randint(new Generator(1), 0, 1000, DType.BF16, dev, 3))
                    .getMessage().contains("rand_int: [0, 1000) does not fit bf16"));
            assertTrue(assertThrows(IllegalArgumentException.class,
                    () -> Tensor.uniform(new Generator(1), 0, Double.POSITIVE_INFINITY, DType.F32, dev, 3)).getMessage()
                    .contains("rand_uniform: need finite low < high"));
        }
    }
}
