package org.ddrl.tensor.cpu;

import java.util.Map;
import org.ddrl.tensor.Kernel;
import org.ddrl.tensor.Op;

final class ConvKernels {
    private ConvKernels() {}

    static void register(Map<Op, Kernel> k) {
    }
}
