package org.ddrl.kernels.cuda.nvrtc;

import org.ddrl.kernels.cuda.CudaException;
import org.ddrl.kernels.cuda.ModuleSource;
import org.ddrl.kernels.cuda.driver.ModuleCompiler;
import org.ddrl.kernels.cuda.driver.PtxInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** NVRTC itself, where it is installed (it needs no GPU). */
class NvrtcTest {
    private static Nvrtc nvrtc;
    private static String missing;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() {
        try {
            nvrtc = Nvrtc.get(0);
        } catch (CudaException e) {
            missing = e.getMessage();
        }
    }

    @Test
    void compilesAKernelWithAHeaderToPtxForTheArchitecture() {
        assumeTrue(nvrtc != null, () -> "NVRTC is not installed: " + missing);
        String src = "#include \"scale.cuh\"\nextern \"C\" __global__ void scale(float* p, int n) { int i = threadIdx.x; if (i < n) p[i] = twice(p[i]); }\n";
        String ptx = nvrtc.compile(src, "scale.cu", Map.of("scale.cuh", "__device__ float twice(float x) { return 2 * x; }\n"),
                List.of("--gpu-architecture=compute_80", "-default-device", "-std=c++17"));
        PtxInfo info = PtxInfo.parse(ptx);
        assertEquals("sm_80", info.targetName());
        assertEquals(List.of(8, 4), info.entries().get("scale"));
    }

    @Test
    void aCompileErrorCarriesTheCompilerLog() {
        assumeTrue(nvrtc != null, () -> "NVRTC is not installed: " + missing);
        CudaException e = assertThrows(CudaException.class, () -> nvrtc.compile("__global__ void k() { undeclared_thing(); }\n", "broken.cu",
                Map.of(), List.of("--gpu-architecture=compute_80")));
        assertEquals(6, e.code());
        assertTrue(e.getMessage().startsWith("nvrtcCompileProgram(broken.cu, --gpu-architecture=compute_80) failed: NVRTC_ERROR_COMPILATION (6): "
                + "broken.cu does not compile"), e.getMessage());
        assertTrue(e.getMessage().contains("undeclared_thing"), e.getMessage());
    }

    @Test
    void supportsTheArchitecturesOfCurrentGpus() {
        assumeTrue(nvrtc != null, () -> "NVRTC is not installed: " + missing);
        int[] archs = nvrtc.supportedArchs();
        assertTrue(archs.length > 0);
        assertTrue(Stream.of(80, 90).allMatch(a -> Arrays.stream(archs).anyMatch(x -> x == a)), Arrays.toString(archs));
    }

    @Test
    void moduleCompilerCachesItsResult() throws Exception {
        assumeTrue(nvrtc != null, () -> "NVRTC is not installed: " + missing);
        NvrtcModuleCompiler compiler = new NvrtcModuleCompiler(new PtxCache(tmp));
        ModuleSource source = new ModuleSource("driver_gpu_test");
        ModuleCompiler.Compiled first = compiler.compile(source, 90, 0);
        assertEquals("NVRTC " + nvrtc.version() + ", compute_90", first.origin());
        assertTrue(PtxInfo.parse(first.ptx()).entries().containsKey("driver_test_saxpy"));
        ModuleCompiler.Compiled second = compiler.compile(source, 90, 0);
        assertEquals(first.ptx(), second.ptx());
        assertEquals("NVRTC " + nvrtc.version() + ", compute_90, from the cache " + tmp, second.origin());
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(1, files.count());
        }
    }
}
