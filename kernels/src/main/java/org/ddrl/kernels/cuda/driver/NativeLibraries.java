package org.ddrl.kernels.cuda.driver;

import org.ddrl.kernels.cuda.CudaException;

import java.io.File;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Finds and loads whichever supported major version of a CUDA library is installed. Folders are searched in
 * this order: {@code -Dddrl.cuda.libraryPath} (a path list), {@code CUDA_HOME} and {@code CUDA_PATH},
 * {@code LD_LIBRARY_PATH}, the usual toolkit folders ({@code /usr/local/cuda/lib64}, then
 * {@code /usr/local/cuda-X.Y/lib64} newest first, {@code /opt/cuda}), the distribution's library folders, and
 * finally the system loader by soname. A newer major is preferred over an older one wherever each lies, except
 * that a major newer than the driver is not tried (a CUDA 13 library cannot run on a CUDA 12 driver). When
 * nothing loads, the error lists every folder and file name tried, with the outcome of each, and what to
 * install: a missing library is the most common complaint about Java GPU stacks.
 */
@SuppressWarnings("restricted") // native access is granted once for the whole project (ddrl.jvmFlags)
public final class NativeLibraries {
    /** System property: folders searched before all others, separated like a class path. */
    public static final String PATH_PROPERTY = "ddrl.cuda.libraryPath";

    private static final String SYSTEM_LOADER = "system loader (LD_LIBRARY_PATH as of JVM start, /etc/ld.so.cache, /lib, /usr/lib)";

    /** A folder to search and why it is searched. */
    public record Folder(Path dir, String origin) {
    }

    /** A loaded library: its symbols, where it came from, and which major version it is. */
    public record Loaded(SymbolLookup lookup, String location, int major) {
    }

    /** Opens a library file or soname; throws IllegalArgumentException when the system refuses it. */
    interface Opener {
        SymbolLookup open(Path file);

        SymbolLookup openByName(String soname);
    }

    static final Opener SYSTEM = new Opener() {
        @Override
        public SymbolLookup open(Path file) {
            return SymbolLookup.libraryLookup(file, Arena.global());
        }

        @Override
        public SymbolLookup openByName(String soname) {
            return SymbolLookup.libraryLookup(soname, Arena.global());
        }
    };

    private NativeLibraries() {
    }

    /**
     * Loads the library, preferring the newest major that the driver can run.
     *
     * @param driverVersion the driver's CUDA version as cuDriverGetVersion reports it (12040 for 12.4), or 0
     *                      when unknown, which lifts the cap
     * @throws CudaException listing every place tried when no version loads
     */
    public static Loaded load(LibrarySpec spec, int driverVersion) {
        return load(spec, driverVersion, searchFolders(System.getProperty(PATH_PROPERTY), System.getenv(), defaultFolders()), SYSTEM);
    }

    static Loaded load(LibrarySpec spec, int driverVersion, List<Folder> folders, Opener opener) {
        Map<String, List<String>> outcomes = new LinkedHashMap<>();
        List<String> skipped = new ArrayList<>();
        int maxMajor = driverVersion > 0 ? driverVersion / 1000 : Integer.MAX_VALUE;
        for (Folder f : folders) {
            if (!Files.isDirectory(f.dir())) outcomes.put(label(f), new ArrayList<>(List.of("folder does not exist")));
        }
        for (int major : spec.majors()) {
            String name = spec.fileName(major);
            if (major > maxMajor) {
                skipped.add(name + " was not tried: the driver supports CUDA " + versionString(driverVersion)
                        + ", and a CUDA " + major + " library needs a CUDA " + major + " driver");
                continue;
            }
            if (spec.systemFirst()) {
                Loaded l = tryByName(opener, name, major, outcomes);
                if (l != null) return l;
            }
            for (Folder f : folders) {
                if (!Files.isDirectory(f.dir())) continue;
                Path file = f.dir().resolve(name);
                List<String> here = outcomes.computeIfAbsent(label(f), k -> new ArrayList<>());
                if (!Files.exists(file)) {
                    here.add(name + ": no such file");
                    continue;
                }
                loadCompanions(spec, f.dir(), major, opener);
                try {
                    return new Loaded(opener.open(file), file.toString(), major);
                } catch (IllegalArgumentException e) {
                    here.add(name + ": present but failed to load (" + reason(file.toString(), e) + ")");
                }
            }
            if (!spec.systemFirst()) {
                Loaded l = tryByName(opener, name, major, outcomes);
                if (l != null) return l;
            }
        }
        throw new CudaException(notFoundMessage(spec, outcomes, skipped));
    }

    private static Loaded tryByName(Opener opener, String name, int major, Map<String, List<String>> outcomes) {
        try {
            return new Loaded(opener.openByName(name), name + " (" + SYSTEM_LOADER + ")", major);
        } catch (IllegalArgumentException e) {
            String why = reason(name, e);
            // the loader's "cannot open shared object file" is plain absence; anything else is worth showing
            String outcome = why.contains("cannot open shared object file") ? "not found" : "failed to load (" + why + ")";
            outcomes.computeIfAbsent(SYSTEM_LOADER, k -> new ArrayList<>()).add(name + ": " + outcome);
            return null;
        }
    }

