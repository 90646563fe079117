package org.ddrl.kernels.cuda.driver;

import org.ddrl.kernels.cuda.CudaException;
import org.ddrl.kernels.cuda.CudaFunction;
import org.ddrl.kernels.cuda.CudaModule;
import org.ddrl.kernels.cuda.CudaStream;
import org.ddrl.kernels.cuda.Dim3;
import org.ddrl.kernels.cuda.KernelArgs;
import org.ddrl.kernels.cuda.ModuleSource;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DriverCudaDevice's own logic over a fake driver: checks, bookkeeping, module choice, messages. No GPU needed. */
@SuppressWarnings("restricted") // native access is granted once for the whole project (ddrl.jvmFlags)
class DriverCudaDeviceTest {
    private static final ModuleSource FAKE_MODULE = new ModuleSource("driver_fake_module");
    private static final String COMPILED_PTX = """
            .version 8.0
            .target sm_75
            .address_size 64
            .visible .entry fake_saxpy(.param .u32 a, .param .f32 b, .param .u64 c, .param .u64 d)
            {
                ret;
            }
            """;

    private final List<String> compiled = new ArrayList<>();

    private DriverCudaDevice open(FakeDriverApi api) {
        return new DriverCudaDevice(api, 0, (source, cc, driver) -> {
            compiled.add(source.name() + " for " + cc + " on " + driver);
            return new ModuleCompiler.Compiled(COMPILED_PTX, "test compiler");
        });
    }

    @Test
    void describesTheDevice() {
        try (DriverCudaDevice d = open(new FakeDriverApi())) {
            assertEquals("Fake GPU", d.info().name());
            assertEquals(132, d.info().multiprocessors());
            assertEquals("9.0", d.info().computeCapability());
            assertEquals(1024, d.info().maxThreadsPerBlock());
            assertEquals(48 * 1024, d.info().maxSharedPerBlock());
            assertEquals(32, d.info().warpSize());
            assertEquals("driver (fake)", d.implementation());
        }
    }

    @Test
    void missingOrdinalSaysHowManyDevicesThereAre() {
        FakeDriverApi api = new FakeDriverApi();
        api.devices = 2;
        CudaException e = assertThrows(CudaException.class, () -> new DriverCudaDevice(api, 2, (s, c, v) -> null));
        assertEquals("no CUDA device 2: the driver sees 2 devices (0..1)", e.getMessage());
    }

    @Test
    void copiesRoundTripFromHeapAndNativeMemory() {
        try (DriverCudaDevice d = open(new FakeDriverApi()); Arena arena = Arena.ofConfined()) {
            CudaStream s = d.defaultStream();
            float[] values = new float[37];
            for (int i = 0; i < values.length; i++) values[i] = i * 0.5f - 3;
            long bytes = values.length * 4L;
            long a = d.malloc(bytes);
            long b = d.malloc(bytes);
            d.copyHtoD(a, MemorySegment.ofArray(values), bytes, s);
            d.copyDtoD(b, a, bytes, s);
            float[] back = new float[values.length];
            d.copyDtoH(MemorySegment.ofArray(back), b, bytes, s);
            assertArrayEquals(values, back);

            MemorySegment pinned = d.allocPinned(bytes);
            d.memset(a + 4, 0x7f, 8, s);
            d.copyDtoH(pinned, a, bytes, s);
            d.synchronize(s);
            assertEquals(values[0], pinned.getAtIndex(ValueLayout.JAVA_FLOAT, 0));
            assertEquals(Float.intBitsToFloat(0x7f7f7f7f), pinned.getAtIndex(ValueLayout.JAVA_FLOAT, 1));
            assertEquals(Float.intBitsToFloat(0x7f7f7f7f), pinned.getAtIndex(ValueLayout.JAVA_FLOAT, 2));
            assertEquals(values[3], pinned.getAtIndex(ValueLayout.JAVA_FLOAT, 3));
            d.freePinned(pinned);

            MemorySegment nativeSrc = arena.allocate(bytes);
            nativeSrc.setAtIndex(ValueLayout.JAVA_FLOAT, 36, 42f);
            d.copyHtoD(a, nativeSrc, bytes, s);
            d.copyDtoH(MemorySegment.ofArray(back), a, bytes, s);
            assertEquals(42f, back[36]);
            d.free(a);
            d.free(b);
        }
    }

