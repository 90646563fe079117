package org.ddrl.kernels.cuda.jcuda;

import jcuda.driver.CUdeviceptr;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Handle conversions for JCuda; they touch only JCuda's Java classes, so they run without a GPU or natives. */
class JCudaPointersTest {
    @Test
    void rawValuesSurviveTheTripThroughJCudaObjects() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(64);
            assertEquals(s.address(), JCudaPointers.value(JCudaPointers.host(s)));
        }
        CUdeviceptr p = JCudaPointers.devicePtr(0x7f12_3456_7800L);
        assertEquals(0x7f12_3456_7800L, JCudaPointers.value(p));
        assertEquals(0x5678L, JCudaPointers.value(JCudaPointers.stream(0x5678L)));
        assertEquals(0L, JCudaPointers.value(JCudaPointers.stream(0)));
        assertEquals(3L, JCudaPointers.value(JCudaPointers.cuDevice(3)));
        assertEquals(0xABCL, JCudaPointers.value(JCudaPointers.function(0xABCL)));
        assertEquals(0xDEFL, JCudaPointers.value(JCudaPointers.module(0xDEFL)));
        assertEquals(0x123L, JCudaPointers.value(JCudaPointers.event(0x123L)));
        assertEquals(0x456L, JCudaPointers.value(JCudaPointers.context(0x456L)));
    }

    @Test
    void aDevicePointerPrintsItsAddressAsJCudaWould() {
        assertEquals("CUdeviceptr[nativePointer=0x1000,byteOffset=0]", JCudaPointers.devicePtr(0x1000).toString());
    }
}
