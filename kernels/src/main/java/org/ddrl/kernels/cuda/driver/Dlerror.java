package org.ddrl.kernels.cuda.driver;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * Why the system loader refuses a library. The JDK's library lookup only says that it failed; the loader's
 * own message ("libcublasLt.so.13: cannot open shared object file", "wrong ELF class") is what a user needs,
 * so a failed load is repeated through dlopen to read dlerror.
 */
@SuppressWarnings("restricted") // native access is granted once for the whole project (ddrl.jvmFlags)
final class Dlerror {
    private static final int RTLD_NOW = 2;

    private Dlerror() {
    }

    /** The loader's message for the file or soname, or null when it cannot be had (or the library now loads). */
    static String explain(String fileOrName) {
        try {
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            Optional<MemorySegment> open = libc.find("dlopen");
            if (open.isEmpty()) {
                // glibc before 2.34 keeps dlopen in libdl
                libc = SymbolLookup.libraryLookup("libdl.so.2", Arena.global());
                open = libc.find("dlopen");
            }
            MethodHandle dlopen = linker.downcallHandle(open.orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
            MethodHandle dlerror = linker.downcallHandle(libc.findOrThrow("dlerror"), FunctionDescriptor.of(ValueLayout.ADDRESS));
            MethodHandle dlclose = linker.downcallHandle(libc.findOrThrow("dlclose"),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment handle = (MemorySegment) dlopen.invokeExact(arena.allocateFrom(fileOrName), RTLD_NOW);
                if (!handle.equals(MemorySegment.NULL)) {
                    int ignored = (int) dlclose.invokeExact(handle);
                    return null;
                }
                MemorySegment message = (MemorySegment) dlerror.invokeExact();
                return message.equals(MemorySegment.NULL) ? null : message.reinterpret(Integer.MAX_VALUE).getString(0);
            }
        } catch (Throwable t) {
            return null;
        }
    }
}
