package org.ddrl.kernels.cuda.driver;

import org.ddrl.kernels.cuda.CudaException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Library discovery: which file wins, and an error that lists everything tried. */
class NativeLibrariesTest {
    private static final LibrarySpec PROBE = new LibrarySpec("The probe library", "libddrlprobe.so", List.of(13, 12), List.of(),
            "install the probe", false);

    @TempDir
    Path tmp;

    /** A real shared library to copy under the probe's names, so that loading genuinely happens. */
    private static Path someSharedLibrary() {
        for (String p : List.of("/lib/x86_64-linux-gnu/libz.so.1", "/usr/lib/x86_64-linux-gnu/libz.so.1", "/lib/aarch64-linux-gnu/libz.so.1",
                "/usr/lib64/libz.so.1", "/lib64/libz.so.1")) {
            if (Files.exists(Path.of(p))) return Path.of(p);
        }
        return null;
    }

    private Path folderWith(String name, String... files) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Path lib = someSharedLibrary();
        assumeTrue(lib != null, "no libz.so.1 in the usual folders to stand in for a CUDA library");
        for (String f : files) Files.copy(lib, dir.resolve(f));
        return dir;
    }

    @Test
    void missingLibraryListsEveryFolderAndNameTriedAndWhatToInstall() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Path absent = tmp.resolve("absent");
        List<NativeLibraries.Folder> folders = List.of(new NativeLibraries.Folder(absent, "-Dddrl.cuda.libraryPath"),
                new NativeLibraries.Folder(empty, "from CUDA_HOME"));
        CudaException e = assertThrows(CudaException.class, () -> NativeLibraries.load(PROBE, 0, folders, NativeLibraries.SYSTEM));
        String expected = "The probe library (libddrlprobe.so.13 or libddrlprobe.so.12) could not be loaded. Searched, in this order:\n"
                + "  " + absent + " (-Dddrl.cuda.libraryPath): folder does not exist\n"
                + "  " + empty + " (from CUDA_HOME): libddrlprobe.so.13: no such file; libddrlprobe.so.12: no such file\n"
                + "  system loader (LD_LIBRARY_PATH as of JVM start, /etc/ld.so.cache, /lib, /usr/lib): libddrlprobe.so.13: not found; "
                + "libddrlprobe.so.12: not found\n"
                + "To fix: install the probe. If it is installed in a folder not listed above, add that folder to LD_LIBRARY_PATH or pass "
                + "-Dddrl.cuda.libraryPath=<folder>.";
        assertEquals(expected, e.getMessage());
        assertEquals(-1, e.code());
    }

    @Test
    void prefersTheNewestMajorInAnyFolder() throws IOException {
        Path old = folderWith("old", "libddrlprobe.so.12");
        Path fresh = folderWith("new", "libddrlprobe.so.13");
        NativeLibraries.Loaded l = NativeLibraries.load(PROBE, 0,
                List.of(new NativeLibraries.Folder(old, "first"), new NativeLibraries.Folder(fresh, "second")), NativeLibraries.SYSTEM);
        assertEquals(13, l.major());
        assertEquals(fresh.resolve("libddrlprobe.so.13").toString(), l.location());
        assertTrue(l.lookup().find("zlibVersion").isPresent());
    }

    @Test
    void fallsBackToAnOlderMajor() throws IOException {
        Path dir = folderWith("only12", "libddrlprobe.so.12");
        NativeLibraries.Loaded l = NativeLibraries.load(PROBE, 0, List.of(new NativeLibraries.Folder(dir, "here")), NativeLibraries.SYSTEM);
        assertEquals(12, l.major());
    }

    @Test
    void neverPicksAMajorNewerThanTheDriver() throws IOException {
        Path both = folderWith("both", "libddrlprobe.so.13", "libddrlprobe.so.12");
        NativeLibraries.Loaded l = NativeLibraries.load(PROBE, 12040, List.of(new NativeLibraries.Folder(both, "here")), NativeLibraries.SYSTEM);
        assertEquals(12, l.major());

        Path only13 = folderWith("only13", "libddrlprobe.so.13");
        CudaException e = assertThrows(CudaException.class,
                () -> NativeLibraries.load(PROBE, 12040, List.of(new NativeLibraries.Folder(only13, "here")), NativeLibraries.SYSTEM));
        assertTrue(e.getMessage().contains("libddrlprobe.so.13 was not tried: the driver supports CUDA 12.4, and a CUDA 13 library needs a CUDA 13"
                + " driver"), e.getMessage());
    }

    @Test
    void aBrokenFileIsReportedWithTheLoadersMessageAndTheNextIsTried() throws IOException {
        Path dir = folderWith("broken", "libddrlprobe.so.12");
        Files.writeString(dir.resolve("libddrlprobe.so.13"), "not an ELF file");
        NativeLibraries.Loaded l = NativeLibraries.load(PROBE, 0, List.of(new NativeLibraries.Folder(dir, "here")), NativeLibraries.SYSTEM);
        assertEquals(12, l.major());

        Files.delete(dir.resolve("libddrlprobe.so.12"));
        CudaException e = assertThrows(CudaException.class,
                () -> NativeLibraries.load(PROBE, 0, List.of(new NativeLibraries.Folder(dir, "here")), NativeLibraries.SYSTEM));
        assertTrue(e.getMessage().contains("libddrlprobe.so.13: present but failed to load (" + dir.resolve("libddrlprobe.so.13")),
                e.getMessage());
        assertTrue(e.getMessage().contains("invalid ELF header") || e.getMessage().contains("file too short"), e.getMessage());
    }

    @Test
    void companionsAreLoadedFromTheSameFolderFirst() throws IOException {
        LibrarySpec spec = new LibrarySpec("Main", "libmain.so", List.of(13), List.of("libhelper.so"), "install it", false);
        Path dir = Files.createDirectories(tmp.resolve("pair"));
        for (String f : List.of("libmain.so.13", "libhelper.so.13.0.1", "libhelper.so.12", "libhelperx.so.13")) Files.writeString(dir.resolve(f), "");
        List<String> opened = new ArrayList<>();
        NativeLibraries.Opener recorder = new NativeLibraries.Opener() {
            @Override
            public SymbolLookup open(Path file) {
                opened.add(file.getFileName().toString());
                return name -> java.util.Optional.empty();
            }

            @Override
            public SymbolLookup openByName(String soname) {
                throw new IllegalArgumentException("not by name");
            }
        };
        NativeLibraries.load(spec, 0, List.of(new NativeLibraries.Folder(dir, "here")), recorder);
        assertEquals(List.of("libhelper.so.13.0.1", "libmain.so.13"), opened);
    }

    @Test
    void systemLoaderGoesFirstWhenTheSpecSaysSo() {
        LibrarySpec spec = new LibrarySpec("Driver", "libdrv.so", List.of(1), List.of(), "install it", true);
        List<String> opened = new ArrayList<>();
        NativeLibraries.Opener recorder = new NativeLibraries.Opener() {
            @Override
            public SymbolLookup open(Path file) {
                throw new AssertionError("a folder was searched before the system loader");
            }

            @Override
            public SymbolLookup openByName(String soname) {
                opened.add(soname);
                return name -> java.util.Optional.empty();
            }
        };
        NativeLibraries.Loaded l = NativeLibraries.load(spec, 0, List.of(new NativeLibraries.Folder(tmp, "here")), recorder);
        assertEquals(List.of("libdrv.so.1"), opened);
        assertTrue(l.location().startsWith("libdrv.so.1 (system loader"));
    }

    @Test
    void foldersComeInOrderWithoutDuplicates() throws IOException {
        Path home = Files.createDirectories(tmp.resolve("cuda"));
        Files.createDirectories(home.resolve("lib"));
        List<NativeLibraries.Folder> defaults = List.of(new NativeLibraries.Folder(Path.of("/usr/local/cuda/lib64"), "the default CUDA toolkit"));
        List<NativeLibraries.Folder> folders = NativeLibraries.searchFolders("/opt/a:/opt/b", Map.of("CUDA_HOME", home.toString(),
                "LD_LIBRARY_PATH", "/opt/b:/usr/local/cuda/lib64:/opt/c"), defaults);
        List<String> got = folders.stream().map(f -> f.dir() + " " + f.origin()).toList();
        assertEquals(List.of("/opt/a -Dddrl.cuda.libraryPath", "/opt/b -Dddrl.cuda.libraryPath", home.resolve("lib64") + " from CUDA_HOME",
                home.resolve("lib") + " from CUDA_HOME", "/usr/local/cuda/lib64 from LD_LIBRARY_PATH", "/opt/c from LD_LIBRARY_PATH"), got);
    }

    @Test
    void versionStrings() {
        assertEquals("12.4", NativeLibraries.versionString(12040));
        assertEquals("13.0", NativeLibraries.versionString(13000));
        assertEquals("12.10", NativeLibraries.versionString(12100));
    }

    @Test
    void specNamesItsFiles() {
        assertEquals("libddrlprobe.so.13 or libddrlprobe.so.12", PROBE.fileNames());
        assertEquals("a.so.3, a.so.2 or a.so.1", new LibrarySpec("A", "a.so", List.of(3, 2, 1), List.of(), "", false).fileNames());
        assertThrows(IllegalArgumentException.class, () -> new LibrarySpec("A", "a.so", List.of(), List.of(), "", false));
    }
}
