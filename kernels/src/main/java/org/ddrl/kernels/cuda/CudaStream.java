package org.ddrl.kernels.cuda;

/** An opaque handle owned by the {@link CudaDevice} that created it. */
public interface CudaStream {
    /** The raw handle (a driver pointer, or an emulator id). */
    long handle();
}
