package org.ddrl.bench;

import org.ddrl.kernels.cuda.CudaDevices;
import org.ddrl.kernels.cuda.emu.EmulatorAvailability;
import org.ddrl.tensor.Backends;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.cuda.CudaBackend;

/**
 * The device of the GPU benchmarks, from their {@code device} parameter: {@code cuda} (the default; a real
 * GPU) or {@code cuda-emu}, which only checks that a benchmark runs (the emulator's timings mean nothing).
 */
final class GpuDevice {
    private GpuDevice() {}

    static CudaBackend open(String name) {
        Device d = Device.parse(name);
        if (d.kind() == Device.Kind.CPU) throw new IllegalArgumentException("GPU benchmarks: device " + name + " is not a CUDA device");
        if (!Backends.available(d.kind())) {
            String why = d.kind() == Device.Kind.CUDA ? CudaDevices.unavailableReason() : EmulatorAvailability.unavailableReason();
            throw new IllegalStateException("GPU benchmarks: device " + name + " is not available (" + why
                    + "); bench/scripts/gpu_bench.sh skips them where there is no GPU");
        }
        return (CudaBackend) Backends.of(d);
    }
}
