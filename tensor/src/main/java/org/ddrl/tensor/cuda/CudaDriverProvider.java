package org.ddrl.tensor.cuda;

import org.ddrl.kernels.cuda.CudaDevices;
import org.ddrl.tensor.Backend;
import org.ddrl.tensor.BackendProvider;
import org.ddrl.tensor.Device;

/** {@code cuda:N}: a GPU through the CUDA driver API (the binding {@link CudaDevices} picks). */
public final class CudaDriverProvider implements BackendProvider {
    @Override
    public Device.Kind kind() {
        return Device.Kind.CUDA;
    }

    @Override
    public boolean available() {
        return CudaDevices.available();
    }

    @Override
    public String unavailableReason() {
        return available() ? "" : "no usable GPU: " + CudaDevices.unavailableReason();
    }

    @Override
    public Backend create(int index) {
        return new CudaBackend(Device.cuda(index), CudaDevices.open(index));
    }
}
