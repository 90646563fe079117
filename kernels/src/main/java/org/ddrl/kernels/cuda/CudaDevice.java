package org.ddrl.kernels.cuda;

import java.lang.foreign.MemorySegment;

/**
 * One CUDA device, reached either through the driver API (a real GPU) or through the emulator that runs
 * the same kernels on the host. Device memory is named by its address ({@code long}); host code never
 * gets a view of it, only copies. Calls are made from one thread at a time per device unless a
 * method says otherwise; work on a stream runs in order, asynchronously to the caller.
 */
public interface CudaDevice extends AutoCloseable {
    /** Name, multiprocessor count, memory and compute capability. */
    DeviceInfo info();

    /** Which implementation this is, e.g. "driver (FFM)", "driver (JCuda)", "emulator". */
    String implementation();

    // ---- memory
    long malloc(long bytes);

    void free(long devicePtr);

    /** Sets bytes to value (the low 8 bits), in stream order. */
    void memset(long devicePtr, int value, long bytes, CudaStream stream);

    /** Host to device; asynchronous to the host only when src is pinned (see {@link #allocPinned}). */
    void copyHtoD(long dst, MemorySegment src, long bytes, CudaStream stream);

    /** Device to host; the data is in dst once the stream has been synchronized. */
    void copyDtoH(MemorySegment dst, long src, long bytes, CudaStream stream);

    void copyDtoD(long dst, long src, long bytes, CudaStream stream);

    /** Page-locked host memory for asynchronous copies; free with {@link #freePinned}. */
    MemorySegment allocPinned(long bytes);

    void freePinned(MemorySegment pinned);

    /** Free and total device memory in bytes. */
    long[] memInfo();

    // ---- streams and events
    /** The default (legacy) stream. */
    CudaStream defaultStream();

    CudaStream createStream();

    void destroyStream(CudaStream stream);

    void synchronize(CudaStream stream);

    /** Waits for all work on the device. */
    void synchronize();

    CudaEvent createEvent();

    void destroyEvent(CudaEvent event);

    void record(CudaEvent event, CudaStream stream);

    /** Milliseconds between two recorded events (both must have completed). */
    float elapsedMillis(CudaEvent start, CudaEvent end);

    // ---- modules and launches
    /** Loads a kernel module (one per .cu file); the implementation picks PTX, NVRTC or its host build. */
    CudaModule loadModule(ModuleSource source);

    CudaFunction function(CudaModule module, String kernelName);

    /** Raises the dynamic shared memory limit of a function (needed above 48 KiB). */
    void setMaxDynamicSharedMemory(CudaFunction function, int bytes);

    /**
     * Launches a kernel. The argument packing is exactly cuLaunchKernel's: an array of pointers, one per
     * kernel parameter, each to that parameter's value.
     */
    void launch(CudaFunction function, Dim3 grid, Dim3 block, int sharedBytes, CudaStream stream, KernelArgs args);

    @Override
    void close();
}
