package org.ddrl.kernels.cuda.driver;

import org.ddrl.kernels.cuda.CudaException;
import org.ddrl.kernels.cuda.Dim3;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A driver without a GPU for testing {@link DriverCudaDevice}'s own logic: "device memory" is host memory, so
 * copies and memsets really move bytes; modules are parsed PTX; launches are recorded. Every call that needs a
 * context checks that the device made its context current on the calling thread, as the real driver would
 * fail with CUDA_ERROR_INVALID_CONTEXT otherwise.
 */
@SuppressWarnings("restricted") // native access is granted once for the whole project (ddrl.jvmFlags)
final class FakeDriverApi implements DriverApi {
    record Launch(long function, Dim3 grid, Dim3 block, int sharedBytes, long stream, List<Long> argumentAddresses) {
    }

    static final long CONTEXT = 0xC0FFEEL;

    int driverVersion = 13000;
    int ccMajor = 9;
    int ccMinor = 0;
    int devices = 1;
    long memoryLimit = 1 << 20;
    int failModuleLoadWith = 0;
    final List<String> calls = new ArrayList<>();
    final List<String> loadedImages = new ArrayList<>();
    final List<Launch> launches = new ArrayList<>();
    final Map<Long, Long> deviceMemory = new HashMap<>();
    int retained;

    private final Arena arena = Arena.ofShared();
    private final ThreadLocal<Long> current = ThreadLocal.withInitial(() -> 0L);
    private final Map<Long, PtxInfo> modules = new HashMap<>();
    private long nextHandle = 0x1000;

    private static CudaException error(String call, int code) {
        return CuResult.exception(call, code, CuResult.name(code), "fake driver", "");
    }

    private void needContext(String call) {
        calls.add(call);
        if (current.get() != CONTEXT) throw error(call + " without the device's context current", 201);
    }

    @Override
    public String binding() {
        return "fake";
    }

    @Override
    public int driverVersion() {
        return driverVersion;
    }

    @Override
    public int deviceCount() {
        return devices;
    }

    @Override
    public int device(int ordinal) {
        return ordinal;
    }

    @Override
    public String deviceName(int device) {
        return "Fake GPU";
    }

    @Override
    public int deviceAttribute(int attribute, int device) {
        return switch (attribute) {
            case DriverCudaDevice.ATTR_MAX_THREADS_PER_BLOCK -> 1024;
            case DriverCudaDevice.ATTR_MAX_SHARED_MEMORY_PER_BLOCK -> 48 * 1024;
            case DriverCudaDevice.ATTR_WARP_SIZE -> 32;
            case DriverCudaDevice.ATTR_MULTIPROCESSOR_COUNT -> 132;
            case DriverCudaDevice.ATTR_COMPUTE_CAPABILITY_MAJOR -> ccMajor;
            case DriverCudaDevice.ATTR_COMPUTE_CAPABILITY_MINOR -> ccMinor;
            case DriverCudaDevice.ATTR_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN -> 227 * 1024;
            default -> throw error("cuDeviceGetAttribute(" + attribute + ")", 1);
        };
    }

    @Override
    public long deviceTotalMem(int device) {
        return memoryLimit;
    }

    @Override
    public long primaryCtxRetain(int device) {
        retained++;
        return CONTEXT;
    }

    @Override
    public void primaryCtxRelease(int device) {
        calls.add("cuDevicePrimaryCtxRelease");
        retained--;
    }

    @Override
    public void ctxSetCurrent(long context) {
        current.set(context);
    }

    @Override
    public void ctxSynchronize() {
        needContext("cuCtxSynchronize");
    }

    @Override
    public long[] memGetInfo() {
        needContext("cuMemGetInfo");
        long used = 0;
        for (long b : deviceMemory.values()) used += b;
        return new long[] {memoryLimit - used, memoryLimit};
    }

    @Override
    public long memAlloc(long bytes) {
        needContext("cuMemAlloc");
        if (memGetInfo()[0] < bytes) throw error("cuMemAlloc", 2);
        long p = arena.allocate(bytes, 256).address();
        deviceMemory.put(p, bytes);
        return p;
    }

