package org.ddrl.kernels.cuda.driver;

import org.ddrl.kernels.cuda.CudaException;
import org.ddrl.kernels.cuda.Dim3;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.ddrl.kernels.cuda.driver.Downcalls.invoke;

/**
 * The CUDA driver API from libcuda.so.1 through the Foreign Function and Memory API. Entry points are the ones
 * cuda.h maps the API names to (cuMemAlloc is cuMemAlloc_v2, cuStreamDestroy is cuStreamDestroy_v2, ...);
 * where CUDA 13 renamed a call that older drivers only export under the old name (cuEventElapsedTime_v2),
 * the old name is the fallback. One instance per process, made on first use: it loads the library, creates
 * every downcall handle once and calls cuInit. The calls themselves are thread-safe, as the driver's are.
 */
@SuppressWarnings("restricted") // native access is granted once for the whole project (ddrl.jvmFlags)
public final class CudaDriver implements DriverApi {
    public static final LibrarySpec LIBCUDA = new LibrarySpec("The CUDA driver library", "libcuda.so", List.of(1), List.of(),
            "install the NVIDIA driver for your GPU (it provides libcuda.so.1; the CUDA toolkit alone does not)", true);

    private static final Object LOCK = new Object();
    private static CudaDriver instance;
    private static String failure;

    private final MethodHandle cuInit, cuDriverGetVersion, cuDeviceGetCount, cuDeviceGet, cuDeviceGetName, cuDeviceGetAttribute,
            cuDeviceTotalMem, cuDevicePrimaryCtxRetain, cuDevicePrimaryCtxRelease, cuCtxSetCurrent, cuCtxSynchronize, cuMemGetInfo,
            cuMemAlloc, cuMemFree, cuMemAllocHost, cuMemFreeHost, cuMemcpyHtoDAsync, cuMemcpyDtoHAsync, cuMemcpyDtoDAsync,
            cuMemsetD8Async, cuStreamCreate, cuStreamDestroy, cuStreamSynchronize, cuEventCreate, cuEventRecord, cuEventSynchronize,
            cuEventElapsedTime, cuEventDestroy, cuModuleLoadDataEx, cuModuleUnload, cuModuleGetFunction, cuFuncSetAttribute,
            cuLaunchKernel, cuGetErrorName, cuGetErrorString;
    private final int driverVersion;

    /**
     * The process's driver, loaded and initialized on first use.
     *
     * @throws CudaException saying what was searched when libcuda.so.1 cannot be loaded, or why cuInit failed;
     *                       the failure is remembered, so later calls fail fast with the same message
     */
    public static CudaDriver get() {
        synchronized (LOCK) {
            if (instance != null) return instance;
            if (failure != null) throw new CudaException(failure);
            try {
                instance = new CudaDriver(NativeLibraries.load(LIBCUDA, 0));
                return instance;
            } catch (CudaException e) {
                failure = e.getMessage();
                throw e;
            }
        }
    }

