package org.ddrl.kernels.cuda.emu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
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
 * A CUDA device emulated on the host: the project's .cu kernels, compiled by g++ against cuda_emu.h, run
 * with every CUDA thread as a fiber of a worker pool (blocks in parallel across workers). It behaves like
 * the driver where host code can tell: device memory is only reachable through copies, launches are
 * asynchronous per stream (the legacy default stream waits for, and is waited for by, the other streams),
 * copies from or to pageable host memory are synchronous, kernel errors surface at the next synchronizing
 * call.
 *
 * <p>Strict mode (default on; {@code -Dddrl.cudaemu.strict=false} turns it off) reports undefined
 * behaviour the emulator can see as launch errors: barrier divergence, warp operations with exited or
 * missing lanes, pointer parameters outside live allocations, writes into the red zones around
 * allocations. Poison mode (default on; {@code ddrl.cudaemu.poison}) fills new device memory, shared
 * memory at the start of each block and undefined shuffle results with 0xFF bytes (NaN, -1). The device
 * reports half the host's memory as its own ({@code -Dddrl.cudaemu.memoryMB} sets it) and refuses
 * allocations beyond it. See {@link EmulatorAvailability} for the settings of the shared runtime.
 */
public final class EmulatedCudaDevice implements CudaDevice {
    private static final int MAX_SHARED_PER_BLOCK = 48 * 1024;
    private static final AtomicLong IDS = new AtomicLong(1);

    /** Settings of one emulated device. */
    public record Options(boolean strict, boolean poison) {
        public static Options fromSystemProperties() {
            return new Options(Boolean.parseBoolean(System.getProperty("ddrl.cudaemu.strict", "true")),
                    Boolean.parseBoolean(System.getProperty("ddrl.cudaemu.poison", "true")));
        }
    }

    private final EmuRuntime rt;
    private final Options options;
    private final long totalMemory;
    private final EmuStream defaultStream;
    private final List<EmuStream> streams = new ArrayList<>();
    private final Map<String, EmuHandles.Module> modules = new HashMap<>();
    private final Set<Long> allocations = ConcurrentHashMap.newKeySet();
    private final ConcurrentSkipListMap<Long, Arena> pinned = new ConcurrentSkipListMap<>();
    private volatile boolean closed;

    private EmulatedCudaDevice(EmuRuntime rt, Options options) {
        this.rt = rt;
        this.options = options;
        this.totalMemory = Long.getLong("ddrl.cudaemu.memoryMB", physicalMemory() / 2 / (1 << 20)) << 20;
        this.defaultStream = new EmuStream(this, 0);
    }

    /** Opens an emulated device with the settings of the system properties. */
    public static EmulatedCudaDevice open() {
        return open(Options.fromSystemProperties());
    }

    /**
     * Opens an emulated device.
     *
     * @throws IllegalStateException when the emulator is not available ({@link EmulatorAvailability} says why)
     */
    public static EmulatedCudaDevice open(Options options) {
        return new EmulatedCudaDevice(EmulatorAvailability.runtime(), options);
    }

    /** Whether {@link #open()} can succeed; see {@link EmulatorAvailability#unavailableReason()} otherwise. */
    public static boolean isAvailable() {
        return EmulatorAvailability.isAvailable();
    }

    public Options options() {
        return options;
    }

