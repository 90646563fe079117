package org.ddrl.tensor.cpu;

import java.util.Map;
import org.ddrl.tensor.Kernel;
import org.ddrl.tensor.Op;

final class ElementwiseKernels {
    private ElementwiseKernels() {}

    static void register(Map<Op, Kernel> k) {
    }
}
