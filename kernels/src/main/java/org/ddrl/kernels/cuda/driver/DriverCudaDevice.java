package org.ddrl.kernels.cuda.driver;

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
import org.ddrl.kernels.cuda.nvrtc.NvrtcModuleCompiler;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * A GPU through the CUDA driver API. The binding underneath is a {@link DriverApi}: {@link #open} uses the FFM
 * one ({@link CudaDriver}); {@link org.ddrl.kernels.cuda.jcuda.JCudaDevice} is this class over JCuda.
 *
 * <p>Context and threads: the device retains its GPU's primary context (the one the CUDA runtime, cuBLAS and
 * other libraries use too) and makes it current on the calling thread at the start of every method, so any
 * thread may call any method and a thread may use several devices in turn. The driver calls are thread-safe
 * and so is this class's bookkeeping; ordering work between threads is the caller's business, with streams
 * and events as usual.
 *
 * <p>Safety: device pointers are checked against this device's live allocations before a copy or memset
 * (a sub-range of an allocation is fine), because an out-of-range access poisons the whole context with a
 * sticky CUDA_ERROR_ILLEGAL_ADDRESS. Launches are checked against the kernel's parameter sizes read from its
 * PTX. Handles from another device are refused. {@link #close} frees what is still allocated.
 *
 * <p>Modules: {@link #loadModule} uses the PTX that the build put in the jar when the device and driver can
 * take it (target at or below the device's compute capability, PTX ISA the driver knows), and otherwise
 * compiles the module's .cu with NVRTC for this device (cached on disk).
 */
public class DriverCudaDevice implements CudaDevice {
    static final int ATTR_MAX_THREADS_PER_BLOCK = 1;
    static final int ATTR_MAX_SHARED_MEMORY_PER_BLOCK = 8;
    static final int ATTR_WARP_SIZE = 10;
    static final int ATTR_MULTIPROCESSOR_COUNT = 16;
    static final int ATTR_COMPUTE_CAPABILITY_MAJOR = 75;
    static final int ATTR_COMPUTE_CAPABILITY_MINOR = 76;
    static final int ATTR_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN = 97;
    static final int FUNC_ATTR_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8;
    private static final int CU_STREAM_DEFAULT = 0;
    private static final int CU_EVENT_DEFAULT = 0;
    private static final int CUDA_ERROR_OUT_OF_MEMORY = 2;

    private final DriverApi api;
    private final ModuleCompiler compiler;
    private final int device;
    private final long context;
    private final DeviceInfo info;
    private final int maxSharedOptIn;
    private final DriverHandles.Stream defaultStream;
    /** Device allocations by start address, to check ranges and free leftovers on close. */
    private final ConcurrentSkipListMap<Long, Long> allocations = new ConcurrentSkipListMap<>();
    private final Map<Long, Long> pinned = new ConcurrentHashMap<>();
    private final Set<Long> streams = ConcurrentHashMap.newKeySet();
    private final Set<Long> events = ConcurrentHashMap.newKeySet();
    private final Set<Long> modules = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** Opens a GPU through the FFM binding of libcuda.so.1. */
    public static DriverCudaDevice open(int ordinal) {
        return new DriverCudaDevice(CudaDriver.get(), ordinal, new NvrtcModuleCompiler());
    }

    /**
     * @param api      the binding
     * @param ordinal  which GPU, as numbered by the driver (after CUDA_VISIBLE_DEVICES)
     * @param compiler compiles a module at run time when the jar's PTX does not fit
     */
    public DriverCudaDevice(DriverApi api, int ordinal, ModuleCompiler compiler) {
        this.api = api;
        this.compiler = compiler;
        int count = api.deviceCount();
        if (ordinal < 0 || ordinal >= count) {
            throw new CudaException("no CUDA device " + ordinal + ": the driver sees " + count + " device" + (count == 1 ? "" : "s")
                    + (count > 0 ? " (0.." + (count - 1) + ")" : ""));
        }
        this.device = api.device(ordinal);
        this.context = api.primaryCtxRetain(device);
        api.ctxSetCurrent(context);
        this.info = new DeviceInfo(ordinal, api.deviceName(device), api.deviceAttribute(ATTR_MULTIPROCESSOR_COUNT, device),
                api.deviceTotalMem(device), api.deviceAttribute(ATTR_COMPUTE_CAPABILITY_MAJOR, device),
                api.deviceAttribute(ATTR_COMPUTE_CAPABILITY_MINOR, device), api.deviceAttribute(ATTR_MAX_THREADS_PER_BLOCK, device),
                api.deviceAttribute(ATTR_MAX_SHARED_MEMORY_PER_BLOCK, device), api.deviceAttribute(ATTR_WARP_SIZE, device));
        this.maxSharedOptIn = api.deviceAttribute(ATTR_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN, device);
        this.defaultStream = new DriverHandles.Stream(this, 0);
    }

    @Override
    public DeviceInfo info() {
        return info;
    }

    @Override
    public String implementation() {
        return "driver (" + api.binding() + ")";
    }

    /** cuDriverGetVersion's value: 13000 for CUDA 13.0. */
    public int driverVersion() {
        return api.driverVersion();
    }

    /** Makes this device's primary context current on the calling thread (for libraries such as cuBLAS). */
    public void makeCurrent() {
        if (closed) throw new IllegalStateException(this + " is closed");
        api.ctxSetCurrent(context);
    }

    // ---- memory

    /** Allocates device memory; 0 bytes gives the null pointer, which {@link #free} accepts. */
    @Override
    public long malloc(long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("malloc: negative size " + bytes);
        if (bytes == 0) return 0;
        makeCurrent();
        long ptr;
        try {
            ptr = api.memAlloc(bytes);
        } catch (CudaException e) {
            if (e.code() != CUDA_ERROR_OUT_OF_MEMORY) throw e;
            throw new CudaException("cuMemAlloc_v2(" + bytes + " bytes)", e.code(), CuResult.name(e.code()), "out of memory on " + this
                    + ": " + usage());
        }
        allocations.put(ptr, bytes);
        return ptr;
    }

    private String usage() {
        long held = 0;
        for (long b : allocations.values()) held += b;
        String heldText = String.format("this device object holds %,d bytes in %d allocations", held, allocations.size());
        try {
            long[] m = api.memGetInfo();
            return String.format("%,d bytes free of %,d; ", m[0], m[1]) + heldText;
        } catch (CudaException e) {
            return heldText;
        }
    }

    @Override
    public void free(long devicePtr) {
        if (devicePtr == 0) return;
        if (allocations.remove(devicePtr) == null) {
            throw new IllegalArgumentException(String.format("free: 0x%x is not a live allocation of %s (never allocated here, already freed,"
                    + " or not the start of an allocation)", devicePtr, this));
        }
        makeCurrent();
        api.memFree(devicePtr);
    }

    @Override
    public void memset(long devicePtr, int value, long bytes, CudaStream stream) {
        long s = stream(stream, "memset");
        if (bytes == 0) return;
        checkDeviceRange("memset", devicePtr, bytes);
        makeCurrent();
        api.memsetD8Async(devicePtr, (byte) value, bytes, s);
    }

    /**
     * Host to device. From pinned memory the copy is asynchronous; from other native memory the driver stages it
     * and returns once src may be reused; a heap segment is staged here first.
     */
    @Override
    public void copyHtoD(long dst, MemorySegment src, long bytes, CudaStream stream) {
        long s = stream(stream, "copyHtoD");
        checkHost("copyHtoD", src, bytes);
        if (bytes == 0) return;
        checkDeviceRange("copyHtoD", dst, bytes);
        makeCurrent();
        if (src.isNative()) {
            api.memcpyHtoDAsync(dst, src, bytes, s);
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment staged = arena.allocate(bytes, 16);
            staged.copyFrom(src.asSlice(0, bytes));
            // pageable source: the driver has copied it to its own staging buffer when the call returns
            api.memcpyHtoDAsync(dst, staged, bytes, s);
        }
    }

    /** Device to host. Into pinned memory the copy is asynchronous; into other memory it has finished on return. */
    @Override
    public void copyDtoH(MemorySegment dst, long src, long bytes, CudaStream stream) {
        long s = stream(stream, "copyDtoH");
        checkHost("copyDtoH", dst, bytes);
        if (dst.isReadOnly()) throw new IllegalArgumentException("copyDtoH: the destination segment is read-only");
        if (bytes == 0) return;
        checkDeviceRange("copyDtoH", src, bytes);
        makeCurrent();
        if (dst.isNative()) {
            api.memcpyDtoHAsync(dst, src, bytes, s);
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment staged = arena.allocate(bytes, 16);
            api.memcpyDtoHAsync(staged, src, bytes, s);
            api.streamSynchronize(s);
            dst.asSlice(0, bytes).copyFrom(staged);
        }
    }

    @Override
    public void copyDtoD(long dst, long src, long bytes, CudaStream stream) {
        long s = stream(stream, "copyDtoD");
        if (bytes < 0) throw new IllegalArgumentException("copyDtoD: negative size " + bytes);
        if (bytes == 0) return;
        checkDeviceRange("copyDtoD (destination)", dst, bytes);
        checkDeviceRange("copyDtoD (source)", src, bytes);
        makeCurrent();
        api.memcpyDtoDAsync(dst, src, bytes, s);
    }

    @Override
    public MemorySegment allocPinned(long bytes) {
        if (bytes <= 0) throw new IllegalArgumentException("allocPinned: size must be positive, got " + bytes);
        makeCurrent();
        MemorySegment p = api.memAllocHost(bytes);
        pinned.put(p.address(), bytes);
        return p;
    }

    @Override
    public void freePinned(MemorySegment p) {
        if (pinned.remove(p.address()) == null) {
            throw new IllegalArgumentException(String.format("freePinned: 0x%x is not pinned memory of %s (or was already freed)", p.address(), this));
        }
        makeCurrent();
        api.memFreeHost(p);
    }

    @Override
    public long[] memInfo() {
        makeCurrent();
        return api.memGetInfo();
    }

    private static void checkHost(String op, MemorySegment host, long bytes) {
        if (bytes < 0) throw new IllegalArgumentException(op + ": negative size " + bytes);
        if (bytes > host.byteSize()) {
            throw new IllegalArgumentException(op + ": " + bytes + " bytes requested but the host segment has only " + host.byteSize());
        }
    }

    /**
     * Throws IllegalArgumentException unless [ptr, ptr + bytes) lies inside one live allocation of this device;
     * libraries that take device pointers (cuBLAS) check their operands with it.
     */
    public void checkDeviceRange(String op, long ptr, long bytes) {
        if (bytes < 0) throw new IllegalArgumentException(op + ": negative size " + bytes);
        Map.Entry<Long, Long> a = allocations.floorEntry(ptr);
        if (a == null || ptr - a.getKey() + bytes > a.getValue()) {
            String near = a == null ? "no allocation starts at or below it"
                    : String.format("the nearest allocation below is 0x%x of %d bytes", a.getKey(), a.getValue());
            throw new IllegalArgumentException(String.format("%s: [0x%x, +%d bytes) is not inside a live allocation of %s (%s)", op, ptr, bytes,
                    this, near));
        }
    }

    // ---- streams and events

    @Override
    public CudaStream defaultStream() {
        return defaultStream;
    }

    @Override
    public CudaStream createStream() {
        makeCurrent();
        long h = api.streamCreate(CU_STREAM_DEFAULT);
        streams.add(h);
        return new DriverHandles.Stream(this, h);
    }

    @Override
    public void destroyStream(CudaStream stream) {
        long h = stream(stream, "destroyStream");
        if (h == 0) throw new IllegalArgumentException("destroyStream: the default stream cannot be destroyed");
        streams.remove(h);
        makeCurrent();
        api.streamDestroy(h);
    }

    @Override
    public void synchronize(CudaStream stream) {
        long h = stream(stream, "synchronize");
        makeCurrent();
        api.streamSynchronize(h);
    }

    @Override
    public void synchronize() {
        makeCurrent();
        api.ctxSynchronize();
    }

    @Override
    public CudaEvent createEvent() {
        makeCurrent();
        long h = api.eventCreate(CU_EVENT_DEFAULT);
        events.add(h);
        return new DriverHandles.Event(this, h);
    }

    @Override
    public void destroyEvent(CudaEvent event) {
        long h = event(event, "destroyEvent");
        events.remove(h);
        makeCurrent();
        api.eventDestroy(h);
    }

    @Override
    public void record(CudaEvent event, CudaStream stream) {
        long e = event(event, "record");
        long s = stream(stream, "record");
        makeCurrent();
        api.eventRecord(e, s);
    }

    /** Waits for {@code end} to complete, then returns the time between the two events. */
    @Override
    public float elapsedMillis(CudaEvent start, CudaEvent end) {
        long s = event(start, "elapsedMillis");
        long e = event(end, "elapsedMillis");
        makeCurrent();
        api.eventSynchronize(e);
        return api.eventElapsedTime(s, e);
    }

    // ---- modules and launches

    @Override
    public CudaModule loadModule(ModuleSource source) {
        int cc = info.computeMajor() * 10 + info.computeMinor();
        String jarPtx = source.ptx();
        String notFromJar;
        if (jarPtx == null) {
            notFromJar = "the jar has no PTX for it (nvcc was not on the PATH when it was built)";
        } else {
            PtxInfo ptx = PtxInfo.parse(jarPtx);
            notFromJar = ptx.unusableReason(cc, api.driverVersion());
            if (notFromJar == null) {
                try {
                    return loadPtx(source.name(), jarPtx, "PTX from the jar (" + ptx.targetName() + ", ISA " + ptx.isa() + ")");
                } catch (CudaException e) {
                    if (e.code() != CuResult.UNSUPPORTED_PTX_VERSION && e.code() != CuResult.INVALID_PTX && e.code() != CuResult.NO_BINARY_FOR_GPU) {
                        throw e;
                    }
                    notFromJar = "the driver refused the jar's PTX: " + e.getMessage();
                }
            }
        }
        ModuleCompiler.Compiled compiled;
        try {
            compiled = compiler.compile(source, cc, api.driverVersion());
        } catch (CudaException e) {
            throw new CudaException("kernel module '" + source.name() + "' cannot be loaded on " + this + ": " + notFromJar
                    + "; and compiling its source at run time failed: " + e.getMessage());
        }
        // a compiler newer than the driver (NVRTC 12.8 on a 12.4 driver) makes PTX the driver cannot take
        String notCompiled = PtxInfo.parse(compiled.ptx()).unusableReason(cc, api.driverVersion());
        if (notCompiled != null) {
            throw new CudaException("kernel module '" + source.name() + "' cannot be loaded on " + this + ": " + notFromJar + "; and the "
                    + compiled.origin() + " output cannot be used either: " + notCompiled + ". Update the driver, or put an NVRTC no newer"
                    + " than the driver first with -D" + NativeLibraries.PATH_PROPERTY);
        }
        return loadPtx(source.name(), compiled.ptx(), compiled.origin());
    }

    /**
     * Loads PTX text as a module.
     *
     * @param name   the module's name, for messages
     * @param origin where the PTX came from, for messages
     */
    public DriverHandles.Module loadPtx(String name, String ptx, String origin) {
        PtxInfo parsed;
        try {
            parsed = PtxInfo.parse(ptx);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("module " + name + " (" + origin + "): " + e.getMessage(), e);
        }
        makeCurrent();
        long h;
        try (Arena arena = Arena.ofConfined()) {
            h = api.moduleLoadData(arena.allocateFrom(ptx), "module " + name + ", " + origin);
        }
        modules.add(h);
        return new DriverHandles.Module(this, h, name, origin, parsed);
    }

    /** Unloads a module; its functions must not be launched afterwards. */
    public void unloadModule(CudaModule module) {
        DriverHandles.Module m = module(module, "unloadModule");
        if (!modules.remove(m.handle())) throw new IllegalArgumentException("unloadModule: " + m + " was already unloaded");
        makeCurrent();
        api.moduleUnload(m.handle());
    }

    @Override
    public CudaFunction function(CudaModule module, String kernelName) {
        DriverHandles.Module m = module(module, "function");
        makeCurrent();
        long h;
        try {
            h = api.moduleGetFunction(m.handle(), kernelName);
        } catch (CudaException e) {
            if (e.code() != CuResult.NOT_FOUND) throw e;
            throw new CudaException("cuModuleGetFunction(" + kernelName + ")", e.code(), CuResult.name(e.code()), "no kernel named '"
                    + kernelName + "' in " + m + "; its kernels are " + m.ptx().entries().keySet()
                    + " (C++ kernels go by their mangled names unless declared extern \"C\")");
        }
        return new DriverHandles.Function(this, h, m, kernelName, m.ptx().entries().getOrDefault(kernelName, List.of()));
    }

    @Override
    public void setMaxDynamicSharedMemory(CudaFunction function, int bytes) {
        DriverHandles.Function f = function(function, "setMaxDynamicSharedMemory");
        if (bytes < 0) throw new IllegalArgumentException("setMaxDynamicSharedMemory: negative size " + bytes);
        if (bytes > maxSharedOptIn) {
            throw new IllegalArgumentException("setMaxDynamicSharedMemory(" + f.name() + ", " + bytes + "): " + this + " allows at most "
                    + maxSharedOptIn + " bytes of shared memory per block");
        }
        makeCurrent();
        api.funcSetAttribute(f.handle(), FUNC_ATTR_MAX_DYNAMIC_SHARED_SIZE_BYTES, bytes);
    }

    @Override
    public void launch(CudaFunction function, Dim3 grid, Dim3 block, int sharedBytes, CudaStream stream, KernelArgs args) {
        DriverHandles.Function f = function(function, "launch");
        long s = stream(stream, "launch");
        long threads = (long) block.x() * block.y() * block.z();
        if (threads > info.maxThreadsPerBlock()) {
            throw new IllegalArgumentException("launch(" + f.name() + "): a block of " + block + " has " + threads + " threads; "
                    + info.name() + " allows " + info.maxThreadsPerBlock());
        }
        if (sharedBytes < 0) throw new IllegalArgumentException("launch(" + f.name() + "): negative shared memory size " + sharedBytes);
        checkArguments(f, args);
        makeCurrent();
        api.launchKernel(f.handle(), grid, block, sharedBytes, s, args.pointerArray(), f.name());
    }

    private static void checkArguments(DriverHandles.Function f, KernelArgs args) {
        List<Integer> sizes = f.paramSizes();
        if (sizes.isEmpty() && !f.module().ptx().entries().containsKey(f.name())) return;
        if (args.count() != sizes.size()) {
            throw new IllegalArgumentException("launch(" + f.name() + "): the kernel takes " + sizes.size() + " parameters " + sizes
                    + " (bytes each), " + args.count() + " were given");
        }
        for (int i = 0; i < sizes.size(); i++) {
            int expected = sizes.get(i);
            if (expected >= 0 && args.size(i) != expected) {
                throw new IllegalArgumentException("launch(" + f.name() + "): parameter " + i + " is " + args.size(i)
                        + " bytes, the kernel declares " + expected + " (an int where a pointer or long is expected, or the reverse?)");
            }
        }
    }

    // ---- handle checks

    /** The CUstream behind a stream of this device, for libraries that take one (cuBLAS). */
    public long rawStream(CudaStream stream) {
        return stream(stream, "rawStream");
    }

    private long stream(CudaStream stream, String op) {
        if (stream instanceof DriverHandles.Stream s && s.owner() == this) {
            if (s.handle() != 0 && !streams.contains(s.handle())) throw new IllegalArgumentException(op + ": " + s + " was destroyed");
            return s.handle();
        }
        throw foreign(op, "stream", stream);
    }

    private long event(CudaEvent event, String op) {
        if (event instanceof DriverHandles.Event e && e.owner() == this) {
            if (!events.contains(e.handle())) throw new IllegalArgumentException(op + ": " + e + " was destroyed");
            return e.handle();
        }
        throw foreign(op, "event", event);
    }

    private DriverHandles.Module module(CudaModule module, String op) {
        if (module instanceof DriverHandles.Module m && m.owner() == this) return m;
        throw foreign(op, "module", module);
    }

    private DriverHandles.Function function(CudaFunction function, String op) {
        if (function instanceof DriverHandles.Function f && f.owner() == this) {
            if (!modules.contains(f.module().handle())) throw new IllegalArgumentException(op + ": the module of " + f + " was unloaded");
            return f;
        }
        throw foreign(op, "function", function);
    }

    private IllegalArgumentException foreign(String op, String kind, Object handle) {
        if (handle == null) return new IllegalArgumentException(op + ": the " + kind + " is null");
        return new IllegalArgumentException(op + ": the " + kind + " " + handle + " does not belong to " + this);
    }

    // ---- lifetime

    /**
     * Waits for the device, then unloads the modules, destroys the streams and events and frees the memory that
     * are still alive, and releases the primary context. Every step is attempted; the first failure is thrown
     * at the end with the others suppressed.
     */
    @Override
    public void close() {
        if (closed) return;
        List<RuntimeException> failures = new ArrayList<>();
        attempt(failures, () -> api.ctxSetCurrent(context));
        attempt(failures, api::ctxSynchronize);
        for (long m : modules) attempt(failures, () -> api.moduleUnload(m));
        for (long s : streams) attempt(failures, () -> api.streamDestroy(s));
        for (long e : events) attempt(failures, () -> api.eventDestroy(e));
        for (long p : allocations.keySet()) attempt(failures, () -> api.memFree(p));
        for (long p : pinned.keySet()) attempt(failures, () -> api.memFreeHost(MemorySegment.ofAddress(p)));
        modules.clear();
        streams.clear();
        events.clear();
        allocations.clear();
        pinned.clear();
        closed = true;
        attempt(failures, () -> api.primaryCtxRelease(device));
        if (!failures.isEmpty()) {
            RuntimeException first = failures.getFirst();
            for (int i = 1; i < failures.size(); i++) first.addSuppressed(failures.get(i));
            throw first;
        }
    }

    private static void attempt(List<RuntimeException> failures, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            failures.add(e);
        }
    }

    @Override
    public String toString() {
        return "CUDA device " + info.ordinal() + " (" + info.name() + ", " + implementation() + ")";
    }
}
