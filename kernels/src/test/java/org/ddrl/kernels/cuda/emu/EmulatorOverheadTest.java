package org.ddrl.kernels.cuda.emu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ddrl.kernels.cuda.CudaFunction;
import org.ddrl.kernels.cuda.Dim3;
import org.ddrl.kernels.cuda.KernelArgs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Prints the launch overhead and the saxpy throughput, and fails only when they are far off (a lost
 * wake-up or a per-thread switch would be): the build machines are shared, so timings are loose.
 */
class EmulatorOverheadTest {
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

    @Test
    void launchOverheadAndSaxpyThroughput() {
        var d = emu.device;
        CudaFunction empty = emu.kernel("selftest_empty");
        int launches = 2000;
        double[] perLaunchMicros = new double[3];
        for (int r = 0; r < 3; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < launches; i++) {
                try (KernelArgs a = new KernelArgs()) {
                    d.launch(empty, Dim3.of(1), Dim3.of(1), 0, d.defaultStream(), a);
                }
            }
            d.synchronize();
            perLaunchMicros[r] = (System.nanoTime() - t0) / 1e3 / launches;
        }
        double overhead = Math.min(perLaunchMicros[0], Math.min(perLaunchMicros[1], perLaunchMicros[2]));

        int n = 1 << 20;
        long x = d.malloc(4L * n), y = d.malloc(4L * n);
        d.memset(x, 0, 4L * n, d.defaultStream());
        d.memset(y, 0, 4L * n, d.defaultStream());
        CudaFunction saxpy = emu.kernel("selftest_saxpy");
        double best = Double.MAX_VALUE;
        for (int r = 0; r < 5; r++) {
            long t0 = System.nanoTime();
            try (KernelArgs a = new KernelArgs().i32(n).f32(2).ptr(x).ptr(y)) {
                d.launch(saxpy, Dim3.cover(n, 256), Dim3.of(256), 0, d.defaultStream(), a);
            }
            d.synchronize();
            best = Math.min(best, (System.nanoTime() - t0) / 1e6);
        }
        d.free(x);
        d.free(y);
        System.out.printf("cuda-emu (%d workers): empty launch %.1f us (launch + queue, amortized over %d); "
                + "saxpy 2^20 elements %.2f ms = %.0f M elements/s%n", d.info().multiprocessors(), overhead, launches, best,
                n / best / 1e3);
        assertTrue(overhead < 2000, "launch overhead " + overhead + " us");
        assertTrue(best < 2000, "saxpy of 2^20 elements took " + best + " ms");
    }
}
