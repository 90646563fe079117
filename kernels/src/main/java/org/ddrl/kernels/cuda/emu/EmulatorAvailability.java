package org.ddrl.kernels.cuda.emu;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether the emulated CUDA device can run here: the build compiled its native libraries (it needs g++ on
 * Linux x86-64) and they load. The libraries are class path resources under {@code native/linux-x86_64/};
 * from a jar they are copied to a temporary directory first.
 *
 * <p>Runtime settings, read once when the runtime starts: {@code ddrl.cudaemu.workers} (or the environment
 * variable {@code CUDAEMU_WORKERS}; default: one per available processor), {@code ddrl.cudaemu.stackKB}
 * (the stack of each CUDA thread, default 64) and {@code ddrl.cudaemu.trapSignals} (default true: faults
 * in kernel code become launch errors instead of crashing the JVM).
 */
public final class EmulatorAvailability {
    static final String NATIVE_DIR = "native/linux-x86_64/";
    private static final String RUNTIME = "libcudaemu.so";

    private EmulatorAvailability() {}

    private record State(EmuRuntime runtime, Path directory, boolean extracted, String reason) {}

    private static final class Holder {
        static final State STATE = probe();
    }

    /** True when emulated devices can be opened. */
    public static boolean isAvailable() {
        return Holder.STATE.reason == null;
    }

    /** Why the emulator is unavailable, or null when it is available. */
    public static String unavailableReason() {
        return Holder.STATE.reason;
    }

    static EmuRuntime runtime() {
        State s = Holder.STATE;
        if (s.reason != null) throw new IllegalStateException("the emulated CUDA device is not available: " + s.reason);
        return s.runtime;
    }

    /** The host build of a kernel module, if the build produced one. */
    static Optional<Path> moduleLibrary(String name) {
        State s = Holder.STATE;
        String file = "lib" + name + "_emu.so";
        Path p = s.directory.resolve(file);
        if (!s.extracted) return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
        synchronized (EmulatorAvailability.class) {
            if (Files.isRegularFile(p)) return Optional.of(p);
            URL u = resource(file);
            if (u == null) return Optional.empty();
            copy(u, p);
            return Optional.of(p);
        }
    }

    private static State probe() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        if (!os.startsWith("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return unavailable("the CUDA emulator runs on Linux x86-64, this is " + os + " " + arch);
        }
        URL lib = resource(RUNTIME);
        if (lib == null) {
            URL why = resource("cudaemu-unavailable.txt");
            return unavailable(why != null ? "it was not built: " + read(why).strip()
                    : NATIVE_DIR + RUNTIME + " is not on the class path (the kernels module's native build did not run)");
        }
        Path directory;
        boolean extracted;
        try {
            if (lib.getProtocol().equals("file")) {
                directory = Path.of(lib.toURI()).getParent();
                extracted = false;
            } else {
                directory = Files.createTempDirectory("cudaemu");
                directory.toFile().deleteOnExit();
                copy(lib, directory.resolve(RUNTIME));
                extracted = true;
            }
        } catch (IOException | URISyntaxException e) {
            return unavailable("cannot locate " + RUNTIME + ": " + e);
        }
        try {
            EmuRuntime rt = new EmuRuntime(directory.resolve(RUNTIME), workers(), Integer.getInteger("ddrl.cudaemu.stackKB", 64),
                    Boolean.parseBoolean(System.getProperty("ddrl.cudaemu.trapSignals", "true")));
            return new State(rt, directory, extracted, null);
        } catch (RuntimeException | LinkageError e) {
            return unavailable(RUNTIME + " does not load: " + e.getMessage());
        }
    }

    private static int workers() {
        String p = System.getProperty("ddrl.cudaemu.workers");
        if (p == null) p = System.getenv("CUDAEMU_WORKERS");
        if (p != null && !p.isBlank()) {
            try {
                return Math.max(1, Integer.parseInt(p.strip()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("ddrl.cudaemu.workers / CUDAEMU_WORKERS: not a number: '" + p + "'", e);
            }
        }
        return Runtime.getRuntime().availableProcessors();
    }

    private static State unavailable(String reason) {
        return new State(null, Path.of("."), false, reason);
    }

    private static URL resource(String file) {
        return EmulatorAvailability.class.getClassLoader().getResource(NATIVE_DIR + file);
    }

    private static String read(URL u) {
        try (InputStream in = u.openStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void copy(URL from, Path to) {
        try (InputStream in = from.openStream()) {
            Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
            to.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract " + from + " to " + to, e);
        }
    }
}
