package org.ddrl.kernels.cuda.driver;

import org.ddrl.kernels.cuda.CudaEvent;
import org.ddrl.kernels.cuda.CudaFunction;
import org.ddrl.kernels.cuda.CudaModule;
import org.ddrl.kernels.cuda.CudaStream;

import java.util.List;

/**
 * The handles a {@link DriverCudaDevice} gives out. Each remembers its device, so that passing a handle to
 * another device is an error with a message rather than a driver fault.
 */
public final class DriverHandles {
    private DriverHandles() {
    }

    /** A CUstream; handle 0 is the legacy default stream. */
    public record Stream(DriverCudaDevice owner, long handle) implements CudaStream {
        @Override
        public String toString() {
            return handle == 0 ? "default stream" : String.format("stream 0x%x", handle);
        }
    }

    public record Event(DriverCudaDevice owner, long handle) implements CudaEvent {
        @Override
        public String toString() {
            return String.format("event 0x%x", handle);
        }
    }

    /**
     * A loaded CUmodule.
     *
     * @param origin where its PTX came from, e.g. "PTX from the jar (sm_80, ISA 9.0)" or "NVRTC 13.0, compute_90"
     */
    public record Module(DriverCudaDevice owner, long handle, String name, String origin, PtxInfo ptx) implements CudaModule {
        @Override
        public String toString() {
            return "module " + name + " (" + origin + ")";
        }
    }

    /** A CUfunction with its parameter sizes from the PTX (empty when unknown). */
    public record Function(DriverCudaDevice owner, long handle, Module module, String name, List<Integer> paramSizes) implements CudaFunction {
        @Override
        public String toString() {
            return "kernel " + name + " of module " + module.name();
        }
    }
}
