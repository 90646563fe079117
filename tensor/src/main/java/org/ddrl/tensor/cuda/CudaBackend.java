package org.ddrl.tensor.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongConsumer;
import org.ddrl.kernels.cuda.CudaDevice;
import org.ddrl.kernels.cuda.CudaFunction;
import org.ddrl.kernels.cuda.CudaModule;
import org.ddrl.kernels.cuda.CudaStream;
import org.ddrl.kernels.cuda.Dim3;
import org.ddrl.kernels.cuda.KernelArgs;
import org.ddrl.kernels.cuda.ModuleSource;
import org.ddrl.tensor.Backend;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Kernel;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Scope;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Storage;
import org.ddrl.tensor.Tensor;

/**
 * The tensor backend of one {@link CudaDevice}: the same code drives a real GPU and the emulator. Memory
 * comes from a {@link CachingAllocator}; every op is a launch of the kernels in kernels/src/main/cuda
 * (one module per family, loaded on first use) on one stream, so ops run in the order they are called
 * and the host waits only when it reads data back ({@link #copyToHost}) or a kernel reports an error.
 *
 * <p>Device calls are serialized on this object: tensors on one device may be used from several
 * threads, but their launches queue one at a time.
 */
public final class CudaBackend implements Backend {
    private final Device device;
    private final CudaDevice cuda;
    private final CudaStream stream;
    private final CachingAllocator allocator;
    private final Map<String, CudaModule> modules = new HashMap<>();
    private final Map<String, CudaFunction> functions = new HashMap<>();
    private final Map<Op, Kernel> kernels = new EnumMap<>(Op.class);
    /** Eight device bytes where kernels report the first bad element (see {@link #checked}); allocated on first use. */
    private CachingAllocator.Block errorSlot;

    /** A backend that may use all of the device's memory. */
    public CudaBackend(Device device, CudaDevice cuda) {
        this(device, cuda, Long.MAX_VALUE);
    }

    /** A backend whose allocator reserves at most {@code memoryLimit} bytes of device memory. */
    public CudaBackend(Device device, CudaDevice cuda, long memoryLimit) {
        if (device.kind() == Device.Kind.CPU) throw new IllegalArgumentException("CudaBackend: " + device + " is not a CUDA device");
        this.device = device;
        this.cuda = cuda;
        this.stream = cuda.defaultStream();
        this.allocator = new CachingAllocator(cuda, memoryLimit);
        CudaCreation.register(kernels, this);
        CudaRandom.register(kernels, this);
        CudaCopy.register(kernels, this);
        CudaElementwise.register(kernels, this);
        CudaReductions.register(kernels, this);
        CudaSoftmax.register(kernels, this);
        CudaNorms.register(kernels, this);
        CudaIndexing.register(kernels, this);
        CudaMatmul.register(kernels, this);
        CudaConv.register(kernels, this);
        CudaAttention.register(kernels, this);
        CudaAttentionBackward.register(kernels, this);
        CudaActivationBackward.register(kernels, this);
        CudaFusedForward.register(kernels, this);
    }

    @Override
    public Device device() {
        return device;
    }

    /** The device this backend drives. */
    public CudaDevice cudaDevice() {
        return cuda;
    }

    @Override
    public Storage allocate(long bytes) {
        CudaStorage s = storage(bytes);
        if (bytes > 0) {
            synchronized (this) {
                cuda.memset(s.pointer(), 0, bytes, stream);
            }
        }
        return s;
    }

    /** Storage whose contents are left as the cache had them: for outputs a kernel writes completely. */
    CudaStorage storage(long bytes) {
        CachingAllocator.Block b;
        synchronized (this) {
            b = allocator.allocate(bytes, stream);
        }
        CudaStorage s = new CudaStorage(device, bytes, allocator, b);
        Scope.adopt(s);
        return s;
    }

