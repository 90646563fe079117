package org.ddrl.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.ddrl.tensor.testing.OpCheck;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class ScatterAndErfTest {
    private final Random rnd = new Random(3);

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64", "BF16", "F16", "I32", "I64"})
    void scatterAddMatchesReference(DType dt) {
        for (int dim = 0; dim < 3; dim++) {
            int[] base = {4, 5, 6};
            int[] idx = {3, 4, 5};
            int[] bound = base.clone();
            Tensor index = OpCheck.random(rnd, DType.I64, 0, bound[dim], idx);
            Tensor b = OpCheck.random(rnd, dt, base);
            Tensor src = OpCheck.random(rnd, dt, 5, 6, 7);
            OpCheck.check(Op.SCATTER_ADD, Attrs.of("dim", dim), b, index, src);
            OpCheck.check(Op.SCATTER_ADD, Attrs.of("dim", dim), OpCheck.relayout(b, "transposed"), OpCheck.relayout(index, "strided"),
                    OpCheck.relayout(src, "offset"));
        }
    }

    @Test
    void duplicateIndicesAccumulate() {
        Tensor out = Tensor.zeros(DType.F32, Device.CPU, 3).scatterAdd(0, Tensor.of(new long[] {1, 1, 2, 1}), Tensor.ones(DType.F32, Device.CPU, 4));
        assertArrayEquals(new float[] {0, 3, 1}, out.toFloatArray());
        var e = assertThrows(IndexOutOfBoundsException.class,
                () -> Tensor.zeros(DType.F32, Device.CPU, 3).scatterAdd(0, Tensor.of(new long[] {3}), Tensor.ones(DType.F32, Device.CPU, 1)));
        assertTrue(e.getMessage().contains("index value 3") && e.getMessage().contains("size 3"), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64", "BF16", "F16"})
    void erfMatchesReference(DType dt) {
        OpCheck.checkLayouts(1, Op.ERF, Attrs.NONE, OpCheck.random(rnd, dt, -5.0, 5.0, 17, 33));
    }
}
