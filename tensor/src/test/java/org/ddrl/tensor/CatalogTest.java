package org.ddrl.tensor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.ddrl.tensor.cpu.CpuBackend;
import org.ddrl.tensor.reference.Reference;
import org.junit.jupiter.api.Test;

/** Walks the op catalog: every op has a CPU kernel (view ops are shared metadata) and a reference. */
class CatalogTest {
    @Test
    void everyOpHasACpuKernel() {
        List<String> missing = new ArrayList<>();
        for (Op op : Op.values()) {
            if (op.kind() != Op.Kind.VIEW && CpuBackend.INSTANCE.kernel(op) == null) missing.add(op.opName());
        }
        assertTrue(missing.isEmpty(), "ops without a CPU kernel: " + missing);
    }

    @Test
    void everyOpHasAReference() {
        List<String> missing = new ArrayList<>();
        for (Op op : Op.values()) if (!Reference.has(op)) missing.add(op.opName());
        assertTrue(missing.isEmpty(), "ops without a reference implementation: " + missing);
    }
}
