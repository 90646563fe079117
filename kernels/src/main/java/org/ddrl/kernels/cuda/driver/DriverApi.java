package org.ddrl.kernels.cuda.driver;

import org.ddrl.kernels.cuda.Dim3;

import java.lang.foreign.MemorySegment;

/**
 * The CUDA driver calls that {@link DriverCudaDevice} is built on, over raw handles (CUdevice as int, every
 * other handle and device pointer as long). One implementation per Java binding (FFM, JCuda), so both devices
 * behave the same by construction. Every method throws {@link org.ddrl.kernels.cuda.CudaException} naming the
 * call, the CUresult and the driver's message when the call fails. The driver is initialized (cuInit) before
 * an implementation is handed out.
 */
public interface DriverApi {
    /** "FFM" or "JCuda". */
    String binding();

    /** cuDriverGetVersion: 13000 for CUDA 13.0. */
    int driverVersion();

    int deviceCount();

    int device(int ordinal);

    String deviceName(int device);

    int deviceAttribute(int attribute, int device);

    long deviceTotalMem(int device);

    long primaryCtxRetain(int device);

    void primaryCtxRelease(int device);

    void ctxSetCurrent(long context);

    void ctxSynchronize();

    /** {free, total} bytes. */
    long[] memGetInfo();

    long memAlloc(long bytes);

    void memFree(long devicePtr);

    /** Page-locked host memory of the given size. */
    MemorySegment memAllocHost(long bytes);

    void memFreeHost(MemorySegment pinned);

    /** src must be native memory. */
    void memcpyHtoDAsync(long dst, MemorySegment src, long bytes, long stream);

    /** dst must be native memory. */
    void memcpyDtoHAsync(MemorySegment dst, long src, long bytes, long stream);

    void memcpyDtoDAsync(long dst, long src, long bytes, long stream);

    void memsetD8Async(long dst, byte value, long bytes, long stream);

    long streamCreate(int flags);

    void streamDestroy(long stream);

    void streamSynchronize(long stream);

    long eventCreate(int flags);

    void eventRecord(long event, long stream);

    void eventSynchronize(long event);

    float eventElapsedTime(long start, long end);

    void eventDestroy(long event);

    /**
     * cuModuleLoadDataEx with the JIT's error and info logs captured; a failure's message carries the error log.
     *
     * @param image a NUL-terminated PTX (or cubin) image in native memory
     * @param what  names the image in messages ("module selftest, PTX from the jar")
     */
    long moduleLoadData(MemorySegment image, String what);

    void moduleUnload(long module);

    long moduleGetFunction(long module, String name);

    void funcSetAttribute(long function, int attribute, int value);

    /**
     * cuLaunchKernel; a failure names the kernel and the launch configuration.
     *
     * @param params     the void** array of {@link org.ddrl.kernels.cuda.KernelArgs#pointerArray()}
     * @param kernelName for messages only
     */
    void launchKernel(long function, Dim3 grid, Dim3 block, int sharedBytes, long stream, MemorySegment params, String kernelName);
}