    private CudaDriver(NativeLibraries.Loaded library) {
        Downcalls d = new Downcalls(library);
        cuGetErrorName = d.find(FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), "cuGetErrorName");
        cuGetErrorString = d.find(FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), "cuGetErrorString");
        cuInit = d.find(FunctionDescriptor.of(JAVA_INT, JAVA_INT), "cuInit");
        cuDriverGetVersion = d.find(FunctionDescriptor.of(JAVA_INT, ADDRESS), "cuDriverGetVersion");
        cuDeviceGetCount = d.find(FunctionDescriptor.of(JAVA_INT, ADDRESS), "cuDeviceGetCount");
        cuDeviceGet = d.find(FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), "cuDeviceGet");
        cuDeviceGetName = d.find(FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), "cuDeviceGetName");
        cuDeviceGetAttribute = d.find(FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), "cuDeviceGetAttribute");
        cuDeviceTotalMem = d.find(FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), "cuDeviceTotalMem_v2");
        cuDevicePrimaryCtxRetain = d.find(FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), "cuDevicePrimaryCtxRetain");
        cuDevicePrimaryCtxRelease = d.find(FunctionDescriptor.of(JAVA_INT, JAVA_INT), "cuDevicePrimaryCtxRelease_v2");
        cuCtxSetCurrent = d.find(FunctionDescriptor.of(JAVA_INT, ADDRESS), "cuCtxSetCurrent");
        cuCtxSynchronize = d.find(FunctionDescriptor.of(JAVA_INT), "cuCtxSynchronize");
        cuMemGetInfo = d.find(FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS), "cuMemGetInfo_v2");
        cuMemAlloc = d.find(FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG), "cuMemAlloc_v2");
        cuMemFree = d.find(FunctionDescriptor.of(JAVA_INT, JAVA_LONG), "cuMemFree_v2");
        cuMemAllocHost = d.find(FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG), "cuMemAllocHost_v2");
        cuMemFreeHost = d.find(FunctionDescriptor.of(JAVA_INT, ADDRESS), "cuMemFreeHost");
        cuMemcpyHtoDAsync = d.find(FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS), "cuMemcpyHtoDAsync_v2");
        cuMemcpyDtoHAsync = d.find(FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS), "cuMemcpyDtoHAsync_v2");
        cuMemcpyDtoDAsync = d.find(FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS), "cuMemcpyDtoDAsync_v2");
        // unsigned char is passed as a zero-extended int: compilers differ on whether the callee may rely on the
        // upper bits of a narrow argument, and a sign-extended 0xFF would break one that does
        cuMemsetD8Async = d.find(FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG, ADDRESS), "cuMemsetD8Async");
        cuStreamCreate = d.find(FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), "cuStreamCreate");
        cuStreamDestroy = d.find(FunctionDescriptor.of(JAVA_INT, ADDRESS), "cuStreamDestroy_v2");
        cuStreamSynchronize = d.find(FunctionDescriptor.of(JAVA_INT, ADDRESS), "cuStreamSynchronize");
        cuEventCreate = d.find(FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), "cuEventCreate");
        cuEventRecord = d.find(FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS), "cuEventRecord");
        cuEventSynchronize = d.find(FunctionDescriptor.of(JAVA_INT, ADDRESS), "cuEventSynchronize");
        cuEventElapsedTime = d.find(FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS), "cuEventElapsedTime_v2", "cuEventElapsedTime");
        cuEventDestroy = d.find(FunctionDescriptor.of(JAVA_INT, ADDRESS), "cuEventDestroy_v2");
        cuModuleLoadDataEx = d.find(FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS), "cuModuleLoadDataEx");
        cuModuleUnload = d.find(FunctionDescriptor.of(JAVA_INT, ADDRESS), "cuModuleUnload");
        cuModuleGetFunction = d.find(FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS), "cuModuleGetFunction");
        cuFuncSetAttribute = d.find(FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), "cuFuncSetAttribute");
        cuLaunchKernel = d.find(FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, ADDRESS, ADDRESS, ADDRESS), "cuLaunchKernel");

        check("cuInit", invoke(() -> (int) cuInit.invokeExact(0)));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            check("cuDriverGetVersion", invoke(() -> (int) cuDriverGetVersion.invokeExact(v)));
            driverVersion = v.get(JAVA_INT, 0);
        }
    }

    @Override
    public String binding() {
        return "FFM";
    }

    @Override
    public int driverVersion() {
        return driverVersion;
    }

    @Override
    public int deviceCount() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment n = a.allocate(JAVA_INT);
            check("cuDeviceGetCount", invoke(() -> (int) cuDeviceGetCount.invokeExact(n)));
            return n.get(JAVA_INT, 0);
        }
    }

    @Override
    public int device(int ordinal) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment dev = a.allocate(JAVA_INT);
            check("cuDeviceGet(" + ordinal + ")", invoke(() -> (int) cuDeviceGet.invokeExact(dev, ordinal)));
            return dev.get(JAVA_INT, 0);
        }
    }

    @Override
    public String deviceName(int device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment name = a.allocate(256);
            check("cuDeviceGetName", invoke(() -> (int) cuDeviceGetName.invokeExact(name, 255, device)));
            return name.getString(0);
        }
    }

    @Override
    public int deviceAttribute(int attribute, int device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            check("cuDeviceGetAttribute(" + attribute + ")", invoke(() -> (int) cuDeviceGetAttribute.invokeExact(v, attribute, device)));
            return v.get(JAVA_INT, 0);
        }
    }

    @Override
    public long deviceTotalMem(int device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_LONG);
            check("cuDeviceTotalMem_v2", invoke(() -> (int) cuDeviceTotalMem.invokeExact(v, device)));
            return v.get(JAVA_LONG, 0);
        }
    }

    @Override
    public long primaryCtxRetain(int device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ctx = a.allocate(ADDRESS);
            check("cuDevicePrimaryCtxRetain", invoke(() -> (int) cuDevicePrimaryCtxRetain.invokeExact(ctx, device)));
            return ctx.get(ADDRESS, 0).address();
        }
    }

    @Override
    public void primaryCtxRelease(int device) {
        check("cuDevicePrimaryCtxRelease_v2", invoke(() -> (int) cuDevicePrimaryCtxRelease.invokeExact(device)));
    }

    @Override
    public void ctxSetCurrent(long context) {
        MemorySegment ctx = MemorySegment.ofAddress(context);
        check("cuCtxSetCurrent", invoke(() -> (int) cuCtxSetCurrent.invokeExact(ctx)));
    }

    @Override
    public void ctxSynchronize() {
        check("cuCtxSynchronize", invoke(() -> (int) cuCtxSynchronize.invokeExact()));
    }

    @Override
    public long[] memGetInfo() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment free = a.allocate(JAVA_LONG);
            MemorySegment total = a.allocate(JAVA_LONG);
            check("cuMemGetInfo_v2", invoke(() -> (int) cuMemGetInfo.invokeExact(free, total)));
            return new long[] {free.get(JAVA_LONG, 0), total.get(JAVA_LONG, 0)};
        }
    }

    @Override
    public long memAlloc(long bytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ptr = a.allocate(JAVA_LONG);
            check("cuMemAlloc_v2(" + bytes + " bytes)", invoke(() -> (int) cuMemAlloc.invokeExact(ptr, bytes)));
            return ptr.get(JAVA_LONG, 0);
        }
    }

    @Override
    public void memFree(long devicePtr) {
        check("cuMemFree_v2", invoke(() -> (int) cuMemFree.invokeExact(devicePtr)));
    }

    @Override
    public MemorySegment memAllocHost(long bytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ADDRESS);
            check("cuMemAllocHost_v2(" + bytes + " bytes)", invoke(() -> (int) cuMemAllocHost.invokeExact(p, bytes)));
            return p.get(ADDRESS, 0).reinterpret(bytes);
        }
    }

    @Override
    public void memFreeHost(MemorySegment pinned) {
        check("cuMemFreeHost", invoke(() -> (int) cuMemFreeHost.invokeExact(pinned)));
    }

    @Override
    public void memcpyHtoDAsync(long dst, MemorySegment src, long bytes, long stream) {
        MemorySegment s = MemorySegment.ofAddress(stream);
        check("cuMemcpyHtoDAsync_v2", invoke(() -> (int) cuMemcpyHtoDAsync.invokeExact(dst, src, bytes, s)));
    }

    @Override
    public void memcpyDtoHAsync(MemorySegment dst, long src, long bytes, long stream) {
        MemorySegment s = MemorySegment.ofAddress(stream);
        check("cuMemcpyDtoHAsync_v2", invoke(() -> (int) cuMemcpyDtoHAsync.invokeExact(dst, src, bytes, s)));
    }

    @Override
    public void memcpyDtoDAsync(long dst, long src, long bytes, long stream) {
        MemorySegment s = MemorySegment.ofAddress(stream);
        check("cuMemcpyDtoDAsync_v2", invoke(() -> (int) cuMemcpyDtoDAsync.invokeExact(dst, src, bytes, s)));
    }

    @Override
    public void memsetD8Async(long dst, byte value, long bytes, long stream) {
        MemorySegment s = MemorySegment.ofAddress(stream);
        int uc = Byte.toUnsignedInt(value);
        check("cuMemsetD8Async", invoke(() -> (int) cuMemsetD8Async.invokeExact(dst, uc, bytes, s)));
    }

    @Override
    public long streamCreate(int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(ADDRESS);
            check("cuStreamCreate", invoke(() -> (int) cuStreamCreate.invokeExact(s, flags)));
            return s.get(ADDRESS, 0).address();
        }
    }

    @Override
    public void streamDestroy(long stream) {
        MemorySegment s = MemorySegment.ofAddress(stream);
        check("cuStreamDestroy_v2", invoke(() -> (int) cuStreamDestroy.invokeExact(s)));
    }

    @Override
    public void streamSynchronize(long stream) {
        MemorySegment s = MemorySegment.ofAddress(stream);
        check("cuStreamSynchronize", invoke(() -> (int) cuStreamSynchronize.invokeExact(s)));
    }

    @Override
    public long eventCreate(int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment e = a.allocate(ADDRESS);
            check("cuEventCreate", invoke(() -> (int) cuEventCreate.invokeExact(e, flags)));
            return e.get(ADDRESS, 0).address();
        }
    }

    @Override
    public void eventRecord(long event, long stream) {
        MemorySegment e = MemorySegment.ofAddress(event);
        MemorySegment s = MemorySegment.ofAddress(stream);
        check("cuEventRecord", invoke(() -> (int) cuEventRecord.invokeExact(e, s)));
    }

    @Override
    public void eventSynchronize(long event) {
        MemorySegment e = MemorySegment.ofAddress(event);
        check("cuEventSynchronize", invoke(() -> (int) cuEventSynchronize.invokeExact(e)));
    }

    @Override
    public float eventElapsedTime(long start, long end) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ms = a.allocate(ValueLayout.JAVA_FLOAT);
            MemorySegment s = MemorySegment.ofAddress(start);
            MemorySegment e = MemorySegment.ofAddress(end);
            check("cuEventElapsedTime", invoke(() -> (int) cuEventElapsedTime.invokeExact(ms, s, e)));
            return ms.get(ValueLayout.JAVA_FLOAT, 0);
        }
    }

    @Override
    public void eventDestroy(long event) {
        MemorySegment e = MemorySegment.ofAddress(event);
        check("cuEventDestroy_v2", invoke(() -> (int) cuEventDestroy.invokeExact(e)));
    }

    @Override
    public long moduleLoadData(MemorySegment image, String what) {
        try (Arena a = Arena.ofConfined(); JitLog log = new JitLog()) {
            MemorySegment module = a.allocate(ADDRESS);
            int code = invoke(() -> (int) cuModuleLoadDataEx.invokeExact(module, image, log.count(), log.options(), log.values()));
            if (code != CuResult.SUCCESS) throw error("cuModuleLoadDataEx(" + what + ")", code, log.errorSuffix());
            return module.get(ADDRESS, 0).address();
        }
    }

    @Override
    public void moduleUnload(long module) {
        MemorySegment m = MemorySegment.ofAddress(module);
        check("cuModuleUnload", invoke(() -> (int) cuModuleUnload.invokeExact(m)));
    }

    @Override
    public long moduleGetFunction(long module, String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment f = a.allocate(ADDRESS);
            MemorySegment m = MemorySegment.ofAddress(module);
            MemorySegment n = a.allocateFrom(name);
            check("cuModuleGetFunction(" + name + ")", invoke(() -> (int) cuModuleGetFunction.invokeExact(f, m, n)));
            return f.get(ADDRESS, 0).address();
        }
    }

    @Override
    public void funcSetAttribute(long function, int attribute, int value) {
        MemorySegment f = MemorySegment.ofAddress(function);
        check("cuFuncSetAttribute(" + attribute + ", " + value + ")", invoke(() -> (int) cuFuncSetAttribute.invokeExact(f, attribute, value)));
    }

    @Override
    public void launchKernel(long function, Dim3 grid, Dim3 block, int sharedBytes, long stream, MemorySegment params, String kernelName) {
        MemorySegment f = MemorySegment.ofAddress(function);
        MemorySegment s = MemorySegment.ofAddress(stream);
        int code = invoke(() -> (int) cuLaunchKernel.invokeExact(f, grid.x(), grid.y(), grid.z(), block.x(), block.y(), block.z(),
                sharedBytes, s, params, MemorySegment.NULL));
        if (code != CuResult.SUCCESS) throw error(launchCall(kernelName, grid, block, sharedBytes), code, "");
    }

    /** The driver's name for a code (cuGetErrorName), or cuda.h's when the driver does not know it. */
    public String errorName(int code) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ADDRESS);
            int r = invoke(() -> (int) cuGetErrorName.invokeExact(code, p));
            String s = r == CuResult.SUCCESS ? Downcalls.cString(p.get(ADDRESS, 0)) : null;
            return s != null ? s : CuResult.name(code);
        }
    }

    /** The driver's description of a code (cuGetErrorString). */
    public String errorString(int code) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ADDRESS);
            int r = invoke(() -> (int) cuGetErrorString.invokeExact(code, p));
            String s = r == CuResult.SUCCESS ? Downcalls.cString(p.get(ADDRESS, 0)) : null;
            return s != null ? s : "no description from the driver";
        }
    }

    /** "cuLaunchKernel(saxpy, grid (4,1,1), block (256,1,1), 0 bytes dynamic shared memory)". */
    static String launchCall(String kernelName, Dim3 grid, Dim3 block, int sharedBytes) {
        return "cuLaunchKernel(" + kernelName + ", grid (" + grid.x() + "," + grid.y() + "," + grid.z() + "), block (" + block.x() + ","
                + block.y() + "," + block.z() + "), " + sharedBytes + " bytes dynamic shared memory)";
    }

    private void check(String call, int code) {
        if (code != CuResult.SUCCESS) throw error(call, code, "");
    }

    private CudaException error(String call, int code, String suffix) {
        return CuResult.exception(call, code, errorName(code), errorString(code), suffix);
    }
}
