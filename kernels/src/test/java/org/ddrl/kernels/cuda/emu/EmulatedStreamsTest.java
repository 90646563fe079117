package org.ddrl.kernels.cuda.emu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.ddrl.kernels.cuda.CudaEvent;
import org.ddrl.kernels.cuda.CudaException;
import org.ddrl.kernels.cuda.CudaStream;
import org.ddrl.kernels.cuda.Dim3;
import org.ddrl.kernels.cuda.KernelArgs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Launches and copies are asynchronous per stream, ordered within a stream, and timed by events. */
class EmulatedStreamsTest {
    private static final long SPIN_LIMIT = 20_000_000_000L; // seconds of spinning: far beyond any test

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
    void streamsRunPipelinesOfAsyncCopiesKernelsAndEvents() {
        var d = emu.device;
        int n = 3001;
        CudaStream[] streams = {d.createStream(), d.createStream(), d.createStream()};
        MemorySegment[] in = new MemorySegment[3], out = new MemorySegment[3];
        long[] x = new long[3], y = new long[3];
        CudaEvent[] start = new CudaEvent[3], end = new CudaEvent[3];
        for (int k = 0; k < 3; k++) {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) v[i] = i + 1000 * k;
            in[k] = EmuTesting.pinnedCopy(d, v);
            out[k] = d.allocPinned(4L * n);
            x[k] = d.malloc(4L * n);
            y[k] = d.malloc(4L * n);
            start[k] = d.createEvent();
            end[k] = d.createEvent();
        }
        for (int k = 0; k < 3; k++) {
            CudaStream s = streams[k];
            d.record(start[k], s);
            d.copyHtoD(x[k], in[k], 4L * n, s);
            d.memset(y[k], 0, 4L * n, s);
            try (KernelArgs a = new KernelArgs().i32(n).f32(k + 1).ptr(x[k]).ptr(y[k])) {
                d.launch(emu.kernel("selftest_saxpy"), Dim3.cover(n, 128), Dim3.of(128), 0, s, a);
            }
            d.copyDtoD(x[k], y[k], 4L * n, s);
            d.copyDtoH(out[k], x[k], 4L * n, s);
            d.record(end[k], s);
        }
        for (int k = 0; k < 3; k++) {
            d.synchronize(streams[k]);
            float[] got = EmuTesting.toArray(out[k]);
            for (int i = 0; i < n; i++) assertEquals((k + 1) * (i + 1000f * k), got[i], "stream " + k + " element " + i);
            assertTrue(d.elapsedMillis(start[k], end[k]) >= 0);
        }
        for (int k = 0; k < 3; k++) {
            d.free(x[k]);
            d.free(y[k]);
            d.freePinned(in[k]);
            d.freePinned(out[k]);
            d.destroyEvent(start[k]);
            d.destroyEvent(end[k]);
            d.destroyStream(streams[k]);
        }
    }

    @Test
    void launchesReturnBeforeTheKernelRunsAndOtherStreamsGoOn() {
        var d = emu.device;
        CudaStream busy = d.createStream(), other = d.createStream();
        long flag = emu.upload(new int[] {0}), saw = emu.upload(new int[] {0});
        CudaEvent before = d.createEvent(), after = d.createEvent();
        d.record(before, busy);
        try (KernelArgs a = new KernelArgs().ptr(flag).ptr(saw).i64(SPIN_LIMIT)) {
            d.launch(emu.kernel("selftest_wait_flag"), Dim3.of(1), Dim3.of(1), 0, busy, a);
        } // the arguments are gone before the kernel ends: the launch copied them
        MemorySegment result = d.allocPinned(4);
        result.set(ValueLayout.JAVA_INT, 0, 42);
        d.copyDtoH(result, saw, 4, busy); // into pinned memory: queued behind the kernel, returns at once
        d.record(after, busy);
        CudaException notYet = assertThrows(CudaException.class, () -> d.elapsedMillis(before, after));
        assertEquals(600, notYet.code(), notYet.getMessage());
        assertEquals(42, result.get(ValueLayout.JAVA_INT, 0), "the copy waits for the kernel");

        // The busy stream does not hold up another stream: this copy releases the spinning kernel.
        MemorySegment one = d.allocPinned(4);
        one.set(ValueLayout.JAVA_INT, 0, 1);
        d.copyHtoD(flag, one, 4, other);
        d.synchronize(busy);
        assertEquals(1, result.get(ValueLayout.JAVA_INT, 0), "the kernel saw the flag set through the other stream");
        assertTrue(d.elapsedMillis(before, after) >= 0);

        d.freePinned(one);
        d.freePinned(result);
        d.free(flag);
        d.free(saw);
        d.destroyStream(busy);
        d.destroyStream(other);
    }

    @Test
    void theDefaultStreamWaitsForOtherStreams() {
        var d = emu.device;
        CudaStream busy = d.createStream(), other = d.createStream();
        long flag = emu.upload(new int[] {0}), saw = emu.upload(new int[] {0});
        try (KernelArgs a = new KernelArgs().ptr(flag).ptr(saw).i64(200_000_000L)) {
            d.launch(emu.kernel("selftest_wait_flag"), Dim3.of(1), Dim3.of(1), 0, busy, a);
        }
        // Queued on the default stream, this copy runs only after the kernel: it cannot release it, so the
        // kernel gives up after its spin limit and reports that it never saw the flag.
        MemorySegment one = d.allocPinned(4);
        one.set(ValueLayout.JAVA_INT, 0, 1);
        d.copyHtoD(flag, one, 4, d.defaultStream());
        // Work on another stream queued after the default stream's copy waits for it too.
        int[] seen = new int[1];
        d.copyDtoH(MemorySegment.ofArray(seen), flag, 4, other);
        assertArrayEquals(new int[] {1}, seen);
        d.synchronize();
        assertArrayEquals(new int[] {0}, emu.ints(saw, 1), "the copy on the default stream ran after the kernel");
        d.freePinned(one);
        d.free(flag);
        d.free(saw);
        d.destroyStream(busy);
        d.destroyStream(other);
    }

    @Test
    void pageableCopiesAreSynchronousAndPinnedOnesAreNot() {
        var d = emu.device;
        int n = 17;
        float[] host = new float[n];
        for (int i = 0; i < n; i++) host[i] = i;
        long p = d.malloc(4L * n);
        d.copyHtoD(p, MemorySegment.ofArray(host), 4L * n, d.defaultStream());
        host[3] = -1; // the copy already consumed the pageable source
        float[] back = new float[n];
        d.copyDtoH(MemorySegment.ofArray(back), p, 4L * n, d.defaultStream());
        assertEquals(3f, back[3]);
        assertFalse(java.util.Arrays.equals(host, back));
        d.free(p);
    }

    @Test
    void deviceDescribesItselfAndCountsMemory() {
        var d = emu.device;
        assertEquals("emulator", d.implementation());
        assertEquals(32, d.info().warpSize());
        assertEquals(1024, d.info().maxThreadsPerBlock());
        assertEquals("9.0", d.info().computeCapability());
        long[] before = d.memInfo();
        long p = d.malloc(1 << 20);
        long[] during = d.memInfo();
        assertEquals(before[0] - (1 << 20), during[0]);
        assertEquals(before[1], during[1]);
        d.free(p);
        assertEquals(before[0], d.memInfo()[0]);
    }
}
