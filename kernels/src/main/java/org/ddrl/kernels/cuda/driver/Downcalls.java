package org.ddrl.kernels.cuda.driver;

import org.ddrl.kernels.cuda.CudaException;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/** Downcall handles into one loaded library, made once when a binding is first used. */
@SuppressWarnings("restricted") // native access is granted once for the whole project (ddrl.jvmFlags)
public final class Downcalls {
    /** A native call returning a status code; the Throwable is invokeExact's. */
    @FunctionalInterface
    public interface IntCall {
        int call() throws Throwable;
    }

    /** A native call returning a pointer. */
    @FunctionalInterface
    public interface PointerCall {
        MemorySegment call() throws Throwable;
    }

    private final Linker linker = Linker.nativeLinker();
    private final NativeLibraries.Loaded library;

    public Downcalls(NativeLibraries.Loaded library) {
        this.library = library;
    }

    public NativeLibraries.Loaded library() {
        return library;
    }

    /** The first of the symbols that the library exports (a _v2 entry point, then its older name). */
    public MethodHandle find(FunctionDescriptor descriptor, String... symbols) {
        MethodHandle h = findOptional(descriptor, symbols);
        if (h == null) {
            throw new CudaException("symbol " + String.join(" / ", symbols) + " is not exported by " + library.location()
                    + ": this library is older than the CUDA " + library.major() + " API this binding expects; update it");
        }
        return h;
    }

    /** Like {@link #find}, or null when none is exported. */
    public MethodHandle findOptional(FunctionDescriptor descriptor, String... symbols) {
        for (String s : symbols) {
            Optional<MemorySegment> address = library.lookup().find(s);
            if (address.isPresent()) return linker.downcallHandle(address.get(), descriptor);
        }
        return null;
    }

    public static int invoke(IntCall call) {
        try {
            return call.call();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("native call failed", t);
        }
    }

    public static MemorySegment invoke(PointerCall call) {
        try {
            return call.call();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("native call failed", t);
        }
    }

    /** A C string returned by the library (static storage), or null for NULL. */
    public static String cString(MemorySegment s) {
        return s.equals(MemorySegment.NULL) ? null : s.reinterpret(Integer.MAX_VALUE).getString(0);
    }
}
