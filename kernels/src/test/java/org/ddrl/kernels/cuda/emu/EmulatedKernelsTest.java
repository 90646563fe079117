package org.ddrl.kernels.cuda.emu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.ddrl.kernels.cpu.HalfFloats;
import org.ddrl.kernels.cuda.CudaException;
import org.ddrl.kernels.cuda.CudaFunction;
import org.ddrl.kernels.cuda.Dim3;
import org.ddrl.kernels.cuda.KernelArgs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each self-test kernel against a Java computation, on odd sizes: ragged grids and partial warps. */
class EmulatedKernelsTest {
    private static EmuTesting emu;

    @BeforeAll
    static void open() {
        emu = EmuTesting.openIfAvailable(true);
    }

    @BeforeEach
    void requireEmulator() {
        EmuTesting.assumeAvailable();
    }

    @AfterAll
    static void close() {
        if (emu != null) emu.close();
    }

    private static float[] randomFloats(int n, long seed) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = r.nextFloat() * 4 - 2;
        return a;
    }

    private static void launch(String kernel, Dim3 grid, Dim3 block, int shared, KernelArgs args) {
        launch(emu.kernel(kernel), grid, block, shared, args);
    }

    private static void launch(CudaFunction kernel, Dim3 grid, Dim3 block, int shared, KernelArgs args) {
        try (args) {
            emu.device.launch(kernel, grid, block, shared, emu.device.defaultStream(), args);
        }
        emu.device.synchronize();
    }

    @ParameterizedTest
    @CsvSource({"1, 128", "33, 32", "1000, 128", "100003, 256", "77, 1000"})
    void saxpyCoversARaggedLastBlock(int n, int block) {
        float[] x = randomFloats(n, n), y = randomFloats(n, n + 1);
        long dx = emu.upload(x), dy = emu.upload(y);
        launch("selftest_saxpy", Dim3.cover(n, block), Dim3.of(block), 0, new KernelArgs().i32(n).f32(1.5f).ptr(dx).ptr(dy));
        float[] got = emu.floats(dy, n);
        for (int i = 0; i < n; i++) assertEquals(1.5f * x[i] + y[i], got[i], 1e-6f, "y[" + i + "]");
        emu.device.free(dx);
        emu.device.free(dy);
    }

    @ParameterizedTest
    @CsvSource({"1, 1", "1000, 200", "3333, 256", "4099, 1024", "50, 33"})
    void blockSumUsesStaticSharedMemoryPerBlock(int n, int block) {
        float[] x = randomFloats(n, 7);
        int blocks = Dim3.cover(n, block).x();
        long dx = emu.upload(x), sums = emu.device.malloc(4L * blocks);
        launch("selftest_block_sum", Dim3.of(blocks), Dim3.of(block), 0, new KernelArgs().ptr(dx).ptr(sums).i32(n));
        float[] got = emu.floats(sums, blocks);
        for (int b = 0; b < blocks; b++) {
            double want = 0;
            for (int i = b * block; i < Math.min(n, (b + 1) * block); i++) want += x[i];
            assertEquals(want, got[b], 1e-4 * Math.sqrt(block), "block " + b); // float sums of up to 1024 terms
        }
        emu.device.free(dx);
        emu.device.free(sums);
    }

    @ParameterizedTest
    @CsvSource({"1000, 96", "5, 7", "2048, 512"})
    void dynamicSharedMemorySumAndBarrierVotes(int n, int block) {
        Random r = new Random(n);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = i < block ? 0.5 + r.nextDouble() : r.nextDouble() * 2 - 1;
        int blocks = Dim3.cover(n, block).x();
        long dx = emu.upload(x), sums = emu.device.malloc(8L * blocks), votes = emu.device.malloc(12L * blocks);
        launch("selftest_dynamic_sum", Dim3.of(blocks), Dim3.of(block), 8 * block,
                new KernelArgs().ptr(dx).ptr(sums).ptr(votes).i32(n));
        double[] got = emu.doubles(sums, blocks);
        int[] vote = emu.ints(votes, 3 * blocks);
        for (int b = 0; b < blocks; b++) {
            double want = 0;
            int positive = 0, inBlock = 0;
            for (int i = b * block; i < Math.min(n, (b + 1) * block); i++) {
                want += x[i];
                inBlock++;
                if (x[i] > 0) positive++;
            }
            assertEquals(want, got[b], 1e-12, "block " + b);
            assertEquals(positive, vote[3 * b], "__syncthreads_count, block " + b);
            assertEquals(positive == inBlock ? 1 : 0, vote[3 * b + 1], "__syncthreads_and, block " + b);
            assertEquals(positive > 0 ? 1 : 0, vote[3 * b + 2], "__syncthreads_or, block " + b);
        }
        emu.device.free(dx);
        emu.device.free(sums);
        emu.device.free(votes);
    }

    @Test
    void warpShufflesVotesAndActiveMask() {
        int n = 250, block = 96, blocks = 3, threads = block * blocks;
        int[] x = new int[n];
        Random r = new Random(3);
        for (int i = 0; i < n; i++) x[i] = r.nextInt(21) - 4;
        for (int i = 96; i < 128; i++) x[i] = 1 + r.nextInt(5); // a warp with no negative element
        long dx = emu.upload(x), out = emu.device.malloc(40L * threads);
        launch("selftest_warp_ops", Dim3.of(blocks), Dim3.of(block), 0, new KernelArgs().ptr(dx).ptr(out).i32(n));
        int[] got = emu.ints(out, 10 * threads);
        for (int w = 0; w < threads / 32; w++) {
            int[] v = new int[32];
            for (int l = 0; l < 32; l++) v[l] = 32 * w + l < n ? x[32 * w + l] : 0;
            int total = 0, ballot = 0;
            boolean anyNegative = false, allNonNegative = true;
            for (int l = 0; l < 32; l++) {
                total += v[l];
                if (v[l] > 0) ballot |= 1 << l;
                anyNegative |= v[l] < 0;
                allNonNegative &= v[l] >= 0;
            }
            int scan = 0;
            for (int l = 0; l < 32; l++) {
                scan += v[l];
                int group = 0;
                for (int k = l & ~7; k < (l & ~7) + 8; k++) group += v[k];
                int[] want = {scan, total, l == 0 ? total : 0, v[5], group, ballot, anyNegative ? 1 : 0,
                    allNonNegative ? 1 : 0, l % 2 == 0 ? 0x55555555 : 0, l};
                int[] have = new int[10];
                System.arraycopy(got, 10 * (32 * w + l), have, 0, 10);
                assertArrayEquals(want, have, "warp " + w + " lane " + l);
            }
        }
        emu.device.free(dx);
        emu.device.free(out);
    }

    @ParameterizedTest
    @CsvSource({"100, 48", "7, 7", "1000, 1000", "65, 33"})
    void warpSumsWithPartialWarps(int n, int block) {
        float[] x = randomFloats(n, 11);
        int blocks = Dim3.cover(n, block).x(), warpsPerBlock = (block + 31) / 32;
        long dx = emu.upload(x), sums = emu.device.malloc(4L * blocks * warpsPerBlock);
        launch("selftest_partial_warp_sum", Dim3.of(blocks), Dim3.of(block), 0, new KernelArgs().ptr(dx).ptr(sums).i32(n));
        float[] got = emu.floats(sums, blocks * warpsPerBlock);
        for (int b = 0; b < blocks; b++) {
            for (int w = 0; w < warpsPerBlock; w++) {
                double want = 0;
                int lo = b * block + 32 * w, hi = Math.min(Math.min(n, (b + 1) * block), lo + 32);
                for (int i = lo; i < hi; i++) want += x[i];
                assertEquals(want, got[b * warpsPerBlock + w], 1e-5, "block " + b + " warp " + w);
            }
        }
        emu.device.free(dx);
        emu.device.free(sums);
    }

    @Test
    void histogramWithIntegerAndFloatAtomics() {
        int n = 10_007, nbins = 13;
        Random r = new Random(5);
        int[] bins = new int[n];
        float[] w = new float[n];
        int[] counts = new int[nbins];
        double[] weights = new double[nbins];
        for (int i = 0; i < n; i++) {
            bins[i] = r.nextInt(nbins);
            w[i] = r.nextFloat();
            counts[bins[i]]++;
            weights[bins[i]] += w[i];
        }
        long db = emu.upload(bins), dw = emu.upload(w), dc = emu.upload(new int[nbins]), dh = emu.upload(new float[nbins]);
        launch("selftest_histogram", Dim3.cover(n, 128), Dim3.of(128), 0,
                new KernelArgs().ptr(db).ptr(dw).i32(n).ptr(dc).ptr(dh));
        assertArrayEquals(counts, emu.ints(dc, nbins));
        float[] got = emu.floats(dh, nbins);
        // float atomics add in a nondeterministic order: about 800 terms each
        for (int b = 0; b < nbins; b++) assertEquals(weights[b], got[b], 1e-6 * n, "bin " + b);
        for (long p : new long[] {db, dw, dc, dh}) emu.device.free(p);
    }

    @Test
    void otherAtomicsGiveOrderIndependentResults() {
        int n = 1001;
        long ints = emu.upload(new int[] {0, Integer.MAX_VALUE, Integer.MIN_VALUE, -1, 0, 0});
        long uints = emu.upload(new int[] {-1, 0, 0, 0, 0, 0});
        long wide = emu.upload(new long[] {0, 0});
        long doubles = emu.upload(new double[] {0});
        launch("selftest_atomics", Dim3.cover(n, 64), Dim3.of(64), 0,
                new KernelArgs().i32(n).ptr(ints).ptr(uints).ptr(wide).ptr(doubles));
        int[] i = emu.ints(ints, 6);
        int[] u = emu.ints(uints, 6);
        assertEquals(-(n * (n - 1) / 2), i[0], "atomicSub");
        assertEquals(-(n / 2), i[1], "atomicMin");
        assertEquals(n - 1 - n / 2, i[2], "atomicMax");
        assertTrue(i[3] >= 0 && i[3] < n, "atomicExch leaves one thread's value: " + i[3]);
        assertTrue(i[4] >= 1 && i[4] <= n, "atomicCAS from 0 succeeds once: " + i[4]);
        assertEquals(1, i[5], "successful atomicCAS count");
        assertEquals(0, u[0], "atomicAnd");
        assertEquals(-1, u[1], "atomicOr");
        int xor = 0;
        for (int k = 0; k < n; k++) xor ^= 1 << (k % 32);
        assertEquals(xor, u[2], "atomicXor");
        assertEquals(n % 10, u[3], "atomicInc wraps after 9");
        assertEquals((10 - n % 10) % 10, u[4], "atomicDec wraps to 9");
        assertEquals(n * (n - 1) / 2, u[5], "atomicAdd unsigned");
        long[] l = emu.longs(wide, 2);
        assertEquals(((long) n * (n - 1) / 2) << 33, l[0], "atomicAdd unsigned long long");
        assertEquals((long) (n - 1) << 33, l[1], "atomicMax unsigned long long");
        assertEquals(0.5 * n * (n - 1) / 2, emu.doubles(doubles, 1)[0], "atomicAdd double (exact: multiples of 0.5)");
        for (long p : new long[] {ints, uints, wide, doubles}) emu.device.free(p);
    }

    @Test
    void threeDimensionalGridAndBlockIndexing() {
        int width = 37, height = 11, depth = 5, total = width * height * depth;
        Dim3 block = new Dim3(8, 4, 2), grid = new Dim3(5, 3, 3);
        long out = emu.device.malloc(4L * total), tib = emu.device.malloc(4L * total), big = emu.device.malloc(4L * total);
        launch("selftest_index3d", grid, block, 0,
                new KernelArgs().ptr(out).ptr(tib).ptr(big).i32(width).i32(height).i32(depth));
        int[] o = emu.ints(out, total), t = emu.ints(tib, total), b = emu.ints(big, total);
        for (int z = 0; z < depth; z++) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    int at = (z * height + y) * width + x;
                    assertEquals(x + 1000 * y + 1000000 * z, o[at], "out at " + x + "," + y + "," + z);
                    assertEquals(x % 8 + 8 * (y % 4 + 4 * (z % 2)), t[at], "thread in block at " + x + "," + y + "," + z);
                    assertEquals(x / 8 + 5 * (y / 4 + 3 * (z / 2)), b[at], "block in grid at " + x + "," + y + "," + z);
                }
            }
        }
        for (long p : new long[] {out, tib, big}) emu.device.free(p);
    }

    @Test
    void sixteenBitFloatsRoundToNearestEven() {
        float[] special = {0f, -0f, 1f, -2.5f, 65504f, 65519f, 65520f, -1e9f, 1e-8f, 3e-8f, 6.1e-5f, 5.96e-8f,
            Float.MIN_VALUE, Float.POSITIVE_INFINITY, Float.NaN, 1.00048828125f, 1.00146484375f, 3.3895314e38f};
        int n = 77;
        float[] x = randomFloats(n, 17), y = randomFloats(n, 19);
        System.arraycopy(special, 0, x, 0, special.length);
        long dx = emu.upload(x), dy = emu.upload(y);
        long f16 = emu.device.malloc(2L * n), bf16 = emu.device.malloc(2L * n);
        long f16Fma = emu.device.malloc(4L * n), bf16Fma = emu.device.malloc(4L * n);
        long totals = emu.upload(new int[] {0}); // two 16-bit zeros
        launch("selftest_half", Dim3.cover(n, 32), Dim3.of(32), 0, new KernelArgs().i32(n).ptr(dx).ptr(dy).ptr(f16)
                .ptr(bf16).ptr(f16Fma).ptr(bf16Fma).ptr(totals).ptr(totals + 2));
        short[] h = emu.shorts(f16, n), b = emu.shorts(bf16, n);
        float[] hf = emu.floats(f16Fma, n), bff = emu.floats(bf16Fma, n);
        for (int i = 0; i < n; i++) {
            if (Float.isNaN(x[i])) {
                assertEquals(0x7fff, h[i], "the canonical NaN");
                assertEquals(0x7fff, b[i], "the canonical NaN");
                continue;
            }
            assertEquals(HalfFloats.floatToF16(x[i]), h[i], "fp16 of " + x[i]);
            assertEquals(HalfFloats.floatToBf16(x[i]), b[i], "bf16 of " + x[i]);
            float hy = HalfFloats.f16ToFloat(HalfFloats.floatToF16(y[i]));
            float by = HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(y[i]));
            float wantH = HalfFloats.f16ToFloat(HalfFloats.floatToF16(Math.fma(HalfFloats.f16ToFloat(h[i]), hy, 1f)));
            float wantB = HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(Math.fma(HalfFloats.bf16ToFloat(b[i]), by, 1f)));
            assertEquals(wantH, hf[i], "fp16 fma at " + i);
            assertEquals(wantB, bff[i], "bf16 fma at " + i);
        }
        short[] t = emu.shorts(totals, 2);
        assertEquals(0.25f * n, HalfFloats.f16ToFloat(t[0]), "fp16 atomicAdd total (exact)");
        assertEquals(0.25f * n, HalfFloats.bf16ToFloat(t[1]), "bf16 atomicAdd total (exact)");
        for (long p : new long[] {dx, dy, f16, bf16, f16Fma, bf16Fma, totals}) emu.device.free(p);
    }

    @Test
    void inverseErrorFunctionsMatchKnownQuantiles() {
        // p and the standard normal quantile at p (from tables, 16 digits)
        double[][] quantiles = {{0.5, 0}, {0.975, 1.959963984540054}, {0.8413447460685429, 1.0}, {0.025, -1.959963984540054},
            {1e-10, -6.361340902404056}, {0.999, 3.090232306167814}, {1e-30, -11.46402014969898}, {0.6, 0.2533471031357997}};
        int n = quantiles.length;
        float[] p = new float[n];
        for (int i = 0; i < n; i++) p[i] = (float) quantiles[i][0];
        long dp = emu.upload(p), out = emu.device.malloc(12L * n);
        launch("selftest_inverse_erf", Dim3.of(1), Dim3.of(32), 0, new KernelArgs().i32(n).ptr(dp).ptr(out));
        float[] got = emu.floats(out, 3 * n);
        for (int i = 0; i < n; i++) {
            double z = quantiles[i][1];
            // p was rounded to float: the quantile moves by dp / density
            double slack = Math.abs(p[i] - quantiles[i][0]) / Math.exp(-z * z / 2) * Math.sqrt(2 * Math.PI);
            double tol = 2e-6 * Math.max(1, Math.abs(z)) + slack;
            assertEquals(z, got[3 * i + 2], tol, "normcdfinvf(" + p[i] + ")");
            assertEquals(-z / Math.sqrt(2), got[3 * i + 1], tol, "erfcinvf(" + 2 * p[i] + ")");
            if (p[i] > 1e-6) assertEquals(z / Math.sqrt(2), got[3 * i], tol + 1e-6, "erfinvf(" + (2 * p[i] - 1) + ")");
        }
        emu.device.free(dp);
        emu.device.free(out);
    }

    @Test
    void sharedMemoryIsPoisonedForEveryBlock() {
        int blocks = 9, block = 256;
        long out = emu.device.malloc(4L * blocks * block);
        // First every thread writes its element, leaving values in every worker's shared array...
        launch("selftest_uninitialized_shared", Dim3.of(blocks), Dim3.of(block), 0, new KernelArgs().ptr(out).i32(block));
        float[] all = emu.floats(out, blocks * block);
        for (int i = 0; i < all.length; i++) assertEquals(i / block + 1, all[i], "element " + i);
        // ...then only 16 do: the others must read poison, not what an earlier block left.
        launch("selftest_uninitialized_shared", Dim3.of(blocks), Dim3.of(block), 0, new KernelArgs().ptr(out).i32(16));
        float[] some = emu.floats(out, blocks * block);
        for (int i = 0; i < some.length; i++) {
            if (i % block < 16) assertEquals(i / block + 1, some[i], "element " + i);
            else assertTrue(Float.isNaN(some[i]), "element " + i + " read " + some[i] + " instead of poison");
        }
        emu.device.free(out);
    }

    @Test
    void templateKernelsAreFoundByTheirMangledNames() {
        CudaFunction scale;
        try {
            scale = emu.kernel("_ZN8selftest5scaleIdEEvPT_S1_i"); // selftest::scale<double>, as in the PTX
        } catch (CudaException e) {
            Assumptions.abort("C++ kernel names are registered only when nvcc was available at build time: " + e.getMessage());
            return;
        }
        int n = 45, block = 32;
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = i - 7.5;
        long dx = emu.upload(x);
        launch(scale, Dim3.cover(n, block), Dim3.of(block), 8 * block, new KernelArgs().ptr(dx).f64(-2).i32(n));
        double[] got = emu.doubles(dx, n);
        for (int i = 0; i < n; i++) assertEquals(-2 * x[i], got[i], "data[" + i + "]");
        emu.device.free(dx);
    }

    @Test
    void gridStrideLoopOverMathIntrinsics() {
        int n = 5003;
        float[] x = randomFloats(n, 13);
        long dx = emu.upload(x), dy = emu.device.malloc(4L * n);
        launch("selftest_grid_stride", Dim3.of(3), Dim3.of(100), 0, new KernelArgs().i32(n).ptr(dx).ptr(dy));
        float[] got = emu.floats(dy, n);
        for (int i = 0; i < n; i++) {
            double v = x[i];
            double want = Math.exp(v) + Math.log(1 + v * v) + v / 3 + 1 / Math.sqrt(1 + v * v) + Math.clamp(v, 0, 1)
                    + (2 * v + 1) + Math.sqrt(Math.abs(v)) + Integer.bitCount(i) + Integer.numberOfLeadingZeros(i + 1)
                    + (i == 0 ? 0 : Integer.numberOfTrailingZeros(i) + 1) + v + Math.min(v, 0.5) + Math.max(v, -0.5)
                    + Math.max(i % 7, 3) + Math.min(i % 5, 2);
            assertEquals(want, got[i], 1e-5 * Math.abs(want) + 1e-5, "y[" + i + "]");
        }
        emu.device.free(dx);
        emu.device.free(dy);
    }
}
