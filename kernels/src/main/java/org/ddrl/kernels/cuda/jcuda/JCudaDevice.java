package org.ddrl.kernels.cuda.jcuda;

import org.ddrl.kernels.cuda.driver.DriverCudaDevice;
import org.ddrl.kernels.cuda.nvrtc.NvrtcModuleCompiler;

/**
 * A GPU through JCuda's driver binding: the same device as {@link DriverCudaDevice} (same checks, same module
 * resolution, same messages), with JCuda making the driver calls. Only JCuda's driver API is used; NVRTC and
 * cuBLAS stay on FFM, because the published JCublas links libcublas.so.12 and cannot load on a CUDA 13 system.
 * Select it with {@code -Dddrl.cuda.binding=jcuda}.
 */
public final class JCudaDevice extends DriverCudaDevice {
    private JCudaDevice(JCudaDriverApi api, int ordinal) {
        super(api, ordinal, new NvrtcModuleCompiler());
    }

    public static JCudaDevice open(int ordinal) {
        return new JCudaDevice(JCudaDriverApi.get(), ordinal);
    }
}
