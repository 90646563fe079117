package org.ddrl.tensor.cuda;

import java.util.ArrayList;
import java.util.List;
import org.ddrl.tensor.Backends;
import org.ddrl.tensor.Device;

/** The CUDA-kind devices tests can use here: the emulator where it builds, a real GPU where there is one. */
final class CudaDevices {
    private CudaDevices() {}

    static List<Device> available() {
        List<Device> out = new ArrayList<>();
        for (Device.Kind k : new Device.Kind[] {Device.Kind.CUDA_EMU, Device.Kind.CUDA}) {
            if (Backends.available(k)) out.add(new Device(k, 0));
        }
        return out;
    }

    /** Why no device is available, for skip messages. */
    static String whyNone() {
        return "no CUDA-kind device is available: " + new CudaEmulatorProvider().unavailableReason() + "; "
                + new CudaDriverProvider().unavailableReason();
    }
}
