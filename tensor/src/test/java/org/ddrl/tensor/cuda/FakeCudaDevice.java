package org.ddrl.tensor.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;
import org.ddrl.kernels.cuda.CudaDevice;
import org.ddrl.kernels.cuda.CudaEvent;
import org.ddrl.kernels.cuda.CudaException;
import org.ddrl.kernels.cuda.CudaFunction;
import org.ddrl.kernels.cuda.CudaModule;
import org.ddrl.kernels.cuda.CudaStream;
import org.ddrl.kernels.cuda.DeviceInfo;
import org.ddrl.kernels.cuda.Dim3;
import org.ddrl.kernels.cuda.KernelArgs;
import org.ddrl.kernels.cuda.ModuleSource;

/**
 * A device with {@code capacity} bytes of host memory and no kernels: for testing memory management.
 * Allocations beyond the capacity fail as the driver's do (CUDA_ERROR_OUT_OF_MEMORY). Counts its mallocs
 * and frees, so tests can tell a cache hit from a device allocation.
 */
final class FakeCudaDevice implements CudaDevice {
    private record Handle(long handle) implements CudaStream, CudaEvent, CudaModule, CudaFunction {}

    private final long capacity;
    private final Arena arena = Arena.ofShared();
    private final Map<Long, MemorySegment> blocks = new HashMap<>();
    private final CudaStream defaultStream = new Handle(0);
    private long used;
    private long nextStream = 1;
    int mallocs;
    int frees;

    FakeCudaDevice(long capacity) {
        this.capacity = capacity;
    }

    @Override
    public DeviceInfo info() {
        return new DeviceInfo(0, "fake device", 1, capacity, 8, 0, 1024, 48 * 1024, 32);
    }

    @Override
    public String implementation() {
        return "fake (host memory, no kernels)";
    }

    @Override
    public synchronized long malloc(long bytes) {
        if (used + bytes > capacity) {
            throw new CudaException("cuMemAlloc", 2, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory (" + used + " of " + capacity
                    + " bytes in use, " + bytes + " more requested)");
        }
        MemorySegment s = arena.allocate(bytes, 256);
        blocks.put(s.address(), s);
        used += bytes;
        mallocs++;
        return s.address();
    }

    @Override
    public synchronized void free(long devicePtr) {
        MemorySegment s = blocks.remove(devicePtr);
        if (s == null) throw new CudaException("cuMemFree of an address that is not allocated: " + devicePtr);
        used -= s.byteSize();
        frees++;
    }

    /** Bytes currently allocated from this device. */
    synchronized long used() {
        return used;
    }

    private MemorySegment at(long ptr, long bytes) {
        return MemorySegment.ofAddress(ptr).reinterpret(bytes);
    }

    @Override
    public void memset(long devicePtr, int value, long bytes, CudaStream stream) {
        at(devicePtr, bytes).fill((byte) value);
    }

    @Override
    public void copyHtoD(long dst, MemorySegment src, long bytes, CudaStream stream) {
        MemorySegment.copy(src, 0, at(dst, bytes), 0, bytes);
    }

    @Override
    public void copyDtoH(MemorySegment dst, long src, long bytes, CudaStream stream) {
        MemorySegment.copy(at(src, bytes), 0, dst, 0, bytes);
    }

    @Override
    public void copyDtoD(long dst, long src, long bytes, CudaStream stream) {
        MemorySegment.copy(at(src, bytes), 0, at(dst, bytes), 0, bytes);
    }

    @Override
    public MemorySegment allocPinned(long bytes) {
        return arena.allocate(bytes);
    }

    @Override
    public void freePinned(MemorySegment pinned) {}

    @Override
    public synchronized long[] memInfo() {
        return new long[] {capacity - used, capacity};
    }

    @Override
    public CudaStream defaultStream() {
        return defaultStream;
    }

    @Override
    public synchronized CudaStream createStream() {
        return new Handle(nextStream++);
    }

    @Override
    public void destroyStream(CudaStream stream) {}

    @Override
    public void synchronize(CudaStream stream) {}

    @Override
    public void synchronize() {}

    @Override
    public CudaEvent createEvent() {
        return new Handle(0);
    }

    @Override
    public void destroyEvent(CudaEvent event) {}

    @Override
    public void record(CudaEvent event, CudaStream stream) {}

    @Override
    public float elapsedMillis(CudaEvent start, CudaEvent end) {
        return 0;
    }

    @Override
    public CudaModule loadModule(ModuleSource source) {
        throw new UnsupportedOperationException("the fake device runs no kernels (module " + source.name() + ")");
    }

    @Override
    public CudaFunction function(CudaModule module, String kernelName) {
        throw new UnsupportedOperationException("the fake device runs no kernels");
    }

    @Override
    public void setMaxDynamicSharedMemory(CudaFunction function, int bytes) {}

    @Override
    public void launch(CudaFunction function, Dim3 grid, Dim3 block, int sharedBytes, CudaStream stream, KernelArgs args) {
        throw new UnsupportedOperationException("the fake device runs no kernels");
    }

    @Override
    public void close() {
        arena.close();
    }
}
