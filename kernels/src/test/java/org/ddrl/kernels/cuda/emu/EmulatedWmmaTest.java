package org.ddrl.kernels.cuda.emu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.ddrl.kernels.cpu.HalfFloats;
import org.ddrl.kernels.cuda.CudaException;
import org.ddrl.kernels.cuda.CudaModule;
import org.ddrl.kernels.cuda.Dim3;
import org.ddrl.kernels.cuda.KernelArgs;
import org.ddrl.kernels.cuda.ModuleSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The emulator's nvcuda::wmma (include/mma.h, kernels in selftest_wmma.cu): one-warp tile products in
 * every operand and accumulator layout for __half, __nv_bfloat16 and tf32 against exact Java products, and
 * the rules it enforces (alignment, same arguments on every lane, complete warps, no lane missing, a
 * barrier before reading what other lanes stored), reported as launch errors naming the call's line.
 */
class EmulatedWmmaTest {
    private static EmulatedCudaDevice device;
    private static CudaModule module;

    @BeforeAll
    static void open() {
        if (!EmulatorAvailability.isAvailable()) return;
        device = EmulatedCudaDevice.open(new EmulatedCudaDevice.Options(true, true));
        module = device.loadModule(new ModuleSource("selftest_wmma"));
    }

    @BeforeEach
    void requireEmulator() {
        assumeTrue(EmulatorAvailability.isAvailable(), () -> "emulated CUDA device unavailable: " + EmulatorAvailability.unavailableReason());
    }

    @AfterAll
    static void close() {
        if (device != null) device.close();
    }

    private static long upload(MemorySegment host) {
        long p = device.malloc(host.byteSize());
        device.copyHtoD(p, host, host.byteSize(), device.defaultStream());
        return p;
    }

    private static float[] download(long p, int n) {
        float[] v = new float[n];
        device.copyDtoH(MemorySegment.ofArray(v), p, 4L * n, device.defaultStream());
        return v;
    }

    private static void launch(String kernel, int threads, KernelArgs args) {
        try (args) {
            device.launch(device.function(module, kernel), Dim3.of(1), Dim3.of(threads), 0, device.defaultStream(), args);
        }
    }

