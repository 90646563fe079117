package org.ddrl.tensor.rng;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.ddrl.kernels.cpu.Parallel;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Dispatch;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.reference.RefTensor;
import org.ddrl.tensor.reference.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** rand_uniform, rand_normal and rand_int: bit-exact against the reference, determinism, statistics, errors. */
class RandomOpsTest {
    private static final int[][] SHAPES = {{}, {1}, {3}, {17}, {33}, {3, 11}, {2, 3, 5}, {0, 4}};
    private static final Device CPU = Device.CPU;

    /** Runs op on the CPU and on the reference and demands identical bits. */
    private static Tensor checkExact(Op op, Attrs attrs) {
        RefTensor expected = Reference.eval(op, attrs);
        Tensor actual = Dispatch.call(op, attrs);
        assertArrayEquals(expected.shape(), actual.shape(), op.opName() + " " + attrs + ": shape");
        assertEquals(expected.dtype(), actual.dtype(), op.opName() + " " + attrs + ": dtype");
        assertArrayEquals(expected.data(), actual.toDoubleArray(), op.opName() + " " + attrs);
        return actual;
    }

    private static Attrs attrs(int[] shape, DType dt, String a, Object va, String b, Object vb, long seed, long offset) {
        return Attrs.of("shape", shape, "dtype", dt, a, va, b, vb, "seed", seed, "offset", offset, "device", CPU);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64", "BF16", "F16"})
    void uniformAndNormalMatchTheReferenceBitForBit(DType dt) {
        long seed = 0x5EED_0000_0001L;
        for (int[] shape : SHAPES) {
            for (long offset : new long[] {0, 7, (1L << 32) - 1}) {
                checkExact(Op.RAND_UNIFORM, attrs(shape, dt, "low", 0.0, "high", 1.0, seed, offset));
                checkExact(Op.RAND_UNIFORM, attrs(shape, dt, "low", -3.5, "high", 2.25, seed, offset));
                checkExact(Op.RAND_NORMAL, attrs(shape, dt, "mean", 0.0, "std", 1.0, seed, offset));
                checkExact(Op.RAND_NORMAL, attrs(shape, dt, "mean", 10.0, "std", 0.5, -seed, offset));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void randintMatchesTheReferenceBitForBit(DType dt) {
        long[][] ranges = dt == DType.BOOL ? new long[][] {{0, 2}, {1, 2}}
                : dt == DType.BF16 ? new long[][] {{0, 10}, {-256, 257}}
                : new long[][] {{0, 10}, {-7, 3}, {-1000, 1001}, {5, 6}};
        for (int[] shape : SHAPES) {
            for (long[] r : ranges) checkExact(Op.RAND_INT, attrs(shape, dt, "low", r[0], "high", r[1], 123, 3));
        }
        if (dt == DType.I64 || dt == DType.F64) {
            checkExact(Op.RAND_INT, attrs(new int[] {33}, dt, "low", -(1L << 52), "high", 1L << 52, 1, 0));
        }
    }

    /** The first words of the all-zero known answer (seed 0, offset 0) through the public API. */
    @Test
    void knownAnswerThroughTheTensorApi() {
        int[] w = {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8};
        float[] u = new float[4];
        for (int i = 0; i < 4; i++) u[i] = (w[i] >>> 8) * 0x1p-24f;
        assertArrayEquals(u, Tensor.rand(new Generator(0), 4).toFloatArray());

        long d0 = 0xe169c58d_6627e8d5L, d1 = 0x9b00dbd8_bc57ac4cL;
        assertArrayEquals(new double[] {(d0 >>> 11) * 0x1p-53, (d1 >>> 11) * 0x1p-53},
                Tensor.rand(new Generator(0), DType.F64, CPU, 2).toDoubleArray());
        assertArrayEquals(new long[] {Math.unsignedMultiplyHigh(d0, 1000), 5 + Math.unsignedMultiplyHigh(d1, 1000)},
                new long[] {Tensor.randint(new Generator(0), 0, 1000, 2).toLongArray()[0],
                    Tensor.randint(new Generator(0), 5, 1005, 2).toLongArray()[1]});

        double r = Math.sqrt(-2 * StrictMath.log(((w[0] & 0xFFFF_FFFFL) + 1) * 0x1p-32));
        double t = 2 * Math.PI * ((w[1] & 0xFFFF_FFFFL) * 0x1p-32);
        assertArrayEquals(new float[] {(float) (r * StrictMath.cos(t)), (float) (r * StrictMath.sin(t))},
                Tensor.randn(new Generator(0), 2).toFloatArray());
    }

    @Test
    void apiCallsReserveTheDocumentedBlocksAndMatchTheReference() {
        Generator g = new Generator(77);
        Tensor a = Tensor.uniform(g, -1, 1, DType.F32, CPU, 17);
        assertEquals(5, g.offset());
        Tensor b = Tensor.uniform(g, -1, 1, DType.F64, CPU, 17);
        assertEquals(14, g.offset());
        Tensor c = Tensor.normal(g, 2, 3, DType.F64, CPU, 3);
        assertEquals(16, g.offset());
        Tensor d = Tensor.randint(g, -5, 5, DType.I32, CPU, 17);
        assertEquals(25, g.offset());
        assertArrayEquals(Reference.eval(Op.RAND_UNIFORM, attrs(new int[] {17}, DType.F32, "low", -1.0, "high", 1.0, 77, 0)).data(),
                a.toDoubleArray());
        assertArrayEquals(Reference.eval(Op.RAND_UNIFORM, attrs(new int[] {17}, DType.F64, "low", -1.0, "high", 1.0, 77, 5)).data(),
                b.toDoubleArray());
        assertArrayEquals(Reference.eval(Op.RAND_NORMAL, attrs(new int[] {3}, DType.F64, "mean", 2.0, "std", 3.0, 77, 14)).data(),
                c.toDoubleArray());
        assertArrayEquals(Reference.eval(Op.RAND_INT, attrs(new int[] {17}, DType.I32, "low", -5L, "high", 5L, 77, 16)).data(),
                d.toDoubleArray());
    }

    @Test
    void sameSeedSameTensorAndConsecutiveCallsDiffer() {
        Generator g1 = new Generator(2024), g2 = new Generator(2024);
        float[] x1 = Tensor.randn(g1, 5, 7).toFloatArray();
        assertArrayEquals(x1, Tensor.randn(g2, 5, 7).toFloatArray());
        assertFalse(Arrays.equals(x1, Tensor.randn(g1, 5, 7).toFloatArray()), "a second call must continue the stream");
        assertFalse(Arrays.equals(x1, Tensor.randn(new Generator(2025), 5, 7).toFloatArray()), "another seed");
        g2.setOffset(0);
        assertArrayEquals(x1, Tensor.randn(g2, 5, 7).toFloatArray(), "rewinding the offset replays the stream");
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        int before = Parallel.threads();
        try {
            Parallel.setThreads(1);
            double[][] one = draws();
            Parallel.setThreads(2);
            double[][] two = draws();
            Parallel.setThreads(3);
            double[][] three = draws();
            for (int i = 0; i < one.length; i++) {
                assertArrayEquals(one[i], two[i], "1 vs 2 threads, case " + i);
                assertArrayEquals(one[i], three[i], "1 vs 3 threads, case " + i);
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    /** Tensors large enough to be split over several threads. */
    private static double[][] draws() {
        Generator g = new Generator(31);
        return new double[][] {
            Tensor.rand(g, 100_003).toDoubleArray(),
            Tensor.uniform(g, -2, 5, DType.F64, CPU, 70_001).toDoubleArray(),
            Tensor.randn(g, DType.BF16, CPU, 100_001).toDoubleArray(),
            Tensor.randn(g, DType.F64, CPU, 50_001).toDoubleArray(),
            Tensor.randint(g, -9, 1000, 60_001).toDoubleArray(),
        };
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return s / v.length;
    }

    private static double var(double[] v) {
        double m = mean(v), s = 0;
        for (double x : v) s += (x - m) * (x - m);
        return s / v.length;
    }

    /**
     * Sample mean and variance of 1e6 draws within 5 standard errors. For a mean the error is
     * sigma / sqrt(n); for a variance sqrt((mu4 - sigma^4) / n), with mu4 the fourth central moment.
     */
    private static void assertMoments(String what, double[] v, double mean, double var, double mu4) {
        int n = v.length;
        double m = mean(v), s2 = var(v);
        assertEquals(mean, m, 5 * Math.sqrt(var / n), what + ": mean");
        assertEquals(var, s2, 5 * Math.sqrt((mu4 - var * var) / n), what + ": variance");
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void momentsOfAMillionDraws(DType dt) {
        Generator g = new Generator(99);
        int n = 1_000_000;
        double[] u = Tensor.rand(g, dt, CPU, n).toDoubleArray();
        assertMoments("uniform [0, 1)", u, 0.5, 1 / 12.0, 1 / 80.0);
        for (double x : u) assertTrue(x >= 0 && x < 1, "uniform outside [0, 1): " + x);
        double[] w = Tensor.uniform(g, -3, 5, dt, CPU, n).toDoubleArray();
        assertMoments("uniform [-3, 5)", w, 1, 64 / 12.0, Math.pow(8, 4) / 80.0);
        double[] z = Tensor.randn(g, dt, CPU, n).toDoubleArray();
        assertMoments("normal", z, 0, 1, 3);
        double[] y = Tensor.normal(g, 4, 0.5, dt, CPU, n).toDoubleArray();
        assertMoments("normal(4, 0.5)", y, 4, 0.25, 3 * 0.0625);
    }

    @Test
    void randintCoversTheRangeAndNeverLeavesIt() {
        long[] v = Tensor.randint(new Generator(5), -3, 4, 100_000).toLongArray();
        int[] counts = new int[7];
        for (long x : v) {
            assertTrue(x >= -3 && x < 4, "randint outside [-3, 4): " + x);
            counts[(int) (x + 3)]++;
        }
        // each value expects 100000 / 7 = 14286 hits with a standard deviation of about 111
        for (int c : counts) assertEquals(100_000 / 7.0, c, 5 * 111, Arrays.toString(counts));
        int[] b = Tensor.randint(new Generator(5), 0, 2, DType.BOOL, CPU, 1000).toIntArray();
        assertTrue(Arrays.stream(b).anyMatch(x -> x == 0) && Arrays.stream(b).anyMatch(x -> x == 1));
        int[] one = Tensor.randint(new Generator(5), 41, 42, DType.I32, CPU, 33).toIntArray();
        assertTrue(Arrays.stream(one).allMatch(x -> x == 41));
    }

    /** Ranges past 2^53 cannot go through the F64 reference; compare with the documented formula directly. */
    @Test
    void randintOverTheWholeLongRange() {
        long low = Long.MIN_VALUE, high = Long.MAX_VALUE;
        long[] v = Tensor.randint(new Generator(8), low, high, DType.I64, CPU, 33).toLongArray();
        int negative = 0;
        for (int i = 0; i < v.length; i++) {
            assertEquals(low + Math.unsignedMultiplyHigh(Philox.draw64(8, 0, i), high - low), v[i], "element " + i);
            assertTrue(v[i] != Long.MAX_VALUE);
            if (v[i] < 0) negative++;
        }
        assertTrue(negative > 5 && negative < 28, "signs should be mixed, got " + negative + " negative of 33");
        int[] i32 = Tensor.randint(new Generator(8), Integer.MIN_VALUE, Integer.MAX_VALUE + 1L, DType.I32, CPU, 17).toIntArray();
        for (int i = 0; i < i32.length; i++) {
            assertEquals((int) (Integer.MIN_VALUE + Math.unsignedMultiplyHigh(Philox.draw64(8, 0, i), 1L << 32)), i32[i]);
        }
    }

    /** Rounding to the dtype may carry low + (high - low) * u up to high; such elements become low. */
    @Test
    void uniformNeverReturnsHighEvenAfterRounding() {
        // bf16 has no value strictly between 1 and 1 + 2^-7, so every draw rounds to one of them
        double high = 1 + 0x1p-7;
        double[] v = Tensor.uniform(new Generator(3), 1, high, DType.BF16, CPU, 1000).toDoubleArray();
        for (double x : v) assertEquals(1.0, x);
        double[] f = Tensor.rand(new Generator(3), DType.F16, CPU, 4096).toDoubleArray();
        assertEquals(1 - 0x1p-11, Arrays.stream(f).max().getAsDouble(), 0x1p-8, "largest f16 uniforms come close to 1");
        for (double x : f) assertTrue(x >= 0 && x < 1, "f16 uniform " + x);
    }

    @Test
    void errorsNameTheOpAndTheValues() {
        Generator g = new Generator(1);
        var e1 = assertThrows(IllegalArgumentException.class, () -> Tensor.uniform(g, 2, 2, DType.F32, CPU, 3));
        assertTrue(e1.getMessage().contains("rand") && e1.getMessage().contains("[2.0, 2.0)"), e1.getMessage());
        assertEquals(0, g.offset(), "a rejected call must not consume counters");
        var e2 = assertThrows(IllegalArgumentException.class, () -> Tensor.rand(g, DType.I32, CPU, 3));
        assertTrue(e2.getMessage().contains("rand") && e2.getMessage().contains("I32"), e2.getMessage());
        var e3 = assertThrows(IllegalArgumentException.class, () -> Tensor.randn(g, DType.I64, CPU, 3));
        assertTrue(e3.getMessage().contains("randn") && e3.getMessage().contains("I64"), e3.getMessage());
        var e4 = assertThrows(IllegalArgumentException.class, () -> Tensor.randint(g, 5, 5, 3));
        assertTrue(e4.getMessage().contains("randint") && e4.getMessage().contains("[5, 5)"), e4.getMessage());
        var e5 = assertThrows(IllegalArgumentException.class, () -> Tensor.normal(g, 0, -1, DType.F32, CPU, 3));
        assertTrue(e5.getMessage().contains("randn") && e5.getMessage().contains("-1"), e5.getMessage());
        var e6 = assertThrows(IllegalArgumentException.class, () -> Tensor.randint(g, 0, 3000, DType.F16, CPU, 3));
        assertTrue(e6.getMessage().contains("rand_int") && e6.getMessage().contains("f16") && e6.getMessage().contains("3000"),
                e6.getMessage());
        var e7 = assertThrows(IllegalArgumentException.class, () -> Tensor.randint(g, 0, (1L << 31) + 1, DType.I32, CPU, 3));
        assertTrue(e7.getMessage().contains("i32"), e7.getMessage());
        var e8 = assertThrows(IllegalArgumentException.class, () -> Tensor.randint(g, 0, 3, DType.BOOL, CPU, 3));
        assertTrue(e8.getMessage().contains("bool"), e8.getMessage());
        // direct calls reach the kernel's own checks
        var e9 = assertThrows(IllegalArgumentException.class,
                () -> Dispatch.call(Op.RAND_UNIFORM, attrs(new int[] {2}, DType.F32, "low", 1.0, "high", 0.0, 0, 0)));
        assertTrue(e9.getMessage().contains("rand_uniform") && e9.getMessage().contains("[1.0, 0.0)"), e9.getMessage());
        var e10 = assertThrows(IllegalArgumentException.class, () -> Dispatch.call(Op.RAND_UNIFORM,
                attrs(new int[] {2}, DType.F32, "low", -Double.MAX_VALUE, "high", Double.MAX_VALUE, 0, 0)));
        assertTrue(e10.getMessage().contains("finite high - low"), e10.getMessage());
        var e11 = assertThrows(IllegalArgumentException.class,
                () -> Dispatch.call(Op.RAND_NORMAL, attrs(new int[] {2}, DType.BOOL, "mean", 0.0, "std", 1.0, 0, 0)));
        assertTrue(e11.getMessage().contains("rand_normal") && e11.getMessage().contains("BOOL"), e11.getMessage());
    }
}
