package org.ddrl.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.ddrl.kernels.cuda.emu.EmulatedCudaDevice;
import org.ddrl.tensor.Backends;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Scope;
import org.ddrl.tensor.Storage;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.testing.OpCheck;
import org.junit.jupiter.api.Test;

/** Moving tensors between devices, device mismatches, and the backend's memory on a real or emulated device. */
class CudaDeviceTest {
    private final Random rnd = new Random(17);

    @Test
    void toDeviceAndBackKeepsEveryDtypeExactly() {
        for (Device dev : DeviceCheck.devices()) {
            for (DType dt : DType.values()) {
                Tensor cpu = OpCheck.random(rnd, dt, -100.0, 100.0, 3, 17, 5);
                Tensor there = cpu.to(dev);
                assertEquals(dev, there.device());
                assertSame(there, there.to(dev));
                assertArrayEquals(cpu.toDoubleArray(), there.to(Device.CPU).toDoubleArray(), dt.toString());
                // a non-contiguous device view comes back in its own element order
                assertArrayEquals(cpu.transpose(0, 2).contiguous().toDoubleArray(), there.transpose(0, 2).toDoubleArray(), dt.toString());
            }
            Tensor scalar = Tensor.scalar(2.5, DType.F64, dev);
            assertEquals(2.5, scalar.item());
            assertEquals(0, Tensor.zeros(DType.F32, dev, 0, 4).toFloatArray().length);
        }
    }

    @Test
    void tensorsMoveBetweenTwoDevicesOfTheSameKind() {
        assumeTrue(Backends.available(Device.Kind.CUDA_EMU), CudaDevices::whyNone);
        Device a = new Device(Device.Kind.CUDA_EMU, 0), b = new Device(Device.Kind.CUDA_EMU, 1);
        Tensor x = OpCheck.random(rnd, DType.F32, -1.0, 1.0, 4, 6).to(a);
        Tensor y = x.to(b);
        assertEquals(b, y.device());
        assertArrayEquals(x.toFloatArray(), y.toFloatArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.add(y));
        assertTrue(e.getMessage().contains("cuda-emu:0") && e.getMessage().contains("cuda-emu:1"), e.getMessage());
    }

    @Test
    void mixingDevicesInOneOpNamesBothDevices() {
        for (Device dev : DeviceCheck.devices()) {
            Tensor host = Tensor.of(new float[] {1, 2, 3});
            Tensor there = host.to(dev);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> there.add(host));
            assertTrue(e.getMessage().contains("add: inputs are on different devices, " + dev + " and cpu"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> host.matmul(there));
            assertTrue(e.getMessage().contains("cpu and " + dev), e.getMessage());
        }
    }

    @Test
    void closingAScopeReturnsDeviceMemoryToTheCache() {
        // a device of its own, so that no other test's garbage is freed while this one counts bytes
        assumeTrue(Backends.available(Device.Kind.CUDA_EMU), CudaDevices::whyNone);
        Device dev = new Device(Device.Kind.CUDA_EMU, 2);
        CudaBackend backend = (CudaBackend) Backends.of(dev);
        Tensor kept;
        try (Scope outer = Scope.open()) {
            try (Scope inner = Scope.open()) {
                Tensor x = Tensor.ones(DType.F32, dev, 1000, 33);
                Tensor y = x.mul(x).add(x).sum(0);
                assertTrue(backend.memoryStats().allocated() >= 1000 * 33 * 4 * 3);
                kept = inner.keep(y);
            }
            assertEquals(CachingAllocator.sizeClass(33 * 4), backend.memoryStats().allocated(), "only the kept result is live");
            assertArrayEquals(new float[] {2000}, kept.slice(0, 0, 1).toFloatArray());
        }
        assertEquals(0, backend.memoryStats().allocated());
        assertTrue(backend.memoryStats().reserved() >= 1000 * 33 * 4 * 3, "the blocks stay cached");
        assertTrue(kept.storage().isReleased());
        backend.emptyCache();
        assertEquals(0, backend.memoryStats().reserved());
    }

    @Test
    void aCappedEmulatorPoolRetriesAfterEmptyingTheCacheThenReportsTheSizes() {
        assumeTrue(EmulatedCudaDevice.isAvailable(), CudaDevices::whyNone);
        try (EmulatedCudaDevice emu = EmulatedCudaDevice.open()) {
            CudaBackend backend = new CudaBackend(new Device(Device.Kind.CUDA_EMU, 9), emu, 64 * 1024);
            List<Storage> live = new ArrayList<>();
            try (Scope scope = Scope.open()) {
                for (int i = 0; i < 3; i++) live.add(backend.allocate(16 * 1024));
                live.remove(2).release(); // 48 KiB reserved, 16 KiB of it cached
                live.add(backend.allocate(30 * 1024)); // needs the cached 16 KiB back from the device
                assertEquals(new MemoryStats(62 * 1024, 62 * 1024, 62 * 1024), backend.memoryStats());
                CudaOutOfMemoryException e = assertThrows(CudaOutOfMemoryException.class, () -> backend.allocate(4096));
                assertTrue(e.getMessage().contains("tried to allocate 4096 bytes") && e.getMessage().contains("reserve limit 65536 bytes"),
                        e.getMessage());
            }
            assertEquals(0, backend.memoryStats().allocated());
            backend.emptyCache();
            assertEquals(0, backend.memoryStats().reserved());
        }
    }
}
