package org.ddrl.kernels.cuda.emu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import org.ddrl.kernels.cuda.CudaException;
import org.ddrl.kernels.cuda.Dim3;
import org.ddrl.kernels.cuda.KernelArgs;
import org.ddrl.kernels.cuda.ModuleSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Kernel errors and undefined behaviour come back as CudaExceptions naming the kernel and, where there is
 * one, the source line; the JVM survives and the device stays usable after each.
 */
class EmulatedErrorsTest {
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

    /** Launches on the default stream and returns what the next synchronize throws. */
    private static CudaException failingLaunch(String kernel, Dim3 grid, Dim3 block, KernelArgs args) {
        try (args) {
            emu.device.launch(emu.kernel(kernel), grid, block, 0, emu.device.defaultStream(), args);
        }
        return assertThrows(CudaException.class, () -> emu.device.synchronize());
    }

    private static void assertMessage(CudaException e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "'" + p + "' missing from: " + e.getMessage());
    }

    /** The device still computes correctly: a saxpy on the default stream. */
    private static void assertDeviceUsable() {
        float[] x = {1, 2, 3}, y = {10, 20, 30};
        long dx = emu.upload(x), dy = emu.upload(y);
        try (KernelArgs a = new KernelArgs().i32(3).f32(2).ptr(dx).ptr(dy)) {
            emu.device.launch(emu.kernel("selftest_saxpy"), Dim3.of(1), Dim3.of(32), 0, emu.device.defaultStream(), a);
        }
        emu.device.synchronize();
        assertArrayEquals(new float[] {12, 24, 36}, emu.floats(dy, 3));
        emu.device.free(dx);
        emu.device.free(dy);
    }

    @Test
    void deviceAssertIsALaunchErrorWithItsSourceLine() {
        int[] x = new int[300];
        x[77] = -5;
        long dx = emu.upload(x);
        CudaException e = failingLaunch("selftest_assert_nonnegative", Dim3.of(3), Dim3.of(128),
                new KernelArgs().ptr(dx).i32(x.length));
        assertEquals(710, e.code());
        assertMessage(e, "CUDA_ERROR_ASSERT", "selftest_assert_nonnegative", "x[i] >= 0",
                EmuTesting.site("selftest_assert_nonnegative", "assert("), "block (0,0,0), thread (77,0,0)");
        emu.device.free(dx);
        assertDeviceUsable();
    }

    @Test
    void strictModeReportsThreadsThatSkipABarrier() {
        long out = emu.device.malloc(4 * 64);
        CudaException e = failingLaunch("selftest_divergent_barrier", Dim3.of(1), Dim3.of(64),
                new KernelArgs().ptr(out).i32(10));
        assertEquals(719, e.code());
        assertMessage(e, "selftest_divergent_barrier", "barrier divergence",
                EmuTesting.site("selftest_divergent_barrier", "__syncthreads()"), "reached by 10 threads after 54 threads");
        emu.device.free(out);
        assertDeviceUsable();
    }

    @Test
    void withoutStrictModeReturnedThreadsCountAsArrived() {
        try (EmuTesting lax = EmuTesting.openIfAvailable(false)) {
            int limit = 10, block = 64;
            long out = lax.upload(new int[2 * block]);
            try (KernelArgs a = new KernelArgs().ptr(out).i32(limit)) {
                lax.device.launch(lax.kernel("selftest_divergent_barrier"), Dim3.of(2), Dim3.of(block), 0,
                        lax.device.defaultStream(), a);
            }
            int[] got = lax.ints(out, 2 * block);
            for (int b = 0; b < 2; b++) {
                for (int t = 0; t < block; t++) assertEquals(t < limit ? limit - 1 - t : 0, got[b * block + t]);
            }
        }
    }

    @Test
    void strictModeReportsAShuffleNamingLanesThatReturned() {
        long out = emu.upload(new int[32]);
        CudaException e = failingLaunch("selftest_shuffle_after_return", Dim3.of(1), Dim3.of(32), new KernelArgs().ptr(out));
        assertEquals(719, e.code());
        assertMessage(e, "selftest_shuffle_after_return", "__shfl_down_sync at "
                + EmuTesting.site("selftest_shuffle_after_return", "__shfl_down_sync"), "its mask 0xffffffff names lanes that returned (16)");
        emu.device.free(out);

        try (EmuTesting lax = EmuTesting.openIfAvailable(false)) {
            long o = lax.upload(new int[32]);
            try (KernelArgs a = new KernelArgs().ptr(o)) {
                lax.device.launch(lax.kernel("selftest_shuffle_after_return"), Dim3.of(1), Dim3.of(32), 0,
                        lax.device.defaultStream(), a);
            }
            int[] got = lax.ints(o, 32);
            for (int t = 0; t < 16; t++) assertEquals(t < 15 ? t + 1 : -1, got[t], "lane " + t);
            lax.device.free(o);
        }
    }

    @Test
    void javaNullChecksStillWorkWithTheFaultHandlersInstalled() {
        // Compiled Java code turns null dereferences into SIGSEGVs that the JVM handles; the emulator's
        // handlers, installed over the JVM's, must pass them on.
        int[][] rows = new int[64][];
        for (int i = 0; i < rows.length; i += 2) rows[i] = new int[] {i};
        long sum = 0, npes = 0;
        for (int round = 0; round < 20_000; round++) {
            for (int[] r : rows) {
                try {
                    sum += r[0];
                } catch (NullPointerException e) {
                    npes++;
                }
            }
        }
        assertEquals(20_000L * 32, npes);
        assertEquals(20_000L * (31 * 32), sum);
        assertDeviceUsable();
    }

    @Test
    void strictModeFindsAWriteOnePastTheEnd() {
        int n = 1000;
        long dx = emu.upload(new float[n]), dy = emu.device.malloc(4L * n);
        CudaException e = failingLaunch("selftest_off_by_one", Dim3.cover(n + 1, 128), Dim3.of(128),
                new KernelArgs().ptr(dx).ptr(dy).i32(n));
        assertEquals(700, e.code());
        assertMessage(e, "CUDA_ERROR_ILLEGAL_ADDRESS", "selftest_off_by_one", "pointer parameter 1",
                "4000-byte device allocation", "elements [1000, 1000]", "past its end");
        // The red zone was repaired: the buffer can be freed and the device used.
        emu.device.free(dx);
        emu.device.free(dy);
        assertDeviceUsable();
    }

    @Test
    void shuffleWaitingForLanesAtABarrierIsADeadlock() {
        long out = emu.device.malloc(4 * 64);
        CudaException e = failingLaunch("selftest_shuffle_deadlock", Dim3.of(1), Dim3.of(64), new KernelArgs().ptr(out));
        assertEquals(719, e.code());
        assertMessage(e, "selftest_shuffle_deadlock", "deadlock",
                "__shfl_down_sync " + EmuTesting.site("selftest_shuffle_deadlock", "__shfl_down_sync"),
                "lanes 16-31 of its warp never arrive",
                "__syncthreads " + EmuTesting.site("selftest_shuffle_deadlock", "__syncthreads"));
        emu.device.free(out);
        assertDeviceUsable();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "0 | 719 | __trap() at selftest.cu:",
        "1 | 700 | illegal memory access (SIGSEGV at address 0x40)",
        "2 | 719 | SIGFPE: an integer division by zero",
        "3 | 700 | stack overflow in block (0,0,0), thread (0,0,0)"})
    void faultsInKernelCodeAreLaunchErrorsNotCrashes(int mode, int code, String text) {
        long out = emu.device.malloc(4 * 256);
        CudaException e = failingLaunch("selftest_fault", Dim3.of(4), Dim3.of(64),
                new KernelArgs().i32(mode).ptr(out).i32(0));
        assertEquals(code, e.code(), e.getMessage());
        assertMessage(e, "selftest_fault", text);
        emu.device.free(out);
        assertDeviceUsable();
    }

    @Test
    void aFailedStreamSkipsItsWorkUntilTheFailureIsReported() {
        long dx = emu.upload(new int[] {-1});
        long data = emu.upload(new int[] {7});
        try (KernelArgs a = new KernelArgs().ptr(dx).i32(1)) {
            emu.device.launch(emu.kernel("selftest_assert_nonnegative"), Dim3.of(1), Dim3.of(1), 0,
                    emu.device.defaultStream(), a);
        }
        emu.device.memset(data, 0, 4, emu.device.defaultStream()); // queued behind the failing kernel: skipped
        CudaException e = assertThrows(CudaException.class,
                () -> emu.device.copyDtoH(MemorySegment.ofArray(new int[1]), data, 4, emu.device.defaultStream()));
        assertTrue(e.getMessage().startsWith("cuMemcpyDtoH failed: CUDA_ERROR_ASSERT (710): kernel selftest_assert_nonnegative"),
                e.getMessage());
        assertArrayEquals(new int[] {7}, emu.ints(data, 1), "the memset after the failure did not run");
        emu.device.free(dx);
        emu.device.free(data);
        assertDeviceUsable();
    }

    @Test
    void badLaunchesFailAtTheLaunchCall() {
        long p = emu.device.malloc(64);
        var fn = emu.kernel("selftest_saxpy");
        var s = emu.device.defaultStream();
        try (KernelArgs few = new KernelArgs().i32(1).f32(1).ptr(p)) {
            CudaException e = assertThrows(CudaException.class, () -> emu.device.launch(fn, Dim3.of(1), Dim3.of(1), 0, s, few));
            assertMessage(e, "CUDA_ERROR_INVALID_VALUE", "kernel selftest_saxpy takes 4 parameters, the launch passes 3");
        }
        try (KernelArgs wide = new KernelArgs().i64(1).f32(1).ptr(p).ptr(p)) {
            CudaException e = assertThrows(CudaException.class, () -> emu.device.launch(fn, Dim3.of(1), Dim3.of(1), 0, s, wide));
            assertMessage(e, "parameter 0 has 4 bytes, the launch passes a 8-byte value");
        }
        try (KernelArgs ok = new KernelArgs().i32(1).f32(1).ptr(p).ptr(p)) {
            CudaException e = assertThrows(CudaException.class, () -> emu.device.launch(fn, Dim3.of(1), Dim3.of(1025), 0, s, ok));
            assertMessage(e, "block (1025,1,1) has 1025 threads");
            e = assertThrows(CudaException.class, () -> emu.device.launch(fn, Dim3.of(1), new Dim3(1, 1, 65), 0, s, ok));
            assertMessage(e, "a block has at most 1024");
        }
        long freed = emu.device.malloc(64);
        emu.device.free(freed);
        try (KernelArgs stale = new KernelArgs().i32(1).f32(1).ptr(p).ptr(freed)) {
            CudaException e = assertThrows(CudaException.class, () -> emu.device.launch(fn, Dim3.of(1), Dim3.of(1), 0, s, stale));
            assertMessage(e, "pointer parameter 3", "does not point into a live device allocation");
        }
        emu.device.free(p);
        assertDeviceUsable();
    }

    @Test
    void dynamicSharedMemoryAboveTheLimitNeedsTheAttribute() {
        var fn = emu.kernel("selftest_dynamic_sum");
        long x = emu.upload(new double[64]), sums = emu.device.malloc(8), votes = emu.device.malloc(12);
        int big = 64 * 1024;
        try (KernelArgs a = new KernelArgs().ptr(x).ptr(sums).ptr(votes).i32(64)) {
            CudaException e = assertThrows(CudaException.class,
                    () -> emu.device.launch(fn, Dim3.of(1), Dim3.of(64), big, emu.device.defaultStream(), a));
            assertMessage(e, "65536 bytes of dynamic shared memory requested, the limit for this kernel is 49152");
            emu.device.setMaxDynamicSharedMemory(fn, big);
            emu.device.launch(fn, Dim3.of(1), Dim3.of(64), big, emu.device.defaultStream(), a);
            // As with cuModuleGetFunction, looking the kernel up again gives the function with its attribute.
            emu.device.launch(emu.kernel("selftest_dynamic_sum"), Dim3.of(1), Dim3.of(64), big, emu.device.defaultStream(), a);
        }
        emu.device.synchronize();
        CudaException e = assertThrows(CudaException.class, () -> emu.device.setMaxDynamicSharedMemory(fn, 300_000));
        assertMessage(e, "at most 232448");
        for (long p : new long[] {x, sums, votes}) emu.device.free(p);
    }

    @Test
    void unknownKernelsModulesAndAddresses() {
        CudaException e = assertThrows(CudaException.class, () -> emu.kernel("selftest_nope"));
        assertEquals(500, e.code());
        assertMessage(e, "kernel module 'selftest' has no kernel 'selftest_nope'", "selftest_saxpy");
        e = assertThrows(CudaException.class, () -> emu.device.loadModule(new ModuleSource("no_such_module")));
        assertEquals(301, e.code());
        assertMessage(e, "libno_such_module_emu.so is not on the class path");

        long p = emu.device.malloc(100);
        e = assertThrows(CudaException.class,
                () -> emu.device.copyHtoD(p + 50, MemorySegment.ofArray(new byte[60]), 60, emu.device.defaultStream()));
        assertMessage(e, "cuMemcpyHtoDAsync", "runs past the end of the 100-byte device allocation", "by 10 bytes");
        emu.device.free(p);
        e = assertThrows(CudaException.class, () -> emu.device.free(p));
        assertMessage(e, "cuMemFree", "not the start of a live device allocation");
        e = assertThrows(CudaException.class, () -> emu.device.memset(p, 0, 4, emu.device.defaultStream()));
        assertMessage(e, "not inside a live device allocation");
    }
}
