package org.ddrl.kernels.cuda.driver;

import org.ddrl.kernels.cuda.ModuleSource;

/** Turns a module's CUDA C++ source into PTX for one device at run time (NVRTC in practice). */
@FunctionalInterface
public interface ModuleCompiler {
    /** The PTX and a description of how it was made, for messages ("NVRTC 13.0, compute_90, from the cache"). */
    record Compiled(String ptx, String origin) {
    }

    /**
     * @param computeCapability major * 10 + minor of the device the PTX is for
     * @param driverVersion     cuDriverGetVersion's value; the compiler must not emit PTX newer than the driver takes
     * @throws org.ddrl.kernels.cuda.CudaException when the source does not compile (with the compiler's log) or no
     *                                             compiler can be loaded (with what was searched)
     */
    Compiled compile(ModuleSource source, int computeCapability, int driverVersion);
}
