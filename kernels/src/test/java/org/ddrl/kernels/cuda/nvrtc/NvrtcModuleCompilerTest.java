package org.ddrl.kernels.cuda.nvrtc;

import org.ddrl.kernels.cuda.CudaException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class NvrtcModuleCompilerTest {
    private static final int[] NVRTC13 = {75, 80, 86, 87, 88, 89, 90, 100, 103, 110, 120, 121};

    @TempDir
    Path tmp;

    @Test
    void picksTheNewestArchitectureNotAboveTheDevice() {
        assertEquals(90, NvrtcModuleCompiler.architecture(NVRTC13, 90, "13.0"));
        assertEquals(80, NvrtcModuleCompiler.architecture(NVRTC13, 80, "13.0"));
        assertEquals(90, NvrtcModuleCompiler.architecture(new int[] {75, 80, 90}, 100, "12.0"), "a GPU newer than NVRTC gets the newest PTX");
        assertEquals(80, NvrtcModuleCompiler.architecture(NVRTC13, 85, "13.0"));
        CudaException e = assertThrows(CudaException.class, () -> NvrtcModuleCompiler.architecture(NVRTC13, 70, "13.0"));
        assertEquals("NVRTC 13.0 cannot compile for compute capability 7.0: it supports [75, 80, 86, 87, 88, 89, 90, 100, 103, 110, 120, 121]"
                + " (CUDA 13 needs compute capability 7.5 or newer)", e.getMessage());
    }

    @Test
    void optionsNameTheArchitectureDefaultDeviceAndStandard() {
        assertEquals(List.of("--gpu-architecture=compute_90", "-default-device", "-std=c++17"), NvrtcModuleCompiler.options(90, null));
        assertEquals(List.of("--gpu-architecture=compute_80", "-default-device", "-std=c++17", "-I/opt/cuda/include"),
                NvrtcModuleCompiler.options(80, Path.of("/opt/cuda/include")));
    }

    @Test
    void includeFolderIsTheOneBesideTheLibrary() throws IOException {
        Path lib = Files.createDirectories(tmp.resolve("cuda/lib64")).resolve("libnvrtc.so.13");
        Files.writeString(lib, "");
        assertNull(NvrtcModuleCompiler.includeFolder(lib.toString()), "no headers there");
        Path include = Files.createDirectories(tmp.resolve("cuda/include"));
        Files.writeString(include.resolve("cuda_fp16.h"), "");
        assertEquals(include, NvrtcModuleCompiler.includeFolder(lib.toString()));
        assertNull(NvrtcModuleCompiler.includeFolder("libnvrtc.so.13 (system loader (LD_LIBRARY_PATH as of JVM start))"));
    }
}
