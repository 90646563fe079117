package org.ddrl.tensor.cuda;

import org.ddrl.kernels.cuda.emu.EmulatedCudaDevice;
import org.ddrl.kernels.cuda.emu.EmulatorAvailability;
import org.ddrl.tensor.Backend;
import org.ddrl.tensor.BackendProvider;
import org.ddrl.tensor.Device;

/**
 * {@code cuda-emu:N}: the CUDA kernels compiled for the host and run by the emulator. Each index is its own
 * emulated device (own memory and streams) with the strict and poison settings of the system properties.
 */
public final class CudaEmulatorProvider implements BackendProvider {
    @Override
    public Device.Kind kind() {
        return Device.Kind.CUDA_EMU;
    }

    @Override
    public boolean available() {
        return EmulatorAvailability.isAvailable();
    }

    @Override
    public String unavailableReason() {
        return available() ? "" : "the CUDA emulator cannot run here: " + EmulatorAvailability.unavailableReason();
    }

    @Override
    public Backend create(int index) {
        return new CudaBackend(new Device(Device.Kind.CUDA_EMU, index), EmulatedCudaDevice.open());
    }
}
