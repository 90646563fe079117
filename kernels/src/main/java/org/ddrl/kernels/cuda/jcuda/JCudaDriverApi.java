package org.ddrl.kernels.cuda.jcuda;

import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;
import org.ddrl.kernels.cuda.CudaException;
import org.ddrl.kernels.cuda.Dim3;
import org.ddrl.kernels.cuda.driver.CuResult;
import org.ddrl.kernels.cuda.driver.CudaDriver;
import org.ddrl.kernels.cuda.driver.DriverApi;
import org.ddrl.kernels.cuda.driver.JitLog;
import org.ddrl.kernels.cuda.driver.NativeLibraries;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

import static org.ddrl.kernels.cuda.jcuda.JCudaPointers.context;
import static org.ddrl.kernels.cuda.jcuda.JCudaPointers.cuDevice;
import static org.ddrl.kernels.cuda.jcuda.JCudaPointers.devicePtr;
import static org.ddrl.kernels.cuda.jcuda.JCudaPointers.event;
import static org.ddrl.kernels.cuda.jcuda.JCudaPointers.function;
import static org.ddrl.kernels.cuda.jcuda.JCudaPointers.host;
import static org.ddrl.kernels.cuda.jcuda.JCudaPointers.module;
import static org.ddrl.kernels.cuda.jcuda.JCudaPointers.stream;
import static org.ddrl.kernels.cuda.jcuda.JCudaPointers.value;

/**
 * The driver calls through JCuda 12.6.0 (org.jcuda:jcuda, driver API only). JCuda's native library links
 * libcuda.so.1 by soname and only that, so it runs on any driver from CUDA 12 on, CUDA 13 included. JCuda's own
 * exceptions are switched off; results are checked here to give the same messages as the FFM binding.
 */
@SuppressWarnings("restricted") // native access is granted once for the whole project (ddrl.jvmFlags)
public final class JCudaDriverApi implements DriverApi {
    private static final Object LOCK = new Object();
    private static JCudaDriverApi instance;
    private static String failure;

    private final int driverVersion;

    /**
     * The process's JCuda binding, initialized on first use.
     *
     * @throws CudaException when libcuda.so.1 or JCuda's native library cannot be loaded, or cuInit fails; the
     *                       failure is remembered
     */
    public static JCudaDriverApi get() {
        synchronized (LOCK) {
            if (instance != null) return instance;
            if (failure != null) throw new CudaException(failure);
            try {
                instance = new JCudaDriverApi();
                return instance;
            } catch (CudaException e) {
                failure = e.getMessage();
                throw e;
            }
        }
    }

    private JCudaDriverApi() {
        // JCuda's native library needs libcuda.so.1 by soname; once this search has loaded it from wherever it is,
        // the system loader reuses it instead of looking again in its own folders only
        NativeLibraries.load(CudaDriver.LIBCUDA, 0);
        try {
            JCudaDriver.setExceptionsEnabled(false);
        } catch (LinkageError e) {
            throw new CudaException("JCuda's native driver library (from org.jcuda:jcuda-natives 12.6.0) could not be loaded: " + e
                    + ". It needs linux-x86_64, glibc 2.17 or newer, libstdc++ and libcuda.so.1; the FFM binding (-Dddrl.cuda.binding=ffm)"
                    + " needs only libcuda.so.1");
        }
        check("cuInit", JCudaDriver.cuInit(0));
        int[] v = new int[1];
        check("cuDriverGetVersion", JCudaDriver.cuDriverGetVersion(v));
        driverVersion = v[0];
    }

    @Override
    public String binding() {
        return "JCuda";
    }

    @Override
    public int driverVersion() {
        return driverVersion;
    }

    @Override
    public int deviceCount() {
        int[] n = new int[1];
        check("cuDeviceGetCount", JCudaDriver.cuDeviceGetCount(n));
        return n[0];
    }

