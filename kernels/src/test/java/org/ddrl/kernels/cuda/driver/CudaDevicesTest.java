package org.ddrl.kernels.cuda.driver;

import org.ddrl.kernels.cuda.CudaDevice;
import org.ddrl.kernels.cuda.CudaDevices;
import org.ddrl.kernels.cuda.CudaException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The answer to "is there a GPU", on machines with and without one. */
class CudaDevicesTest {
    @Test
    void availabilityComesWithAReasonOrADevice() {
        if (CudaDevices.available()) {
            assertEquals("", CudaDevices.unavailableReason());
            assertTrue(CudaDevices.deviceCount() > 0);
            try (CudaDevice d = CudaDevices.open(0)) {
                assertTrue(d.implementation().startsWith("driver ("), d.implementation());
            }
        } else {
            String reason = CudaDevices.unavailableReason();
            assertFalse(reason.isBlank());
            assertEquals(0, CudaDevices.deviceCount());
            CudaException e = assertThrows(CudaException.class, () -> CudaDevices.open(0));
            assertFalse(e.getMessage().isBlank());
        }
    }

    @Test
    void withoutADriverTheReasonSaysWhatWasSearchedAndWhatToInstall() {
        try {
            CudaDriver.get();
        } catch (CudaException e) {
            if (e.getMessage().startsWith("The CUDA driver library")) {
                assertTrue(e.getMessage().contains("libcuda.so.1: not found"), e.getMessage());
                assertTrue(e.getMessage().contains("install the NVIDIA driver for your GPU"), e.getMessage());
                assertEquals(e.getMessage(), assertThrows(CudaException.class, CudaDriver::get).getMessage(), "the failure is remembered");
                assertEquals(e.getMessage(), CudaDevices.unavailableReason());
            }
            return;
        }
        assertTrue(CudaDevices.available() || CudaDevices.unavailableReason().contains("no GPU"), CudaDevices.unavailableReason());
    }

    @Test
    void bindingComesFromTheSystemProperty() {
        String before = System.getProperty(CudaDevices.BINDING_PROPERTY);
        try {
            System.clearProperty(CudaDevices.BINDING_PROPERTY);
            assertEquals("ffm", CudaDevices.binding());
            System.setProperty(CudaDevices.BINDING_PROPERTY, " JCuda ");
            assertEquals("jcuda", CudaDevices.binding());
            System.setProperty(CudaDevices.BINDING_PROPERTY, "jni");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, CudaDevices::binding);
            assertEquals("-Dddrl.cuda.binding=jni: the CUDA binding is ffm (the default) or jcuda", e.getMessage());
        } finally {
            if (before == null) System.clearProperty(CudaDevices.BINDING_PROPERTY);
            else System.setProperty(CudaDevices.BINDING_PROPERTY, before);
        }
    }
}
