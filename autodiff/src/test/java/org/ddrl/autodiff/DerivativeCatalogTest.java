package org.ddrl.autodiff;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.check.OpSamples;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Walks the catalog: every differentiable op has a rule, and every rule passes gradcheck in F64. */
class DerivativeCatalogTest {
    static Stream<Op> differentiableOps() {
        return Stream.of(Op.values()).filter(Op::differentiable);
    }

    @Test
    void everyDifferentiableOpHasARule() {
        List<String> missing = new ArrayList<>();
        for (Op op : Op.values()) if (op.differentiable() && !Derivatives.has(op)) missing.add(op.opName());
        assertTrue(missing.isEmpty(), "differentiable ops without a derivative rule: " + missing);
    }

    @ParameterizedTest
    @MethodSource("differentiableOps")
    void gradcheck(Op op) {
        for (long seed = 1; seed <= 2; seed++) {
            OpSamples.Sample s = OpSamples.sample(op, new Random(seed), DType.F64);
            GradCheck.check(op.opName() + " seed " + seed, op, s.attrs(), s.inputs(), seed, 24);
        }
    }
}
