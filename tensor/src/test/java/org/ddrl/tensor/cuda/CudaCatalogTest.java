package org.ddrl.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Op;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Walks the op catalog: every op has a CUDA kernel (view ops are shared metadata). Registration needs no
 * device, so this runs everywhere, on a backend over a fake device.
 */
@Tag("cuda-catalog")
class CudaCatalogTest {
    @Test
    void everyOpHasACudaKernel() {
        try (FakeCudaDevice dev = new FakeCudaDevice(1024)) {
            CudaBackend backend = new CudaBackend(new Device(Device.Kind.CUDA_EMU, 0), dev);
            List<String> missing = new ArrayList<>();
            for (Op op : Op.values()) {
                if (op.kind() != Op.Kind.VIEW && backend.kernel(op) == null) missing.add(op.opName());
            }
            assertTrue(missing.isEmpty(), "ops without a CUDA kernel: " + missing);
        }
    }
}