    @Override
    public int device(int ordinal) {
        CUdevice d = new CUdevice();
        check("cuDeviceGet(" + ordinal + ")", JCudaDriver.cuDeviceGet(d, ordinal));
        return (int) value(d);
    }

    @Override
    public String deviceName(int device) {
        byte[] name = new byte[256];
        check("cuDeviceGetName", JCudaDriver.cuDeviceGetName(name, name.length - 1, cuDevice(device)));
        int end = 0;
        while (end < name.length && name[end] != 0) end++;
        return new String(name, 0, end, StandardCharsets.UTF_8);
    }

    @Override
    public int deviceAttribute(int attribute, int device) {
        int[] v = new int[1];
        check("cuDeviceGetAttribute(" + attribute + ")", JCudaDriver.cuDeviceGetAttribute(v, attribute, cuDevice(device)));
        return v[0];
    }

    @Override
    public long deviceTotalMem(int device) {
        long[] v = new long[1];
        check("cuDeviceTotalMem", JCudaDriver.cuDeviceTotalMem(v, cuDevice(device)));
        return v[0];
    }

    @Override
    public long primaryCtxRetain(int device) {
        CUcontext ctx = new CUcontext();
        check("cuDevicePrimaryCtxRetain", JCudaDriver.cuDevicePrimaryCtxRetain(ctx, cuDevice(device)));
        return value(ctx);
    }

    @Override
    public void primaryCtxRelease(int device) {
        check("cuDevicePrimaryCtxRelease", JCudaDriver.cuDevicePrimaryCtxRelease(cuDevice(device)));
    }

    @Override
    public void ctxSetCurrent(long ctx) {
        check("cuCtxSetCurrent", JCudaDriver.cuCtxSetCurrent(context(ctx)));
    }

    @Override
    public void ctxSynchronize() {
        check("cuCtxSynchronize", JCudaDriver.cuCtxSynchronize());
    }

    @Override
    public long[] memGetInfo() {
        long[] free = new long[1];
        long[] total = new long[1];
        check("cuMemGetInfo", JCudaDriver.cuMemGetInfo(free, total));
        return new long[] {free[0], total[0]};
    }

    @Override
    public long memAlloc(long bytes) {
        CUdeviceptr p = new CUdeviceptr();
        check("cuMemAlloc(" + bytes + " bytes)", JCudaDriver.cuMemAlloc(p, bytes));
        return value(p);
    }

    @Override
    public void memFree(long devicePtr) {
        check("cuMemFree", JCudaDriver.cuMemFree(devicePtr(devicePtr)));
    }

    @Override
    public MemorySegment memAllocHost(long bytes) {
        Pointer p = new Pointer();
        check("cuMemAllocHost(" + bytes + " bytes)", JCudaDriver.cuMemAllocHost(p, bytes));
        return MemorySegment.ofAddress(value(p)).reinterpret(bytes);
    }

    @Override
    public void memFreeHost(MemorySegment pinned) {
        check("cuMemFreeHost", JCudaDriver.cuMemFreeHost(host(pinned)));
    }

    @Override
    public void memcpyHtoDAsync(long dst, MemorySegment src, long bytes, long s) {
        check("cuMemcpyHtoDAsync", JCudaDriver.cuMemcpyHtoDAsync(devicePtr(dst), host(src), bytes, stream(s)));
    }

    @Override
    public void memcpyDtoHAsync(MemorySegment dst, long src, long bytes, long s) {
        check("cuMemcpyDtoHAsync", JCudaDriver.cuMemcpyDtoHAsync(host(dst), devicePtr(src), bytes, stream(s)));
    }

    @Override
    public void memcpyDtoDAsync(long dst, long src, long bytes, long s) {
        check("cuMemcpyDtoDAsync", JCudaDriver.cuMemcpyDtoDAsync(devicePtr(dst), devicePtr(src), bytes, stream(s)));
    }

    @Override
    public void memsetD8Async(long dst, byte value, long bytes, long s) {
        check("cuMemsetD8Async", JCudaDriver.cuMemsetD8Async(devicePtr(dst), value, bytes, stream(s)));
    }

