package org.ddrl.kernels.cuda.driver;

import org.ddrl.kernels.cuda.CudaDevices;
import org.ddrl.kernels.cuda.CudaEvent;
import org.ddrl.kernels.cuda.CudaException;
import org.ddrl.kernels.cuda.CudaFunction;
import org.ddrl.kernels.cuda.CudaModule;
import org.ddrl.kernels.cuda.CudaStream;
import org.ddrl.kernels.cuda.DeviceInfo;
import org.ddrl.kernels.cuda.Dim3;
import org.ddrl.kernels.cuda.KernelArgs;
import org.ddrl.kernels.cuda.ModuleSource;
import org.ddrl.kernels.cuda.nvrtc.Nvrtc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What a real GPU must do through either binding. Each test is skipped, with the reason, where there is no
 * GPU; the subclasses pick the binding.
 */
public abstract class DriverDeviceContract {
    private static final ModuleSource TEST_MODULE = new ModuleSource("driver_gpu_test");

    protected DriverCudaDevice d;

    protected abstract DriverCudaDevice open(int ordinal);

    @BeforeEach
    void openDevice() {
        assumeTrue(CudaDevices.available(), CudaDevices::unavailableReason);
        d = open(0);
    }

    @AfterEach
    void closeDevice() {
        if (d != null) d.close();
    }

