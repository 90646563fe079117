package org.ddrl.tensor.cpu;

import java.util.Map;
import org.ddrl.tensor.Kernel;
import org.ddrl.tensor.Op;

/** Registers the fused forward chains of transformer blocks and their gradients (PerSampleKernels, BiasGeluKernels). */
final class FusedForwardKernels {
    private FusedForwardKernels() {}

    static void register(Map<Op, Kernel> k) {
        PerSampleKernels.register(k);
        BiasGeluKernels.register(k);
    }
}
