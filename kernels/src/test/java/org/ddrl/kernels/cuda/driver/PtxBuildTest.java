package org.ddrl.kernels.cuda.driver;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The build's CUDA resources: every kernels/src/main/cuda/*.cu is copied to the classes folder, is built to
 * compute_80 PTX when nvcc is available, and that PTX is accepted by ptxas for sm_80 (A100) and sm_90 (H100).
 */
class PtxBuildTest {
    private static final Path SOURCES = Path.of("src/main/cuda");
    private static final Path BUILT = Path.of("target/classes/cuda");

    private static List<Path> sources() throws IOException {
        if (!Files.isDirectory(SOURCES)) return List.of();
        try (Stream<Path> s = Files.list(SOURCES)) {
            return s.filter(p -> p.toString().endsWith(".cu")).sorted().toList();
        }
    }

    private static String stem(Path cu) {
        String n = cu.getFileName().toString();
        return n.substring(0, n.length() - 3);
    }

    private static Path onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) return null;
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    @Test
    void everySourceIsCopiedForNvrtc() throws IOException {
        List<Path> cus = sources();
        assumeFalse(cus.isEmpty(), "no .cu sources in kernels/src/main/cuda yet");
        for (Path cu : cus) {
            Path copy = BUILT.resolve(cu.getFileName());
            assertTrue(Files.exists(copy), copy + " is missing: the build did not copy the kernel sources");
            assertEquals(Files.readString(cu), Files.readString(copy), copy + " is stale");
        }
    }

    @Test
    void everySourceHasCompute80Ptx() throws IOException {
        List<Path> cus = sources();
        assumeFalse(cus.isEmpty(), "no .cu sources in kernels/src/main/cuda yet");
        assumeTrue(onPath("nvcc") != null, "nvcc is not on the PATH, so the build made no PTX (NVRTC compiles the kernels at run time)");
        for (Path cu : cus) {
            Path ptx = BUILT.resolve(stem(cu) + ".ptx");
            assertTrue(Files.exists(ptx), ptx + " was not built");
            PtxInfo info = PtxInfo.parse(Files.readString(ptx));
            assertEquals("sm_80", info.targetName(), ptx.toString());
            assertFalse(info.entries().isEmpty(), ptx + " has no kernels");
        }
    }

    @Test
    void ptxasAcceptsEveryPtxForSm80AndSm90() throws Exception {
        List<Path> cus = sources();
        assumeFalse(cus.isEmpty(), "no .cu sources in kernels/src/main/cuda yet");
        Path ptxas = onPath("ptxas");
        assumeTrue(ptxas != null, "ptxas is not on the PATH (it comes with the CUDA toolkit)");
        List<Path> built = new ArrayList<>();
        for (Path cu : cus) {
            Path ptx = BUILT.resolve(stem(cu) + ".ptx");
            if (Files.exists(ptx)) built.add(ptx);
        }
        assumeFalse(built.isEmpty(), "no PTX was built (nvcc was not on the PATH at build time)");
        for (Path ptx : built) {
            for (String arch : List.of("sm_80", "sm_90")) {
                Process p = new ProcessBuilder(ptxas.toString(), "-arch=" + arch, "-o", "/dev/null", ptx.toString()).redirectErrorStream(true).start();
                String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(p.waitFor(60, TimeUnit.SECONDS), "ptxas " + arch + " " + ptx + " did not finish");
                assertEquals(0, p.exitValue(), "ptxas -arch=" + arch + " rejects " + ptx + ":\n" + output);
            }
        }
    }
}
