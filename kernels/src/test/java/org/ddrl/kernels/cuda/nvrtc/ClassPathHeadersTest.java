package org.ddrl.kernels.cuda.nvrtc;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassPathHeadersTest {
    @TempDir
    Path tmp;

    private void write(String path, String text) throws IOException {
        Path p = tmp.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    @Test
    void collectsQuotedIncludesTransitivelyRelativeToTheIncludingFile() throws IOException {
        write("cuda/common.cuh", "#pragma once\n#include \"sub/math.cuh\"\n");
        write("cuda/sub/math.cuh", "  #  include \"../shared.h\"\nfloat f();\n");
        write("cuda/shared.h", "#include \"common.cuh\"\nint s;\n");
        String source = "#include <cuda_fp16.h>\n#include \"common.cuh\"\n#include \"missing.cuh\"\n__global__ void k() {}\n";
        try (URLClassLoader loader = new URLClassLoader(new URL[] {tmp.toUri().toURL()}, null)) {
            Map<String, String> headers = ClassPathHeaders.collect(source, "cuda", loader);
            assertEquals(Map.of("common.cuh", "#pragma once\n#include \"sub/math.cuh\"\n",
                    "sub/math.cuh", "  #  include \"../shared.h\"\nfloat f();\n",
                    "../shared.h", "#include \"common.cuh\"\nint s;\n"), headers);
        }
    }

    @Test
    void normalizesResourcePaths() {
        assertEquals("cuda/shared.h", ClassPathHeaders.normalize("cuda/sub/../shared.h"));
        assertEquals("cuda/a.cuh", ClassPathHeaders.normalize("cuda/./a.cuh"));
        assertEquals("a.cuh", ClassPathHeaders.normalize("../a.cuh"));
    }

    @Test
    void readsTheTestKernelsHeaderFromTheClassPath() {
        Map<String, String> headers = ClassPathHeaders.collect("#include \"driver_gpu_test.cuh\"\n", "cuda", getClass().getClassLoader());
        assertEquals(1, headers.size());
        assertTrue(headers.get("driver_gpu_test.cuh").contains("driver_test_axpy"));
    }
}
