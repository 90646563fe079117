package org.ddrl.kernels.cuda.driver;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The tensor-core GEMM of ddrl_gemm.cuh is compiled into the compute_80 PTX of matmul.cu and conv.cu (its guard,
 * __CUDA_ARCH__ >= 800 with <mma.h> present, holds there), in all three modes: a guard that is never true
 * on a GPU would leave only the portable path and still pass every emulator test.
 */
class TensorCorePtxTest {
    @Test
    void matmulPtxHasWmmaForBf16F16AndTf32() throws IOException {
        assertWmma(Path.of("target/classes/cuda/matmul.ptx"));
    }

    @Test
    void convPtxHasWmmaForBf16F16AndTf32() throws IOException {
        assertWmma(Path.of("target/classes/cuda/conv.ptx"));
    }

    private static void assertWmma(Path ptx) throws IOException {
        assumeTrue(Files.exists(ptx), "no PTX was built (nvcc was not on the PATH at build time)");
        String text = Files.readString(ptx);
        for (String instruction : new String[] {"wmma.mma.sync.aligned.row.row.m16n16k16.f32.bf16.bf16.f32",
            "wmma.mma.sync.aligned.row.row.m16n16k16.f32.f32", "wmma.mma.sync.aligned.row.row.m16n16k8.f32.tf32.tf32.f32",
            "wmma.load.a.sync.aligned.row.m16n16k16", "wmma.store.d.sync.aligned.row.m16n16k16"}) {
            assertTrue(text.contains(instruction), ptx + " lacks " + instruction);
        }
    }
}
