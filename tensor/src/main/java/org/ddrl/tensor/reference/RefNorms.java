package org.ddrl.tensor.reference;

import java.util.Map;
import org.ddrl.tensor.Op;

final class RefNorms {
    private RefNorms() {}

    static void register(Map<Op, Reference.RefKernel> k) {
    }
}
