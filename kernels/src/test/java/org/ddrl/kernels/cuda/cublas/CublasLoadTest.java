package org.ddrl.kernels.cuda.cublas;

import org.ddrl.kernels.cuda.CudaException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Loading cuBLAS needs no GPU: either it is found and reports its version, or the error says what was searched. */
class CublasLoadTest {
    @Test
    void loadsOrExplainsWhatWasSearched() {
        Cublas cublas;
        try {
            cublas = Cublas.get(0);
        } catch (CudaException e) {
            assertTrue(e.getMessage().startsWith("cuBLAS (libcublas.so.13 or libcublas.so.12) could not be loaded. Searched, in this order:\n"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("libcublas.so.13: not found; libcublas.so.12: not found"), e.getMessage());
            assertTrue(e.getMessage().contains("To fix: install cuBLAS: NVIDIA's package libcublas-13-0"), e.getMessage());
            return;
        }
        assertTrue(cublas.version().matches("1[23]\\.\\d+\\.\\d+"), cublas.version());
        assertTrue(cublas.location().contains("libcublas.so.1"), cublas.location());
    }

    @Test
    void statusNames() {
        assertEquals("CUBLAS_STATUS_SUCCESS", Cublas.statusName(0));
        assertEquals("CUBLAS_STATUS_INVALID_VALUE", Cublas.statusName(7));
        assertEquals("CUBLAS_STATUS_NOT_SUPPORTED", Cublas.statusName(15));
        assertEquals("CUBLAS_STATUS_99", Cublas.statusName(99));
    }
}
