package org.ddrl.kernels.cuda.driver;

/** The device contract through the FFM binding; skipped without a GPU. */
class FfmDeviceGpuTest extends DriverDeviceContract {
    @Override
    protected DriverCudaDevice open(int ordinal) {
        DriverCudaDevice device = DriverCudaDevice.open(ordinal);
        if (!device.implementation().equals("driver (FFM)")) throw new AssertionError(device.implementation());
        return device;
    }
}