    @Override
    public void memFree(long devicePtr) {
        needContext("cuMemFree");
        if (deviceMemory.remove(devicePtr) == null) throw error("cuMemFree", 1);
    }

    @Override
    public MemorySegment memAllocHost(long bytes) {
        needContext("cuMemAllocHost");
        return arena.allocate(bytes, 64);
    }

    @Override
    public void memFreeHost(MemorySegment pinned) {
        needContext("cuMemFreeHost");
    }

    private static MemorySegment at(long address, long bytes) {
        return MemorySegment.ofAddress(address).reinterpret(bytes);
    }

    @Override
    public void memcpyHtoDAsync(long dst, MemorySegment src, long bytes, long stream) {
        needContext("cuMemcpyHtoDAsync");
        if (!src.isNative()) throw new IllegalStateException("the driver can only read native memory");
        MemorySegment.copy(src, 0, at(dst, bytes), 0, bytes);
    }

    @Override
    public void memcpyDtoHAsync(MemorySegment dst, long src, long bytes, long stream) {
        needContext("cuMemcpyDtoHAsync");
        if (!dst.isNative()) throw new IllegalStateException("the driver can only write native memory");
        MemorySegment.copy(at(src, bytes), 0, dst, 0, bytes);
    }

    @Override
    public void memcpyDtoDAsync(long dst, long src, long bytes, long stream) {
        needContext("cuMemcpyDtoDAsync");
        MemorySegment.copy(at(src, bytes), 0, at(dst, bytes), 0, bytes);
    }

    @Override
    public void memsetD8Async(long dst, byte value, long bytes, long stream) {
        needContext("cuMemsetD8Async");
        at(dst, bytes).fill(value);
    }

    @Override
    public long streamCreate(int flags) {
        needContext("cuStreamCreate");
        return nextHandle++;
    }

    @Override
    public void streamDestroy(long stream) {
        needContext("cuStreamDestroy");
    }

    @Override
    public void streamSynchronize(long stream) {
        needContext("cuStreamSynchronize");
    }

    @Override
    public long eventCreate(int flags) {
        needContext("cuEventCreate");
        return nextHandle++;
    }

    @Override
    public void eventRecord(long event, long stream) {
        needContext("cuEventRecord");
    }

    @Override
    public void eventSynchronize(long event) {
        needContext("cuEventSynchronize");
    }

    @Override
    public float eventElapsedTime(long start, long end) {
        needContext("cuEventElapsedTime");
        return 1.5f;
    }

    @Override
    public void eventDestroy(long event) {
        needContext("cuEventDestroy");
    }

    @Override
    public long moduleLoadData(MemorySegment image, String what) {
        needContext("cuModuleLoadDataEx");
        if (failModuleLoadWith != 0) throw error("cuModuleLoadDataEx(" + what + ")", failModuleLoadWith);
        String ptx = image.reinterpret(Integer.MAX_VALUE).getString(0);
        loadedImages.add(ptx);
        long h = nextHandle++;
        modules.put(h, PtxInfo.parse(ptx));
        return h;
    }

    @Override
    public void moduleUnload(long module) {
        needContext("cuModuleUnload");
        modules.remove(module);
    }

    @Override
    public long moduleGetFunction(long module, String name) {
        needContext("cuModuleGetFunction");
        if (!modules.get(module).entries().containsKey(name)) throw error("cuModuleGetFunction(" + name + ")", CuResult.NOT_FOUND);
        return nextHandle++;
    }

    @Override
    public void funcSetAttribute(long function, int attribute, int value) {
        needContext("cuFuncSetAttribute");
    }

    @Override
    public void launchKernel(long function, Dim3 grid, Dim3 block, int sharedBytes, long stream, MemorySegment params, String kernelName) {
        needContext("cuLaunchKernel");
        int n = modules.values().stream().filter(m -> m.entries().containsKey(kernelName)).findFirst().orElseThrow().entries().get(kernelName).size();
        MemorySegment array = params.reinterpret((long) n * ValueLayout.ADDRESS.byteSize());
        List<Long> addresses = new ArrayList<>();
        for (int i = 0; i < n; i++) addresses.add(array.getAtIndex(ValueLayout.ADDRESS, i).address());
        launches.add(new Launch(function, grid, block, sharedBytes, stream, addresses));
    }
}