    /** A new dense tensor whose elements the caller will all write. */
    Tensor empty(DType dtype, int... shape) {
        Shapes.checkShape("empty", shape);
        return new Tensor(storage(Shapes.numel(shape) * dtype.byteSize()), dtype, shape, Shapes.contiguousStrides(shape), 0);
    }

    /** A new dense tensor of zeros. */
    Tensor zeros(DType dtype, int... shape) {
        Shapes.checkShape("zeros", shape);
        return new Tensor(allocate(Shapes.numel(shape) * dtype.byteSize()), dtype, shape, Shapes.contiguousStrides(shape), 0);
    }

    @Override
    public synchronized void copyFromHost(MemorySegment src, Storage dst, long dstOffset, long bytes) {
        if (bytes == 0) return;
        cuda.copyHtoD(((CudaStorage) dst).pointer() + dstOffset, src, bytes, stream);
    }

    @Override
    public synchronized void copyToHost(Storage src, long srcOffset, MemorySegment dst, long bytes) {
        if (bytes == 0) return;
        cuda.copyDtoH(dst, ((CudaStorage) src).pointer() + srcOffset, bytes, stream);
        cuda.synchronize(stream);
    }

    @Override
    public Kernel kernel(Op op) {
        return kernels.get(op);
    }

    // ------------------------------------------------------------------ memory

    public MemoryStats memoryStats() {
        return allocator.stats();
    }

    /** Returns the cached free blocks to the device (other processes can then use that memory). */
    public synchronized void emptyCache() {
        allocator.emptyCache();
    }

    public void resetPeakMemory() {
        allocator.resetPeak();
    }

    /** Waits until every queued op has finished. */
    @Override
    public synchronized void synchronize() {
        cuda.synchronize(stream);
    }

    // ------------------------------------------------------------------ launches, for the kernel families

    /** A kernel of a module (one module per .cu file), loading the module on first use. */
    synchronized CudaFunction function(String module, String kernel) {
        String key = module + "/" + kernel;
        CudaFunction f = functions.get(key);
        if (f == null) {
            CudaModule m = modules.computeIfAbsent(module, name -> cuda.loadModule(new ModuleSource(name)));
            f = cuda.function(m, kernel);
            functions.put(key, f);
        }
        return f;
    }

    /** Launches on this backend's stream; the kernels use static shared memory only (no dynamic bytes). */
    synchronized void launch(CudaFunction f, Dim3 grid, Dim3 block, KernelArgs args) {
        cuda.launch(f, grid, block, 0, stream, args);
    }

    /**
     * Runs a launch that may report bad elements: {@code launch} gets the address of a slot holding
     * all ones, where kernels atomicMin the index of each bad element. Returns the smallest index
     * reported, or -1 when none was. Waits for the launch to finish.
     */
    synchronized long checked(LongConsumer launch) {
        if (errorSlot == null) errorSlot = allocator.allocate(8, stream);
        cuda.memset(errorSlot.pointer(), 0xff, 8, stream);
        launch.accept(errorSlot.pointer());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate(ValueLayout.JAVA_LONG);
            cuda.copyDtoH(host, errorSlot.pointer(), 8, stream);
            cuda.synchronize(stream);
            long v = host.get(ValueLayout.JAVA_LONG, 0);
            return v == -1L ? -1 : v;
        }
    }

    /** One element of t at a flat element index into its storage, read back as a long (for error messages). */
    long readLong(Tensor t, long elementIndex) {
        try (Arena arena = Arena.ofConfined()) {
            int es = t.dtype().byteSize();
            MemorySegment host = arena.allocate(8);
            copyToHost(t.storage(), elementIndex * es, host, es);
            return switch (t.dtype()) {
                case I32 -> host.get(ValueLayout.JAVA_INT, 0);
                case I64 -> host.get(ValueLayout.JAVA_LONG, 0);
                default -> throw new IllegalArgumentException("readLong: " + t.dtype() + " is not an index dtype");
            };
        }
    }

    @Override
    public String toString() {
        return "CudaBackend(" + device + ", " + cuda.implementation() + ", " + cuda.info().name() + ")";
    }
}