    /** Stores rows x cols values (given row-major) in row- or column-major order. */
    private static float[] layout(float[] rowMajor, int rows, int cols, boolean colMajor) {
        if (!colMajor) return rowMajor.clone();
        float[] out = new float[rowMajor.length];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) out[c * rows + r] = rowMajor[r * cols + c];
        return out;
    }

    private static MemorySegment encode(float[] v, int type) {
        if (type == 2) return MemorySegment.ofArray(v.clone());
        short[] s = new short[v.length];
        for (int i = 0; i < v.length; i++) s[i] = type == 0 ? HalfFloats.floatToF16(v[i]) : HalfFloats.floatToBf16(v[i]);
        return MemorySegment.ofArray(s);
    }

    /** cvt.rna.tf32.f32: to a 10-bit mantissa, ties away from zero. */
    private static float tf32(float x) {
        return Float.intBitsToFloat((Float.floatToRawIntBits(x) + 0x1000) & ~0x1fff);
    }

    @Test
    void tileProductsInEveryLayoutMatchExactProducts() {
        Random rnd = new Random(11);
        for (int type = 0; type < 3; type++) {
            int k = type == 2 ? 8 : 16;
            for (int mask = 0; mask < 8; mask++) {
                boolean aCol = (mask & 1) != 0, bCol = (mask & 2) != 0, cCol = (mask & 4) != 0;
                // 16-bit operands: multiples of 1/8 in [-2, 2), exact in both types, so every product and sum is exact in
                // float; tf32 operands: full float mantissas, which the kernel rounds with __float_to_tf32
                float[] a = new float[16 * k], b = new float[k * 16], c = new float[256];
                for (int i = 0; i < a.length; i++) a[i] = type == 2 ? rnd.nextFloat() * 4 - 2 : (rnd.nextInt(32) - 16) / 8f;
                for (int i = 0; i < b.length; i++) b[i] = type == 2 ? rnd.nextFloat() * 4 - 2 : (rnd.nextInt(32) - 16) / 8f;
                for (int i = 0; i < c.length; i++) c[i] = (rnd.nextInt(64) - 32) / 4f;
                float[] expected = new float[256];
                for (int i = 0; i < 16; i++) {
                    for (int j = 0; j < 16; j++) {
                        double dot = 0; // exact: products of at most 11-bit significands, 16 of them
                        for (int p = 0; p < k; p++) {
                            dot += (double) (type == 2 ? tf32(a[i * k + p]) : a[i * k + p]) * (type == 2 ? tf32(b[p * 16 + j]) : b[p * 16 + j]);
                        }
                        expected[i * 16 + j] = (float) (c[i * 16 + j] + dot);
                    }
                }
                long da = upload(encode(layout(a, 16, k, aCol), type)), db = upload(encode(layout(b, k, 16, bCol), type));
                long dc = upload(MemorySegment.ofArray(layout(c, 16, 16, cCol)));
                launch("selftest_wmma_tile", 32, new KernelArgs().ptr(da).ptr(db).ptr(dc).i32(type).i32(aCol ? 1 : 0).i32(bCol ? 1 : 0)
                        .i32(cCol ? 1 : 0));
                device.synchronize();
                float[] got = download(dc, 256);
                assertArrayEquals(layout(expected, 16, 16, cCol), got, "type " + type + ", a " + (aCol ? "col" : "row") + "-major, b "
                        + (bCol ? "col" : "row") + "-major, c " + (cCol ? "col" : "row") + "-major");
                device.free(da);
                device.free(db);
                device.free(dc);
            }
        }
    }

    private static CudaException failingLoad(int threads, int offset, int laneStride, int lanes) {
        long a = upload(MemorySegment.ofArray(new short[1024]));
        long out = device.malloc(4L * threads);
        try {
            launch("selftest_wmma_load", threads, new KernelArgs().ptr(a).ptr(out).i32(offset).i32(laneStride).i32(lanes));
            return assertThrows(CudaException.class, () -> device.synchronize());
        } finally {
            device.free(a);
            device.free(out);
        }
    }

    private static void assertMessage(CudaException e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "'" + p + "' missing from: " + e.getMessage());
    }

    @Test
    void aValidLoadRuns() {
        short[] a = new short[1024];
        a[16] = HalfFloats.floatToF16(2.5f);
        long da = upload(MemorySegment.ofArray(a)), out = device.malloc(4 * 32);
        launch("selftest_wmma_load", 32, new KernelArgs().ptr(da).ptr(out).i32(16).i32(0).i32(32));
        device.synchronize();
        float[] got = download(out, 32);
        for (float v : got) assertEquals(2.5f, v);
        device.free(da);
        device.free(out);
    }

    @Test
    void misalignedPointersAreLaunchErrors() {
        CudaException e = failingLoad(32, 8, 0, 32);
        assertEquals(719, e.code());
        assertMessage(e, "selftest_wmma_load", "wmma::load_matrix_sync: the pointer is not 256-bit (32-byte) aligned", "selftest_wmma.cu:");
    }

    @Test
    void lanesPassingDifferentPointersAreLaunchErrors() {
        CudaException e = failingLoad(32, 0, 256, 32);
        assertMessage(e, "wmma::load_matrix_sync: the lanes of the warp passed different pointers, leading dimensions or layouts");
    }

    @Test
    void partialWarpsAreLaunchErrors() {
        CudaException e = failingLoad(48, 0, 0, 32);
        assertMessage(e, "wmma::load_matrix_sync: needs a complete warp of 32 lanes", "thread (32,0,0)");
    }

    @Test
    void lanesThatReturnedBeforeTheLoadAreLaunchErrors() {
        CudaException e = failingLoad(32, 0, 0, 16);
        assertMessage(e, "selftest_wmma_load", "names lanes that returned");
    }

    @Test
    void readingOtherLanesStoresNeedsABarrier() {
        long out = device.malloc(4 * 32);
        launch("selftest_wmma_store_read", 32, new KernelArgs().ptr(out).i32(1));
        device.synchronize();
        for (float v : download(out, 32)) assertEquals(3f, v);
        launch("selftest_wmma_store_read", 32, new KernelArgs().ptr(out).i32(0));
        device.synchronize();
        // lane 0 reads element 1 before lane 1 has run its share of the store: still the poison of the block's start
        assertTrue(Float.isNaN(download(out, 32)[0]), "without __syncwarp the read should see unwritten shared memory");
        device.free(out);
    }
}