    @Test
    void rejectsRangesOutsideAllocations() {
        try (DriverCudaDevice d = open(new FakeDriverApi())) {
            long a = d.malloc(64);
            byte[] host = new byte[128];
            d.copyHtoD(a + 16, MemorySegment.ofArray(host), 48, d.defaultStream());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> d.copyHtoD(a + 16, MemorySegment.ofArray(host), 49, d.defaultStream()));
            assertTrue(e.getMessage().startsWith(String.format("copyHtoD: [0x%x, +49 bytes) is not inside a live allocation", a + 16)), e.getMessage());
            assertTrue(e.getMessage().contains(String.format("the nearest allocation below is 0x%x of 64 bytes", a)), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> d.memset(a - 1, 0, 1, d.defaultStream()));
            assertThrows(IllegalArgumentException.class, () -> d.copyHtoD(a, MemorySegment.ofArray(host), 129, d.defaultStream()),
                    "more bytes than the host segment holds");
            d.free(a);
            assertThrows(IllegalArgumentException.class, () -> d.copyDtoD(a, a, 8, d.defaultStream()), "freed memory");
        }
    }

    @Test
    void freeChecksThePointer() {
        try (DriverCudaDevice d = open(new FakeDriverApi())) {
            assertEquals(0, d.malloc(0));
            d.free(0);
            long a = d.malloc(100);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.free(a + 4));
            assertTrue(e.getMessage().contains("is not a live allocation"), e.getMessage());
            d.free(a);
            assertThrows(IllegalArgumentException.class, () -> d.free(a));
            assertThrows(IllegalArgumentException.class, () -> d.malloc(-1));
        }
    }

    @Test
    void outOfMemoryKeepsTheCodeAndSaysWhatIsFree() {
        FakeDriverApi api = new FakeDriverApi();
        try (DriverCudaDevice d = open(api)) {
            d.malloc(1000);
            CudaException e = assertThrows(CudaException.class, () -> d.malloc(api.memoryLimit));
            assertEquals(2, e.code());
            assertTrue(e.getMessage().startsWith("cuMemAlloc_v2(1048576 bytes) failed: CUDA_ERROR_OUT_OF_MEMORY (2): out of memory on CUDA device 0"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("1,047,576 bytes free of 1,048,576; this device object holds 1,000 bytes in 1 allocations"),
                    e.getMessage());
        }
    }

    @Test
    void makesItsContextCurrentOnEveryThread() throws Exception {
        FakeDriverApi api = new FakeDriverApi();
        try (DriverCudaDevice d = open(api)) {
            // the fake fails any call made without the context current on the calling thread
            long p = CompletableFuture.supplyAsync(() -> d.malloc(16)).get();
            CompletableFuture.runAsync(() -> d.memset(p, 1, 16, d.defaultStream())).get();
            CompletableFuture.runAsync(d::synchronize).get();
            assertTrue(api.calls.containsAll(List.of("cuMemAlloc", "cuMemsetD8Async", "cuCtxSynchronize")));
        }
    }

    @Test
    void refusesHandlesOfOtherDevicesAndDestroyedOnes() {
        try (DriverCudaDevice d = open(new FakeDriverApi()); DriverCudaDevice other = open(new FakeDriverApi())) {
            long p = d.malloc(8);
            CudaStream foreign = other.createStream();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.memset(p, 0, 8, foreign));
            assertTrue(e.getMessage().contains("does not belong to CUDA device 0 (Fake GPU, driver (fake))"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> d.synchronize((CudaStream) null));
            CudaStream s = d.createStream();
            d.destroyStream(s);
            assertTrue(assertThrows(IllegalArgumentException.class, () -> d.synchronize(s)).getMessage().contains("was destroyed"));
            assertThrows(IllegalArgumentException.class, () -> d.destroyStream(d.defaultStream()));
        }
    }

    @Test
    void timesEventsAfterWaitingForTheEnd() {
        FakeDriverApi api = new FakeDriverApi();
        try (DriverCudaDevice d = open(api)) {
            var start = d.createEvent();
            var end = d.createEvent();
            d.record(start, d.defaultStream());
            d.record(end, d.defaultStream());
            assertEquals(1.5f, d.elapsedMillis(start, end));
            int sync = api.calls.indexOf("cuEventSynchronize");
            assertTrue(sync >= 0 && sync < api.calls.indexOf("cuEventElapsedTime"));
            d.destroyEvent(start);
            assertThrows(IllegalArgumentException.class, () -> d.elapsedMillis(start, end));
        }
    }

    @Test
    void usesTheJarPtxWhenDeviceAndDriverCanTakeIt() {
        FakeDriverApi api = new FakeDriverApi();
        try (DriverCudaDevice d = open(api)) {
            CudaModule m = d.loadModule(FAKE_MODULE);
            assertEquals("module driver_fake_module (PTX from the jar (sm_80, ISA 9.0))", m.toString());
            assertTrue(compiled.isEmpty());
            assertEquals(FAKE_MODULE.ptx(), api.loadedImages.getFirst());
        }
    }

    @Test
    void compilesWhenTheDeviceIsOlderThanThePtxTarget() {
        FakeDriverApi api = new FakeDriverApi();
        api.ccMajor = 7;
        api.ccMinor = 5;
        try (DriverCudaDevice d = open(api)) {
            CudaModule m = d.loadModule(FAKE_MODULE);
            assertEquals(List.of("driver_fake_module for 75 on 13000"), compiled);
            assertEquals("module driver_fake_module (test compiler)", m.toString());
            assertEquals(COMPILED_PTX, api.loadedImages.getFirst());
        }
    }

    @Test
    void compilesWhenTheDriverIsOlderThanThePtxIsa() {
        FakeDriverApi api = new FakeDriverApi();
        api.driverVersion = 12040;
        try (DriverCudaDevice d = open(api)) {
            d.loadModule(FAKE_MODULE);
            assertEquals(List.of("driver_fake_module for 90 on 12040"), compiled);
        }
    }

    @Test
    void compilesWhenTheDriverRefusesTheJarPtx() {
        FakeDriverApi api = new FakeDriverApi();
        api.failModuleLoadWith = CuResult.UNSUPPORTED_PTX_VERSION;
        try (DriverCudaDevice d = open(api)) {
            // the fake refuses every image, so the compiled one fails too, with the driver's error
            CudaException e = assertThrows(CudaException.class, () -> d.loadModule(FAKE_MODULE));
            assertEquals(1, compiled.size());
            assertEquals(CuResult.UNSUPPORTED_PTX_VERSION, e.code());
            assertTrue(e.getMessage().contains("module driver_fake_module, test compiler"), e.getMessage());
        }
    }

    @Test
    void compiledPtxNewerThanTheDriverIsRefusedWithAFix() {
        FakeDriverApi api = new FakeDriverApi();
        api.driverVersion = 12040;
        try (DriverCudaDevice d = new DriverCudaDevice(api, 0, (s, c, v) -> new ModuleCompiler.Compiled(".version 8.7\n.target sm_90\n",
                "NVRTC 12.8, compute_90"))) {
            CudaException e = assertThrows(CudaException.class, () -> d.loadModule(FAKE_MODULE));
            assertEquals("kernel module 'driver_fake_module' cannot be loaded on CUDA device 0 (Fake GPU, driver (fake)): the PTX is ISA 9.0, "
                    + "newer than this driver (CUDA 12.4, ISA 8.4) can compile; and the NVRTC 12.8, compute_90 output cannot be used either: the "
                    + "PTX is ISA 8.7, newer than this driver (CUDA 12.4, ISA 8.4) can compile. Update the driver, or put an NVRTC no newer than "
                    + "the driver first with -Dddrl.cuda.libraryPath", e.getMessage());
            assertTrue(api.loadedImages.isEmpty());
        }
    }

    @Test
    void failedCompilationReportsBothReasons() {
        FakeDriverApi api = new FakeDriverApi();
        api.ccMajor = 7;
        api.ccMinor = 5;
        try (DriverCudaDevice d = new DriverCudaDevice(api, 0, (s, c, v) -> {
            throw new CudaException("NVRTC (libnvrtc.so.13 or libnvrtc.so.12) could not be loaded");
        })) {
            CudaException e = assertThrows(CudaException.class, () -> d.loadModule(FAKE_MODULE));
            assertEquals("kernel module 'driver_fake_module' cannot be loaded on CUDA device 0 (Fake GPU, driver (fake)): the PTX targets sm_80, "
                    + "newer than this device (compute capability 7.5); and compiling its source at run time failed: NVRTC (libnvrtc.so.13 "
                    + "or libnvrtc.so.12) could not be loaded", e.getMessage());
        }
    }

    @Test
    void unknownKernelNameListsTheModulesKernels() {
        try (DriverCudaDevice d = open(new FakeDriverApi())) {
            CudaModule m = d.loadModule(FAKE_MODULE);
            CudaException e = assertThrows(CudaException.class, () -> d.function(m, "saxpy"));
            assertEquals(CuResult.NOT_FOUND, e.code());
            assertTrue(e.getMessage().contains("no kernel named 'saxpy' in module driver_fake_module (PTX from the jar (sm_80, ISA 9.0)); its kernels"
                    + " are [fake_saxpy, fake_noargs]"), e.getMessage());
        }
    }

    @Test
    void launchPassesThePointerArrayAndChecksArguments() {
        FakeDriverApi api = new FakeDriverApi();
        try (DriverCudaDevice d = open(api); KernelArgs args = new KernelArgs(); KernelArgs wrong = new KernelArgs();
             KernelArgs few = new KernelArgs()) {
            CudaFunction f = d.function(d.loadModule(FAKE_MODULE), "fake_saxpy");
            long x = d.malloc(40);
            args.i32(10).f32(2f).ptr(x).ptr(x);
            d.launch(f, Dim3.of(3), Dim3.of(128, 2), 256, d.defaultStream(), args);
            FakeDriverApi.Launch l = api.launches.getFirst();
            assertEquals(new Dim3(3, 1, 1), l.grid());
            assertEquals(new Dim3(128, 2, 1), l.block());
            assertEquals(256, l.sharedBytes());
            MemorySegment array = args.pointerArray().reinterpret(4 * 8);
            for (int i = 0; i < 4; i++) assertEquals(array.getAtIndex(ValueLayout.ADDRESS, i).address(), l.argumentAddresses().get(i));

            wrong.i32(10).f32(2f).i32(0).ptr(x);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.launch(f, Dim3.of(1), Dim3.of(32), 0, d.defaultStream(), wrong));
            assertTrue(e.getMessage().startsWith("launch(fake_saxpy): parameter 2 is 4 bytes, the kernel declares 8"), e.getMessage());
            few.i32(10);
            e = assertThrows(IllegalArgumentException.class, () -> d.launch(f, Dim3.of(1), Dim3.of(32), 0, d.defaultStream(), few));
            assertEquals("launch(fake_saxpy): the kernel takes 4 parameters [4, 4, 8, 8] (bytes each), 1 were given", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> d.launch(f, Dim3.of(1), Dim3.of(1024, 2), 0, d.defaultStream(), args));
            assertTrue(e.getMessage().contains("has 2048 threads; Fake GPU allows 1024"), e.getMessage());
            assertEquals(1, api.launches.size());
        }
    }

    @Test
    void dynamicSharedMemoryIsCheckedAgainstTheOptInLimit() {
        try (DriverCudaDevice d = open(new FakeDriverApi())) {
            CudaFunction f = d.function(d.loadModule(FAKE_MODULE), "fake_noargs");
            d.setMaxDynamicSharedMemory(f, 100 * 1024);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.setMaxDynamicSharedMemory(f, 228 * 1024));
            assertTrue(e.getMessage().endsWith("allows at most 232448 bytes of shared memory per block"), e.getMessage());
        }
    }

    @Test
    void unloadedModulesFunctionsCannotLaunch() {
        try (DriverCudaDevice d = open(new FakeDriverApi()); KernelArgs none = new KernelArgs()) {
            CudaModule m = d.loadModule(FAKE_MODULE);
            CudaFunction f = d.function(m, "fake_noargs");
            d.unloadModule(m);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.launch(f, Dim3.of(1), Dim3.of(1), 0, d.defaultStream(), none));
            assertTrue(e.getMessage().contains("was unloaded"), e.getMessage());
        }
    }

    @Test
    void closeReleasesEverythingLeftAndTheContext() {
        FakeDriverApi api = new FakeDriverApi();
        DriverCudaDevice d = open(api);
        d.malloc(10);
        d.malloc(20);
        d.createStream();
        d.createEvent();
        d.loadModule(FAKE_MODULE);
        d.close();
        assertTrue(api.deviceMemory.isEmpty());
        assertEquals(0, api.retained);
        for (String call : List.of("cuModuleUnload", "cuStreamDestroy", "cuEventDestroy", "cuMemFree", "cuDevicePrimaryCtxRelease")) {
            assertTrue(api.calls.contains(call), call);
        }
        assertThrows(IllegalStateException.class, () -> d.malloc(4));
        d.close();
        assertEquals(0, api.retained, "a second close releases nothing more");
        assertFalse(api.calls.isEmpty());
    }
}
