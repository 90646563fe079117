package org.ddrl.kernels.cuda.jcuda;

import org.ddrl.kernels.cuda.driver.DriverCudaDevice;
import org.ddrl.kernels.cuda.driver.DriverDeviceContract;

/** The device contract through JCuda's driver binding; skipped without a GPU. */
class JCudaDeviceGpuTest extends DriverDeviceContract {
    @Override
    protected DriverCudaDevice open(int ordinal) {
        DriverCudaDevice device = JCudaDevice.open(ordinal);
        if (!device.implementation().equals("driver (JCuda)")) throw new AssertionError(device.implementation());
        return device;
    }
}