    @Override
    public long streamCreate(int flags) {
        CUstream s = new CUstream();
        check("cuStreamCreate", JCudaDriver.cuStreamCreate(s, flags));
        return value(s);
    }

    @Override
    public void streamDestroy(long s) {
        check("cuStreamDestroy", JCudaDriver.cuStreamDestroy(stream(s)));
    }

    @Override
    public void streamSynchronize(long s) {
        check("cuStreamSynchronize", JCudaDriver.cuStreamSynchronize(stream(s)));
    }

    @Override
    public long eventCreate(int flags) {
        CUevent e = new CUevent();
        check("cuEventCreate", JCudaDriver.cuEventCreate(e, flags));
        return value(e);
    }

    @Override
    public void eventRecord(long e, long s) {
        check("cuEventRecord", JCudaDriver.cuEventRecord(event(e), stream(s)));
    }

    @Override
    public void eventSynchronize(long e) {
        check("cuEventSynchronize", JCudaDriver.cuEventSynchronize(event(e)));
    }

    @Override
    public float eventElapsedTime(long start, long end) {
        float[] ms = new float[1];
        check("cuEventElapsedTime", JCudaDriver.cuEventElapsedTime(ms, event(start), event(end)));
        return ms[0];
    }

    @Override
    public void eventDestroy(long e) {
        check("cuEventDestroy", JCudaDriver.cuEventDestroy(event(e)));
    }

    @Override
    public long moduleLoadData(MemorySegment image, String what) {
        try (JitLog log = new JitLog()) {
            CUmodule m = new CUmodule();
            int code = JCudaDriver.cuModuleLoadDataEx(m, host(image), log.count(), log.options().toArray(ValueLayout.JAVA_INT), host(log.values()));
            if (code != CuResult.SUCCESS) throw error("cuModuleLoadDataEx(" + what + ")", code, log.errorSuffix());
            return value(m);
        }
    }

    @Override
    public void moduleUnload(long m) {
        check("cuModuleUnload", JCudaDriver.cuModuleUnload(module(m)));
    }

    @Override
    public long moduleGetFunction(long m, String name) {
        CUfunction f = new CUfunction();
        check("cuModuleGetFunction(" + name + ")", JCudaDriver.cuModuleGetFunction(f, module(m), name));
        return value(f);
    }

    @Override
    public void funcSetAttribute(long f, int attribute, int value) {
        check("cuFuncSetAttribute(" + attribute + ", " + value + ")", JCudaDriver.cuFuncSetAttribute(function(f), attribute, value));
    }

    @Override
    public void launchKernel(long f, Dim3 grid, Dim3 block, int sharedBytes, long s, MemorySegment params, String kernelName) {
        int code = JCudaDriver.cuLaunchKernel(function(f), grid.x(), grid.y(), grid.z(), block.x(), block.y(), block.z(), sharedBytes, stream(s),
                host(params), null);
        if (code != CuResult.SUCCESS) {
            throw error("cuLaunchKernel(" + kernelName + ", grid (" + grid.x() + "," + grid.y() + "," + grid.z() + "), block (" + block.x() + ","
                    + block.y() + "," + block.z() + "), " + sharedBytes + " bytes dynamic shared memory)", code, "");
        }
    }

    private static void check(String call, int code) {
        if (code != CuResult.SUCCESS) throw error(call, code, "");
    }

    private static CudaException error(String call, int code, String detail) {
        String[] name = new String[1];
        String[] text = new String[1];
        String n = JCudaDriver.cuGetErrorName(code, name) == CuResult.SUCCESS && name[0] != null ? name[0] : CuResult.name(code);
        String t = JCudaDriver.cuGetErrorString(code, text) == CuResult.SUCCESS && text[0] != null ? text[0] : "no description from the driver";
        return CuResult.exception(call, code, n, t, detail);
    }
}