    private static void loadCompanions(LibrarySpec spec, Path dir, int major, Opener opener) {
        for (String companion : spec.companions()) {
            String exact = companion + "." + major;
            try (Stream<Path> files = Files.list(dir)) {
                List<Path> matches = files.filter(p -> {
                    String n = p.getFileName().toString();
                    return n.equals(exact) || n.startsWith(exact + ".");
                }).sorted(Comparator.comparing(Path::toString).reversed()).toList();
                for (Path p : matches) {
                    try {
                        opener.open(p);
                        break;
                    } catch (IllegalArgumentException ignored) {
                        // the main library's own load reports what is missing
                    }
                }
            } catch (IOException ignored) {
                // an unreadable folder shows up as the main library failing to load
            }
        }
    }

    private static String reason(String fileOrName, IllegalArgumentException e) {
        String why = Dlerror.explain(fileOrName);
        return why != null ? why : String.valueOf(e.getMessage());
    }

    private static String label(Folder f) {
        return f.dir() + " (" + f.origin() + ")";
    }

    static String notFoundMessage(LibrarySpec spec, Map<String, List<String>> outcomes, List<String> skipped) {
        StringBuilder b = new StringBuilder();
        b.append(spec.what()).append(" (").append(spec.fileNames()).append(") could not be loaded. Searched, in this order:");
        for (Map.Entry<String, List<String>> e : outcomes.entrySet()) {
            b.append("\n  ").append(e.getKey()).append(": ").append(String.join("; ", e.getValue()));
        }
        for (String s : skipped) b.append("\n  ").append(s);
        b.append("\nTo fix: ").append(spec.installHint()).append(". If it is installed in a folder not listed above, add that folder to ")
                .append("LD_LIBRARY_PATH or pass -D").append(PATH_PROPERTY).append("=<folder>.");
        return b.toString();
    }

    /** 12040 -> "12.4". */
    public static String versionString(int cudaVersion) {
        return (cudaVersion / 1000) + "." + (cudaVersion % 1000) / 10;
    }

    /** The folders to search, in order, without duplicates; folders named by the user are kept even when missing. */
    static List<Folder> searchFolders(String property, Map<String, String> env, List<Folder> defaults) {
        List<Folder> out = new ArrayList<>();
        if (property != null) {
            for (String d : property.split(File.pathSeparator)) {
                if (!d.isBlank()) out.add(new Folder(Path.of(d.trim()), "-D" + PATH_PROPERTY));
            }
        }
        for (String var : List.of("CUDA_HOME", "CUDA_PATH")) {
            String home = env.get(var);
            if (home == null || home.isBlank()) continue;
            out.add(new Folder(Path.of(home, "lib64"), "from " + var));
            Path lib = Path.of(home, "lib");
            if (Files.isDirectory(lib)) out.add(new Folder(lib, "from " + var));
        }
        String ld = env.get("LD_LIBRARY_PATH");
        if (ld != null) {
            for (String d : ld.split(File.pathSeparator)) {
                if (!d.isBlank()) out.add(new Folder(Path.of(d), "from LD_LIBRARY_PATH"));
            }
        }
        out.addAll(defaults);
        Set<Path> seen = new LinkedHashSet<>();
        List<Folder> unique = new ArrayList<>();
        for (Folder f : out) {
            if (seen.add(identity(f.dir()))) unique.add(f);
        }
        return unique;
    }

    /** The folder's real path, so that /usr/local/cuda and the /usr/local/cuda-13.0 it links to count once. */
    private static Path identity(Path dir) {
        try {
            return dir.toRealPath();
        } catch (IOException e) {
            return dir.toAbsolutePath().normalize();
        }
    }

    /** The usual install folders that exist on this machine. */
    static List<Folder> defaultFolders() {
        List<Folder> out = new ArrayList<>();
        addIfDir(out, Path.of("/usr/local/cuda/lib64"), "the default CUDA toolkit");
        try (Stream<Path> dirs = Files.list(Path.of("/usr/local"))) {
            dirs.filter(p -> p.getFileName().toString().matches("cuda-\\d{1,6}(\\.\\d{1,6})*"))
                    .sorted(Comparator.comparing((Path p) -> versionKey(p.getFileName().toString().substring(5))).reversed())
                    .forEach(p -> addIfDir(out, p.resolve("lib64"), "an installed CUDA toolkit"));
        } catch (IOException ignored) {
            // no /usr/local: nothing installed there
        }
        addIfDir(out, Path.of("/opt/cuda/lib64"), "the CUDA toolkit of some distributions");
        addIfDir(out, Path.of("/usr/lib/wsl/lib"), "the driver under WSL");
        for (String d : List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib")) {
            addIfDir(out, Path.of(d), "the system library folder");
        }
        return out;
    }

    private static void addIfDir(List<Folder> out, Path dir, String origin) {
        if (Files.isDirectory(dir)) out.add(new Folder(dir, origin));
    }

    /** "12.10" sorts after "12.9". */
    private static String versionKey(String version) {
        StringBuilder b = new StringBuilder();
        for (String part : version.split("\\.")) b.append(String.format("%06d", Integer.parseInt(part)));
        return b.toString();
    }
}
