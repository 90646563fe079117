package org.ddrl.kernels.cuda.emu;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import org.ddrl.kernels.cuda.Dim3;

/**
 * Bindings of libcudaemu.so, loaded once per process. The worker pool it starts serves every emulated
 * device. Every call that can fail returns a CUresult and writes its message into a buffer passed by the
 * caller; the methods here turn failures into {@link org.ddrl.kernels.cuda.CudaException}s named after the
 * driver call they stand for. Downcalls are not "critical": launches run for milliseconds and block.
 */
final class EmuRuntime {
    private static final int MESSAGE_BYTES = 4096;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG;
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT;
    private static final ValueLayout PTR = ValueLayout.ADDRESS;

    static final int LAUNCH_STRICT = 1;
    static final int LAUNCH_POISON = 2;

    private final MethodHandle malloc;
    private final MethodHandle free;
    private final MethodHandle checkRange;
    private final MethodHandle memoryUsed;
    private final MethodHandle moduleLoad;
    private final MethodHandle moduleFunction;
    private final MethodHandle paramCount;
    private final MethodHandle paramSize;
    private final MethodHandle setMaxDynamicShared;
    private final MethodHandle launchPrepare;
    private final MethodHandle launchRun;
    private final MethodHandle launchDiscard;
    private final int workers;

    @SuppressWarnings("restricted") // binding the runtime is what needs --enable-native-access
    EmuRuntime(Path library, int workers, int stackKb, boolean trapSignals) {
        Linker linker = Linker.nativeLinker();
        SymbolLookup lib = SymbolLookup.libraryLookup(library, Arena.global());
        malloc = bind(linker, lib, "cudaemu_malloc", FunctionDescriptor.of(I32, U64, I32, PTR, PTR, I32));
        free = bind(linker, lib, "cudaemu_free", FunctionDescriptor.of(I32, U64, PTR, I32));
        checkRange = bind(linker, lib, "cudaemu_check_range", FunctionDescriptor.of(I32, U64, U64, PTR, I32));
        memoryUsed = bind(linker, lib, "cudaemu_memory_used", FunctionDescriptor.of(U64));
        moduleLoad = bind(linker, lib, "cudaemu_module_load", FunctionDescriptor.of(I32, PTR, PTR, PTR, PTR, I32));
        moduleFunction = bind(linker, lib, "cudaemu_module_function", FunctionDescriptor.of(I32, U64, PTR, PTR, PTR, I32));
        paramCount = bind(linker, lib, "cudaemu_function_param_count", FunctionDescriptor.of(I32, U64));
        paramSize = bind(linker, lib, "cudaemu_function_param_size", FunctionDescriptor.of(I32, U64, I32));
        setMaxDynamicShared = bind(linker, lib, "cudaemu_function_set_max_dynamic_shared",
                FunctionDescriptor.of(I32, U64, I32, PTR, I32));
        launchPrepare = bind(linker, lib, "cudaemu_launch_prepare",
                FunctionDescriptor.of(I32, U64, I32, I32, I32, I32, I32, I32, I32, PTR, I32, I32, PTR, PTR, I32));
        launchRun = bind(linker, lib, "cudaemu_launch_run", FunctionDescriptor.of(I32, U64, PTR, I32));
        launchDiscard = bind(linker, lib, "cudaemu_launch_discard", FunctionDescriptor.ofVoid(U64));
        MethodHandle init = bind(linker, lib, "cudaemu_init", FunctionDescriptor.of(I32, I32, I32, I32));
        try {
            this.workers = (int) init.invokeExact(workers, stackKb, trapSignals ? 1 : 0);
        } catch (Throwable t) {
            throw new IllegalStateException("cudaemu_init failed", t);
        }
    }

    @SuppressWarnings("restricted")
    private static MethodHandle bind(Linker linker, SymbolLookup lib, String name, FunctionDescriptor d) {
        MemorySegment symbol = lib.find(name).orElseThrow(
                () -> new IllegalStateException("libcudaemu.so has no symbol " + name + " (stale build?)"));
        return linker.downcallHandle(symbol, d);
    }

    int workers() {
        return workers;
    }

    /** A call's message buffer and out-parameter, freed when the call returns. */
    private static final class Call implements AutoCloseable {
        final Arena arena = Arena.ofConfined();
        final MemorySegment message = arena.allocate(MESSAGE_BYTES);
        final MemorySegment out = arena.allocate(U64);

        MemorySegment string(String s) {
            return arena.allocateFrom(s);
        }

        @Override
        public void close() {
            arena.close();
        }
    }

    /** A downcall that returns a CUresult, given its call's buffers. */
    private interface Downcall {
        int invoke(Call c) throws Throwable;
    }

    /** Runs a downcall; a failure becomes a CudaException named after {@code call}. Returns the out-parameter. */
    private static long call(String call, Downcall d) {
        try (Call c = new Call()) {
            int code = d.invoke(c);
            if (code != EmuErrors.SUCCESS) throw EmuErrors.error(call, code, c.message.getString(0));
            return c.out.get(U64, 0);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(call + ": downcall failed", t);
        }
    }

    long malloc(long bytes, boolean poison) {
        return call("cuMemAlloc", c -> (int) malloc.invokeExact(bytes, poison ? 1 : 0, c.out, c.message, MESSAGE_BYTES));
    }

    void free(long ptr) {
        call("cuMemFree", c -> (int) free.invokeExact(ptr, c.message, MESSAGE_BYTES));
    }

    /** Throws unless [ptr, ptr + bytes) lies inside one live allocation. */
    void checkRange(String name, long ptr, long bytes) {
        call(name, c -> (int) checkRange.invokeExact(ptr, bytes, c.message, MESSAGE_BYTES));
    }

    long memoryUsed() {
        try {
            return (long) memoryUsed.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    long loadModule(Path library, String name) {
        return call("cuModuleLoad", c -> (int) moduleLoad.invokeExact(c.string(library.toString()), c.string(name), c.out,
                c.message, MESSAGE_BYTES));
    }

    long function(long module, String name) {
        return call("cuModuleGetFunction",
                c -> (int) moduleFunction.invokeExact(module, c.string(name), c.out, c.message, MESSAGE_BYTES));
    }

    /** Byte sizes of a kernel's parameters, as the host compiler laid them out. */
    int[] parameterSizes(long function) {
        try {
            int n = (int) paramCount.invokeExact(function);
            int[] sizes = new int[n];
            for (int i = 0; i < n; i++) sizes[i] = (int) paramSize.invokeExact(function, i);
            return sizes;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    void setMaxDynamicShared(long function, int bytes) {
        call("cuFuncSetAttribute", c -> (int) setMaxDynamicShared.invokeExact(function, bytes, c.message, MESSAGE_BYTES));
    }

    /** Validates a launch and copies its parameter values; the result runs once with {@link #run}. */
    long prepare(long function, Dim3 grid, Dim3 block, int sharedBytes, MemorySegment params, int count, int flags) {
        return call("cuLaunchKernel", c -> (int) launchPrepare.invokeExact(function, grid.x(), grid.y(), grid.z(),
                block.x(), block.y(), block.z(), sharedBytes, params, count, flags, c.out, c.message, MESSAGE_BYTES));
    }

    /** Runs a prepared launch to completion (blocking) and frees it; {@code name} names the failure. */
    void run(long launch, String name) {
        call(name, c -> (int) launchRun.invokeExact(launch, c.message, MESSAGE_BYTES));
    }

    void discard(long launch) {
        try {
            launchDiscard.invokeExact(launch);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