    private static long physicalMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return 8L << 30;
    }

    @Override
    public DeviceInfo info() {
        return new DeviceInfo(0, "CUDA emulator (" + rt.workers() + " host workers)", rt.workers(), totalMemory, 9, 0, 1024,
                MAX_SHARED_PER_BLOCK, 32);
    }

    @Override
    public String implementation() {
        return "emulator";
    }

    // ---- memory

    @Override
    public long malloc(long bytes) {
        open("cuMemAlloc");
        if (bytes < 0) throw EmuErrors.error("cuMemAlloc", EmuErrors.INVALID_VALUE, "negative size " + bytes);
        if (rt.memoryUsed() + bytes > totalMemory) {
            throw EmuErrors.error("cuMemAlloc", EmuErrors.OUT_OF_MEMORY, "cannot allocate " + bytes + " bytes: "
                    + rt.memoryUsed() + " of " + totalMemory + " bytes of emulated device memory are in use");
        }
        long p = rt.malloc(bytes, options.poison);
        allocations.add(p);
        return p;
    }

    /** Waits for all queued work first, as cuMemFree does, so that no kernel still uses the memory. */
    @Override
    public void free(long devicePtr) {
        open("cuMemFree");
        drainAll();
        allocations.remove(devicePtr);
        rt.free(devicePtr);
    }

    @Override
    public void memset(long devicePtr, int value, long bytes, CudaStream stream) {
        open("cuMemsetD8Async");
        rt.checkRange("cuMemsetD8Async", devicePtr, bytes);
        enqueue(own(stream), () -> deviceView(devicePtr, bytes).fill((byte) value));
    }

    @Override
    public void copyHtoD(long dst, MemorySegment src, long bytes, CudaStream stream) {
        open("cuMemcpyHtoDAsync");
        checkHost("cuMemcpyHtoDAsync", src, bytes);
        rt.checkRange("cuMemcpyHtoDAsync", dst, bytes);
        // Pageable memory is consumed before the call returns (the driver stages it); pinned memory is read
        // when the copy runs, so the caller must not change it before synchronizing.
        MemorySegment from = src.asSlice(0, bytes);
        if (!isPinned(src, bytes)) {
            MemorySegment staging = Arena.ofAuto().allocate(Math.max(1, bytes), 16);
            staging.copyFrom(from);
            from = staging.asSlice(0, bytes);
        }
        MemorySegment source = from;
        enqueue(own(stream), () -> deviceView(dst, bytes).copyFrom(source));
    }

    @Override
    public void copyDtoH(MemorySegment dst, long src, long bytes, CudaStream stream) {
        open("cuMemcpyDtoHAsync");
        checkHost("cuMemcpyDtoHAsync", dst, bytes);
        rt.checkRange("cuMemcpyDtoHAsync", src, bytes);
        EmuStream s = own(stream);
        if (isPinned(dst, bytes)) {
            enqueue(s, () -> dst.asSlice(0, bytes).copyFrom(deviceView(src, bytes)));
            return;
        }
        // Pageable memory: synchronous, as with the driver. The copy runs on the caller's thread, which may
        // own a confined segment, once everything before it on the stream has run.
        enqueue(s, () -> {}).join();
        reportFailure("cuMemcpyDtoH", s);
        dst.asSlice(0, bytes).copyFrom(deviceView(src, bytes));
    }

    @Override
    public void copyDtoD(long dst, long src, long bytes, CudaStream stream) {
        open("cuMemcpyDtoDAsync");
        rt.checkRange("cuMemcpyDtoDAsync", src, bytes);
        rt.checkRange("cuMemcpyDtoDAsync", dst, bytes);
        enqueue(own(stream), () -> deviceView(dst, bytes).copyFrom(deviceView(src, bytes)));
    }

    @Override
    public MemorySegment allocPinned(long bytes) {
        open("cuMemAllocHost");
        Arena arena = Arena.ofShared();
        MemorySegment s = arena.allocate(Math.max(1, bytes), 256).asSlice(0, bytes);
        pinned.put(s.address(), arena);
        return s;
    }

    /** Waits for all queued work first: an asynchronous copy may still use the memory. */
    @Override
    public void freePinned(MemorySegment segment) {
        open("cuMemFreeHost");
        Arena arena = pinned.get(segment.address());
        if (arena == null) {
            throw EmuErrors.error("cuMemFreeHost", EmuErrors.INVALID_VALUE, "the segment at 0x"
                    + Long.toHexString(segment.address()) + " was not returned by allocPinned, or was freed already");
        }
        drainAll();
        pinned.remove(segment.address());
        arena.close();
    }

    @Override
    public long[] memInfo() {
        long used = rt.memoryUsed();
        return new long[] {Math.max(0, totalMemory - used), totalMemory};
    }

    private static void checkHost(String call, MemorySegment host, long bytes) {
        if (bytes < 0 || host.byteSize() < bytes) {
            throw EmuErrors.error(call, EmuErrors.INVALID_VALUE, "the host segment has " + host.byteSize()
                    + " bytes, the copy needs " + bytes);
        }
    }

    private boolean isPinned(MemorySegment s, long bytes) {
        if (!s.isNative()) return false;
        Map.Entry<Long, Arena> e = pinned.floorEntry(s.address());
        return e != null && e.getValue().scope().isAlive() && s.scope().equals(e.getValue().scope());
    }

    /** Device memory as a segment, only ever for a copy after its range was checked. */
    @SuppressWarnings("restricted") // emulated device memory is native memory of the runtime
    private static MemorySegment deviceView(long ptr, long bytes) {
        return MemorySegment.ofAddress(ptr).reinterpret(bytes);
    }

    // ---- streams and events

    @Override
    public CudaStream defaultStream() {
        return defaultStream;
    }

    @Override
    public CudaStream createStream() {
        open("cuStreamCreate");
        EmuStream s = new EmuStream(this, IDS.getAndIncrement());
        synchronized (this) {
            streams.add(s);
        }
        return s;
    }

    @Override
    public void destroyStream(CudaStream stream) {
        EmuStream s = own(stream);
        if (s == defaultStream) throw EmuErrors.error("cuStreamDestroy", EmuErrors.INVALID_HANDLE, "the default stream cannot be destroyed");
        CompletableFuture<Void> tail;
        synchronized (this) {
            if (!streams.remove(s)) throw EmuErrors.error("cuStreamDestroy", EmuErrors.INVALID_HANDLE, "stream destroyed twice");
            tail = s.tail;
        }
        // Like cuStreamDestroy: queued work still runs, and the stream's thread ends after it.
        tail.whenComplete((v, e) -> s.shutdown());
    }

    @Override
    public void synchronize(CudaStream stream) {
        EmuStream s = own(stream);
        tailOf(s).join();
        reportFailure("cuStreamSynchronize", s);
    }

    @Override
    public void synchronize() {
        drainAll();
        reportFailure("cuCtxSynchronize", defaultStream);
        for (EmuStream s : snapshot()) reportFailure("cuCtxSynchronize", s);
    }

    @Override
    public CudaEvent createEvent() {
        return new EmuHandles.Event(this, IDS.getAndIncrement());
    }

    @Override
    public void destroyEvent(CudaEvent event) {
        own(event);
    }

    @Override
    public void record(CudaEvent event, CudaStream stream) {
        EmuHandles.Event e = own(event);
        e.nanos = -1;
        e.recorded = true;
        enqueue(own(stream), new EmuStream.Work() {
            @Override
            public void run() {
                e.nanos = System.nanoTime();
            }

            @Override
            public boolean runsAfterFailure() {
                return true;
            }
        });
    }

    @Override
    public float elapsedMillis(CudaEvent start, CudaEvent end) {
        EmuHandles.Event a = own(start), b = own(end);
        if (!a.recorded || !b.recorded) {
            throw EmuErrors.error("cuEventElapsedTime", EmuErrors.INVALID_HANDLE, "both events must have been recorded");
        }
        long t0 = a.nanos, t1 = b.nanos;
        if (t0 < 0 || t1 < 0) {
            throw EmuErrors.error("cuEventElapsedTime", EmuErrors.NOT_READY, "an event has not completed yet (synchronize first)");
        }
        return (t1 - t0) / 1e6f;
    }

    // ---- modules and launches

    @Override
    public synchronized CudaModule loadModule(ModuleSource source) {
        open("cuModuleLoad");
        if (!source.name().matches("[A-Za-z0-9_]+")) {
            throw new IllegalArgumentException("kernel module name '" + source.name() + "': letters, digits and _ only");
        }
        EmuHandles.Module m = modules.get(source.name());
        if (m != null) return m;
        Path lib = EmulatorAvailability.moduleLibrary(source.name()).orElseThrow(() -> EmuErrors.error("cuModuleLoad",
                EmuErrors.FILE_NOT_FOUND, "kernel module '" + source.name() + "' has no emulator build: "
                        + EmulatorAvailability.NATIVE_DIR + "lib" + source.name() + "_emu.so is not on the class path"));
        m = new EmuHandles.Module(this, rt.loadModule(lib, source.name()), source.name());
        modules.put(source.name(), m);
        return m;
    }

    @Override
    public CudaFunction function(CudaModule module, String kernelName) {
        EmuHandles.Module m = own(module);
        long f = rt.function(m.handle(), kernelName);
        return new EmuHandles.Function(this, f, kernelName, rt.parameterSizes(f));
    }

    @Override
    public void setMaxDynamicSharedMemory(CudaFunction function, int bytes) {
        rt.setMaxDynamicShared(own(function).handle(), bytes);
    }

    @Override
    public void launch(CudaFunction function, Dim3 grid, Dim3 block, int sharedBytes, CudaStream stream, KernelArgs args) {
        open("cuLaunchKernel");
        EmuHandles.Function f = own(function);
        EmuStream s = own(stream);
        checkArguments(f, args);
        int flags = (options.strict ? EmuRuntime.LAUNCH_STRICT : 0) | (options.poison ? EmuRuntime.LAUNCH_POISON : 0);
        // Copies the parameter values now: the caller may close its KernelArgs before the launch runs.
        long launch = rt.prepare(f.handle(), grid, block, sharedBytes, args.pointerArray(), args.count(), flags);
        enqueue(s, new EmuStream.Work() {
            @Override
            public void run() {
                rt.run(launch, "cuLaunchKernel");
            }

            @Override
            public void skip() {
                rt.discard(launch);
            }
        });
    }

    private static void checkArguments(EmuHandles.Function f, KernelArgs args) {
        int[] sizes = f.parameterSizes();
        if (args.count() != sizes.length) {
            throw EmuErrors.error("cuLaunchKernel", EmuErrors.INVALID_VALUE, "kernel " + f.name() + " takes "
                    + sizes.length + " parameters, the launch passes " + args.count());
        }
        for (int i = 0; i < sizes.length; i++) {
            if (args.size(i) != sizes[i]) {
                throw EmuErrors.error("cuLaunchKernel", EmuErrors.INVALID_VALUE, "kernel " + f.name() + ": parameter " + i
                        + " has " + sizes[i] + " bytes, the launch passes a " + args.size(i) + "-byte value");
            }
        }
    }

    // ---- stream ordering

    /**
     * Queues work behind everything before it on its stream, and, as the legacy default stream does,
     * behind all other streams when it goes to the default stream, or behind the default stream otherwise.
     */
    private synchronized CompletableFuture<Void> enqueue(EmuStream s, EmuStream.Work work) {
        CompletableFuture<?> after;
        if (s == defaultStream) {
            CompletableFuture<?>[] all = new CompletableFuture<?>[streams.size() + 1];
            all[0] = defaultStream.tail;
            for (int i = 0; i < streams.size(); i++) all[i + 1] = streams.get(i).tail;
            after = CompletableFuture.allOf(all);
        } else {
            after = defaultStream.tail.isDone() ? s.tail : CompletableFuture.allOf(s.tail, defaultStream.tail);
        }
        return s.enqueue(after, work);
    }

    private synchronized CompletableFuture<Void> tailOf(EmuStream s) {
        return s.tail;
    }

    private synchronized List<EmuStream> snapshot() {
        return new ArrayList<>(streams);
    }

    /** Waits for all queued work without reporting failures. */
    private void drainAll() {
        CompletableFuture<?>[] all;
        synchronized (this) {
            all = new CompletableFuture<?>[streams.size() + 1];
            all[0] = defaultStream.tail;
            for (int i = 0; i < streams.size(); i++) all[i + 1] = streams.get(i).tail;
        }
        CompletableFuture.allOf(all).join();
    }

    private static void reportFailure(String call, EmuStream s) {
        CudaException e = s.takeFailure();
        if (e == null) return;
        CudaException reported = e.code() >= 0 ? new CudaException(call, e.code(), EmuErrors.name(e.code()), detail(e))
                : new CudaException(call + " failed: " + e.getMessage());
        reported.addSuppressed(e);
        throw reported;
    }

    /** The message of a failure without its original "call failed: NAME (code): " prefix. */
    private static String detail(CudaException e) {
        String m = e.getMessage();
        String marker = "(" + e.code() + "): ";
        int at = m.indexOf(marker);
        return at < 0 ? m : m.substring(at + marker.length());
    }

    // ---- ownership checks

    private void open(String call) {
        if (closed) throw new CudaException(call + ": the emulated device has been closed");
    }

    private EmuStream own(CudaStream s) {
        if (s instanceof EmuStream e && e.device == this) return e;
        throw new IllegalArgumentException("stream " + s + " does not belong to this emulated device");
    }

    private EmuHandles.Event own(CudaEvent e) {
        if (e instanceof EmuHandles.Event x && x.device == this) return x;
        throw new IllegalArgumentException("event " + e + " does not belong to this emulated device");
    }

    private EmuHandles.Module own(CudaModule m) {
        if (m instanceof EmuHandles.Module x && x.device() == this) return x;
        throw new IllegalArgumentException("module " + m + " does not belong to this emulated device");
    }

    private EmuHandles.Function own(CudaFunction f) {
        if (f instanceof EmuHandles.Function x && x.device() == this) return x;
        throw new IllegalArgumentException("function " + f + " does not belong to this emulated device");
    }

    /**
     * Waits for queued work, then frees the device memory and pinned memory still allocated and ends the
     * stream threads. Failures not yet reported are dropped.
     */
    @Override
    public void close() {
        if (closed) return;
        drainAll();
        closed = true;
        for (long p : allocations) {
            try {
                rt.free(p);
            } catch (CudaException ignored) {
                // corruption found at close: the allocation is freed all the same
            }
        }
        allocations.clear();
        for (Arena a : pinned.values()) a.close();
        pinned.clear();
        defaultStream.shutdown();
        for (EmuStream s : snapshot()) s.shutdown();
    }
}
