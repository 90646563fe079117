package org.ddrl.kernels.cuda.driver;

import org.ddrl.kernels.cuda.CudaException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CuResultTest {
    @Test
    void namesCodesAsCudaHDoes() {
        assertEquals("CUDA_SUCCESS", CuResult.name(0));
        assertEquals("CUDA_ERROR_INVALID_VALUE", CuResult.name(1));
        assertEquals("CUDA_ERROR_OUT_OF_MEMORY", CuResult.name(2));
        assertEquals("CUDA_ERROR_STUB_LIBRARY", CuResult.name(34));
        assertEquals("CUDA_ERROR_NO_DEVICE", CuResult.name(100));
        assertEquals("CUDA_ERROR_INVALID_PTX", CuResult.name(218));
        assertEquals("CUDA_ERROR_UNSUPPORTED_PTX_VERSION", CuResult.name(222));
        assertEquals("CUDA_ERROR_NOT_FOUND", CuResult.name(500));
        assertEquals("CUDA_ERROR_ILLEGAL_ADDRESS", CuResult.name(700));
        assertEquals("CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES", CuResult.name(701));
        assertEquals("CUDA_ERROR_LAUNCH_FAILED", CuResult.name(719));
        assertEquals("CUDA_ERROR_UNKNOWN", CuResult.name(999));
        assertEquals("CUDA_ERROR_12345", CuResult.name(12345));
    }

    @Test
    void hintsForWhatAUserCanFix() {
        assertTrue(CuResult.hint(34).contains("stub"));
        assertTrue(CuResult.hint(100).contains("nvidia-smi"));
        assertTrue(CuResult.hint(222).contains("update the driver"));
        assertNull(CuResult.hint(1));
    }

    @Test
    void exceptionNamesTheCallCodeNameDescriptionHintAndDetail() {
        CudaException e = CuResult.exception("cuInit", 34, "CUDA_ERROR_STUB_LIBRARY", "CUDA driver is a stub library", "");
        assertEquals(34, e.code());
        assertEquals("cuInit failed: CUDA_ERROR_STUB_LIBRARY (34): CUDA driver is a stub library (" + CuResult.hint(34) + ")", e.getMessage());
        CudaException jit = CuResult.exception("cuModuleLoadDataEx(m)", 218, "CUDA_ERROR_INVALID_PTX", "a PTX JIT compilation failed",
                "\nJIT error log:\nptxas fatal");
        assertTrue(jit.getMessage().endsWith("a PTX JIT compilation failed (" + CuResult.hint(218) + ")\nJIT error log:\nptxas fatal"));
    }
}