    private static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = r.nextFloat() * 2 - 1;
        return v;
    }

    /** The test module needs NVRTC (test resources have no PTX); skip with the search listing when it is missing. */
    private CudaModule testModule() {
        try {
            return d.loadModule(TEST_MODULE);
        } catch (CudaException e) {
            assumeFalse(e.getMessage().contains("NVRTC (libnvrtc.so"), e.getMessage());
            throw e;
        }
    }

    @Test
    void describesARealGpu() {
        DeviceInfo i = d.info();
        assertFalse(i.name().isBlank());
        assertTrue(i.multiprocessors() > 0);
        assertTrue(i.computeMajor() >= 5, i.computeCapability());
        assertEquals(32, i.warpSize());
        assertEquals(1024, i.maxThreadsPerBlock());
        assertEquals(48 * 1024, i.maxSharedPerBlock());
        long[] m = d.memInfo();
        assertTrue(m[0] > 0 && m[0] <= m[1] && m[1] <= i.totalMemory(), m[0] + " free, " + m[1] + " total, " + i.totalMemory() + " reported");
        assertTrue(d.driverVersion() >= 12000, "driver " + d.driverVersion());
    }

    @Test
    void copiesRoundTripThroughDeviceMemory() {
        int n = 1_000_003;
        long bytes = n * 4L;
        float[] values = random(n, 1);
        long a = d.malloc(bytes);
        long b = d.malloc(bytes);
        CudaStream s = d.defaultStream();
        d.copyHtoD(a, MemorySegment.ofArray(values), bytes, s);
        d.copyDtoD(b, a, bytes, s);
        float[] back = new float[n];
        d.copyDtoH(MemorySegment.ofArray(back), b, bytes, s);
        assertArrayEquals(values, back);

        // pinned memory on a stream of its own, with copies at offsets inside the allocation
        CudaStream stream = d.createStream();
        MemorySegment in = d.allocPinned(bytes);
        MemorySegment out = d.allocPinned(bytes);
        for (int i = 0; i < n; i++) in.setAtIndex(ValueLayout.JAVA_FLOAT, i, -values[i]);
        d.copyHtoD(a, in, bytes, stream);
        d.copyDtoD(b + 400, a + 800, bytes - 800, stream);
        d.copyDtoH(out, b, bytes, stream);
        d.synchronize(stream);
        for (int i = 100; i < n - 100; i++) assertEquals(-values[i + 100], out.getAtIndex(ValueLayout.JAVA_FLOAT, i), "element " + i);
        d.freePinned(in);
        d.freePinned(out);
        d.destroyStream(stream);
        d.free(a);
        d.free(b);
    }

    @Test
    void memsetSetsBytesInStreamOrder() {
        int n = 1001;
        long p = d.malloc(n);
        d.memset(p, 0x5A, n, d.defaultStream());
        d.memset(p + 100, 0x1FF, 3, d.defaultStream());
        byte[] back = new byte[n];
        d.copyDtoH(MemorySegment.ofArray(back), p, n, d.defaultStream());
        for (int i = 0; i < n; i++) assertEquals(i >= 100 && i < 103 ? (byte) 0xFF : (byte) 0x5A, back[i], "byte " + i);
        d.free(p);
    }

    @Test
    void launchesAKernelCompiledAtRunTimeFromTheClassPath() {
        CudaModule m = testModule();
        assertTrue(m.toString().contains("NVRTC"), m.toString());
        CudaFunction f = d.function(m, "driver_test_saxpy");
        int n = 100_003;
        float a = 1.75f;
        float[] x = random(n, 2);
        float[] y = random(n, 3);
        long dx = d.malloc(n * 4L);
        long dy = d.malloc(n * 4L);
        d.copyHtoD(dx, MemorySegment.ofArray(x), n * 4L, d.defaultStream());
        d.copyHtoD(dy, MemorySegment.ofArray(y), n * 4L, d.defaultStream());
        try (KernelArgs args = new KernelArgs()) {
            d.launch(f, Dim3.cover(n, 256), Dim3.of(256), 0, d.defaultStream(), args.i32(n).f32(a).ptr(dx).ptr(dy));
        }
        float[] got = new float[n];
        d.copyDtoH(MemorySegment.ofArray(got), dy, n * 4L, d.defaultStream());
        for (int i = 0; i < n; i++) assertEquals(Math.fma(a, x[i], y[i]), got[i], 1e-6f, "element " + i);
        d.free(dx);
        d.free(dy);
    }

    @Test
    void launchesInlinePtxFromNvrtc() {
        Nvrtc nvrtc;
        try {
            nvrtc = Nvrtc.get(d.driverVersion());
        } catch (CudaException e) {
            assumeTrue(false, e.getMessage());
            return;
        }
        String src = "extern \"C\" __global__ void fill_index(int* out, int n) { int i = blockIdx.x * blockDim.x + threadIdx.x; if (i < n) out[i] = i * 3; }";
        String ptx = nvrtc.compile(src, "inline.cu", java.util.Map.of(), List.of("--gpu-architecture=compute_75"));
        DriverHandles.Module m = d.loadPtx("inline", ptx, "inline NVRTC");
        int n = 4097;
        long out = d.malloc(n * 4L);
        try (KernelArgs args = new KernelArgs()) {
            d.launch(d.function(m, "fill_index"), Dim3.cover(n, 128), Dim3.of(128), 0, d.defaultStream(), args.ptr(out).i32(n));
        }
        int[] got = new int[n];
        d.copyDtoH(MemorySegment.ofArray(got), out, n * 4L, d.defaultStream());
        for (int i = 0; i < n; i++) assertEquals(i * 3, got[i]);
        d.unloadModule(m);
        d.free(out);
    }

    @Test
    void dynamicSharedMemoryAbove48KiBNeedsTheAttribute() {
        CudaFunction f = d.function(testModule(), "driver_test_reverse_blocks");
        int threads = 1024;
        int perBlock = threads * 16;
        int shared = perBlock * 4;
        int n = 3 * perBlock + 777;
        float[] in = random(n, 4);
        long din = d.malloc(n * 4L);
        long dout = d.malloc(n * 4L);
        d.copyHtoD(din, MemorySegment.ofArray(in), n * 4L, d.defaultStream());
        Dim3 grid = Dim3.cover(n, perBlock);
        try (KernelArgs args = new KernelArgs()) {
            args.ptr(din).ptr(dout).i32(n);
            CudaException e = assertThrows(CudaException.class, () -> {
                d.launch(f, grid, Dim3.of(threads), shared, d.defaultStream(), args);
                d.synchronize();
            });
            assertTrue(e.getMessage().contains("cuLaunchKernel(driver_test_reverse_blocks, grid (4,1,1), block (1024,1,1), 65536 bytes"),
                    e.getMessage());
            d.setMaxDynamicSharedMemory(f, shared);
            d.launch(f, grid, Dim3.of(threads), shared, d.defaultStream(), args);
        }
        float[] got = new float[n];
        d.copyDtoH(MemorySegment.ofArray(got), dout, n * 4L, d.defaultStream());
        for (int base = 0; base < n; base += perBlock) {
            int len = Math.min(perBlock, n - base);
            for (int j = 0; j < len; j++) assertEquals(in[base + len - 1 - j], got[base + j], "element " + (base + j));
        }
        d.free(din);
        d.free(dout);
    }

    @Test
    void eventsTimeWorkOnAStream() {
        CudaFunction spin = d.function(testModule(), "driver_test_spin");
        int n = 1 << 20;
        long data = d.malloc(n * 4L);
        CudaStream s = d.createStream();
        CudaEvent start = d.createEvent();
        CudaEvent end = d.createEvent();
        d.memset(data, 0, n * 4L, s);
        d.record(start, s);
        try (KernelArgs args = new KernelArgs()) {
            d.launch(spin, Dim3.cover(n, 256), Dim3.of(256), 0, s, args.ptr(data).i32(n).i32(4000));
        }
        d.record(end, s);
        float ms = d.elapsedMillis(start, end);
        assertTrue(ms > 0 && ms < 10_000, ms + " ms");
        float[] got = new float[4];
        d.copyDtoH(MemorySegment.ofArray(got), data, 16, s);
        float v = 0;
        for (int r = 0; r < 4000; r++) v = v * 0.999999f + 1.0f;
        assertEquals(v, got[3], v * 1e-3f);
        d.destroyEvent(start);
        d.destroyEvent(end);
        d.destroyStream(s);
        d.free(data);
    }

    @Test
    void aMisspelledKernelNameListsTheModulesKernels() {
        CudaModule m = testModule();
        CudaException e = assertThrows(CudaException.class, () -> d.function(m, "driver_test_saxpi"));
        assertEquals(CuResult.NOT_FOUND, e.code());
        assertTrue(e.getMessage().contains("driver_test_saxpy"), e.getMessage());
    }

    @Test
    void aBadLaunchNamesTheKernelAndItsConfiguration() {
        CudaFunction f = d.function(testModule(), "driver_test_saxpy");
        long p = d.malloc(64);
        try (KernelArgs args = new KernelArgs()) {
            args.i32(16).f32(1f).ptr(p).ptr(p);
            CudaException e = assertThrows(CudaException.class, () -> d.launch(f, new Dim3(1, 70_000, 1), Dim3.of(32), 0, d.defaultStream(), args));
            assertEquals(1, e.code());
            assertTrue(e.getMessage().startsWith("cuLaunchKernel(driver_test_saxpy, grid (1,70000,1), block (32,1,1), 0 bytes dynamic shared memory)"
                    + " failed: CUDA_ERROR_INVALID_VALUE (1): "), e.getMessage());
        }
        d.synchronize();
        d.free(p);
    }

    @Test
    void everyBuiltModuleLoadsAndItsKernelsResolve() throws IOException {
        Path built = Path.of("target/classes/cuda");
        List<String> names;
        try (Stream<Path> files = Files.isDirectory(built) ? Files.list(built) : Stream.empty()) {
            names = files.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".cu")).map(f -> f.substring(0, f.length() - 3)).sorted().toList();
        }
        assumeFalse(names.isEmpty(), "no kernel modules in kernels/src/main/cuda yet");
        for (String name : names) {
            DriverHandles.Module m = (DriverHandles.Module) d.loadModule(new ModuleSource(name));
            assertFalse(m.ptx().entries().isEmpty(), m.toString());
            for (String kernel : m.ptx().entries().keySet()) d.function(m, kernel);
        }
    }

    @Test
    void twoDeviceObjectsShareThePrimaryContextButNotTheirMemory() {
        DriverCudaDevice other = open(0);
        long p = other.malloc(256);
        assertThrows(IllegalArgumentException.class, () -> d.memset(p, 0, 256, d.defaultStream()));
        other.close();
        long q = d.malloc(256);
        d.memset(q, 1, 256, d.defaultStream());
        d.synchronize();
        d.free(q);
    }
}
