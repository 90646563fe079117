package org.ddrl.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.ddrl.kernels.cpu.HostMemory;
import org.ddrl.tensor.reference.RefTensor;
import org.ddrl.tensor.reference.Reference;
import org.ddrl.tensor.testing.OpCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** MATMUL against the reference: sizes across every micro-tile edge, every layout, broadcasting, 1-d operands, dtypes. */
class MatmulOpsTest {
    private final Random rnd = new Random(5);

    /**
     * Tolerance factor for a k-term sum stored in dt. An F32 sum of k random-sign terms carries rounding
     * error that grows like sqrt(k) relative to its result; F64 stays far below its tolerance, and BF16/F16
     * results are dominated by the one final rounding, which the base tolerance already covers.
     */
    private static double scale(DType dt, int k) {
        return dt == DType.F32 ? Math.max(1, Math.sqrt(k) / 2) : 1;
    }

    private void check(DType dt, int[] xs, int[] ys) {
        check(dt, dt, xs, ys);
    }

    private void check(DType dx, DType dy, int[] xs, int[] ys) {
        Tensor x = OpCheck.random(rnd, dx, xs), y = OpCheck.random(rnd, dy, ys);
        OpCheck.checkLayouts(scale(DType.promote(dx, dy), xs[xs.length - 1]), Op.MATMUL, Attrs.NONE, x, y);
    }

    @Test
    void oddSizesF32() {
        int[] sizes = {1, 3, 17, 33, 65, 129};
        for (int m : sizes) {
            for (int n : sizes) {
                for (int k : new int[] {1, 17, 129}) check(DType.F32, new int[] {m, k}, new int[] {k, n});
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void raggedLargeSizes(DType dt) {
        check(dt, new int[] {97, 211}, new int[] {211, 131});
        check(dt, new int[] {300, 70}, new int[] {70, 257});
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void everyDtype(DType dt) {
        check(dt, new int[] {17, 33}, new int[] {33, 15});
        check(dt, new int[] {3, 17, 33}, new int[] {33, 5});
        check(dt, new int[] {33}, new int[] {33, 3});
        check(dt, new int[] {2, 1, 5, 7}, new int[] {3, 7, 4});
    }

    @Test
    void mixedDtypesPromote() {
        check(DType.F32, DType.F64, new int[] {7, 17}, new int[] {17, 9});
        check(DType.BF16, DType.F32, new int[] {7, 17}, new int[] {17, 9});
        check(DType.F16, DType.BF16, new int[] {7, 17}, new int[] {17, 9});
        check(DType.I32, DType.I64, new int[] {7, 17}, new int[] {17, 9});
        check(DType.I64, DType.F32, new int[] {7, 17}, new int[] {17, 9});
        check(DType.BOOL, DType.I32, new int[] {7, 17}, new int[] {17, 9});
        assertEquals(DType.F32, Tensor.zeros(DType.F16, 2, 3).matmul(Tensor.zeros(DType.BF16, 3, 2)).dtype());
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64", "I64"})
    void broadcastBatchDims(DType dt) {
        check(dt, new int[] {2, 1, 5, 7}, new int[] {3, 7, 6});
        check(dt, new int[] {4, 17, 33}, new int[] {33, 9});
        check(dt, new int[] {17, 33}, new int[] {3, 33, 9});
        check(dt, new int[] {2, 3, 1, 4, 5}, new int[] {1, 6, 5, 3});
        Tensor r = Tensor.zeros(dt, 2, 1, 5, 7).matmul(Tensor.zeros(dt, 3, 7, 6));
        assertArrayEquals(new int[] {2, 3, 5, 6}, r.shape());
    }

    @Test
    void manySmallProductsRunAcrossTheBatch() {
        // Attention-shaped: more batches than threads, each product small.
        check(DType.F32, new int[] {16, 40, 24}, new int[] {16, 24, 50});
        check(DType.F64, new int[] {16, 40, 24}, new int[] {16, 24, 50});
        check(DType.F32, new int[] {3, 70, 60}, new int[] {3, 60, 80});
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64", "BF16", "I32"})
    void oneDimensionalOperands(DType dt) {
        check(dt, new int[] {33}, new int[] {33});
        check(dt, new int[] {1}, new int[] {1});
        check(dt, new int[] {17}, new int[] {17, 5});
        check(dt, new int[] {5, 17}, new int[] {17});
        check(dt, new int[] {17}, new int[] {2, 17, 5});
        check(dt, new int[] {2, 3, 5, 17}, new int[] {17});
        assertArrayEquals(new int[0], Tensor.zeros(dt, 4).matmul(Tensor.zeros(dt, 4)).shape());
        assertArrayEquals(new int[] {2, 5}, Tensor.zeros(dt, 17).matmul(Tensor.zeros(dt, 2, 17, 5)).shape());
        assertArrayEquals(new int[] {2, 3, 5}, Tensor.zeros(dt, 2, 3, 5, 17).matmul(Tensor.zeros(dt, 17)).shape());
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "I64"})
    void emptyDims(DType dt) {
        check(dt, new int[] {3, 0}, new int[] {0, 4});
        check(dt, new int[] {0, 5}, new int[] {5, 3});
        check(dt, new int[] {2, 0, 3, 5}, new int[] {5, 4});
        check(dt, new int[] {0}, new int[] {0});
    }

    @Test
    void knownValues() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = Tensor.of(new float[] {7, 8, 9, 10, 11, 12}, 3, 2);
        assertArrayEquals(new float[] {58, 64, 139, 154}, a.matmul(b).toFloatArray());
        assertArrayEquals(new float[] {58, 64, 139, 154}, a.matmul(b.t().contiguous().t()).toFloatArray());
        assertEquals(32L, Tensor.of(new long[] {1, 2, 3}).matmul(Tensor.of(new long[] {4, 5, 6})).itemLong());
        assertArrayEquals(new boolean[] {true, false},
                Tensor.of(new boolean[] {true, false, false, false}, 2, 2).matmul(Tensor.of(new boolean[] {true, true})).toBooleanArray());
    }

    @Test
    void nanInBReachesCThroughZerosInA() {
        Tensor a = Tensor.zeros(4, 3);
        Tensor b = Tensor.of(new float[] {1, Float.NaN, 2, 3, 4, 5}, 3, 2);
        float[] c = a.matmul(b).toFloatArray();
        for (int i = 0; i < 4; i++) {
            assertEquals(0f, c[2 * i], "C[" + i + ", 0]");
            assertTrue(Float.isNaN(c[2 * i + 1]), "C[" + i + ", 1] = " + c[2 * i + 1]);
        }
    }

    @Test
    void transposedF32ViewsAreNotCopied() {
        Tensor x = OpCheck.random(rnd, DType.F32, 64, 96);
        Tensor w = OpCheck.random(rnd, DType.F32, 80, 96);
        Tensor wt = w.t();
        long before = HostMemory.allocatedBytes();
        HostMemory.resetPeak();
        Tensor y = x.matmul(wt);
        long grew = HostMemory.peakBytes() - before;
        assertTrue(grew <= 64L * 80 * 4, "only the output may be allocated, but " + grew + " bytes were");
        OpCheck.assertClose("x w^T", Reference.eval(Op.MATMUL, Attrs.NONE, RefTensor.of(x), RefTensor.of(wt)), y, scale(DType.F32, 96));
    }

    @Test
    void linearWithoutBias() {
        Tensor x = OpCheck.random(rnd, DType.F32, 5, 7, 33);
        Tensor w = OpCheck.random(rnd, DType.F32, 17, 33);
        Tensor y = Functional.linear(x, w, null);
        assertArrayEquals(new int[] {5, 7, 17}, y.shape());
        OpCheck.assertClose("linear", Reference.eval(Op.MATMUL, Attrs.NONE, RefTensor.of(x), RefTensor.of(w.t())), y, scale(DType.F32, 33));
    }

    @Test
    void linearWithBias() {
        assumeTrue(Backends.of(Device.CPU).kernel(Op.ADD) != null, "needs the ADD kernel (ElementwiseKernels)");
        Tensor x = OpCheck.random(rnd, DType.F32, 5, 7, 33);
        Tensor w = OpCheck.random(rnd, DType.F32, 17, 33);
        Tensor b = OpCheck.random(rnd, DType.F32, 17);
        Tensor y = Functional.linear(x, w, b);
        RefTensor xw = Reference.eval(Op.MATMUL, Attrs.NONE, RefTensor.of(x), RefTensor.of(w.t()));
        double[] bias = b.toDoubleArray();
        double[] want = xw.data().clone();
        for (int i = 0; i < want.length; i++) want[i] = (float) (want[i] + bias[i % 17]);
        OpCheck.assertClose("linear with bias", new RefTensor(want, xw.shape(), DType.F32), y, scale(DType.F32, 33));
    }

    @Test
    void errorsNameTheOpAndShapes() {
        var e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).matmul(Tensor.zeros(4, 5)));
        assertTrue(e.getMessage().contains("matmul") && e.getMessage().contains("[2, 3]") && e.getMessage().contains("[4, 5]")
                && e.getMessage().contains("3 vs 4"), e.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> Tensor.scalar(2).matmul(Tensor.zeros(3)));
        assertTrue(e2.getMessage().contains("matmul") && e2.getMessage().contains("f32[]"), e2.getMessage());
        var e3 = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(3).matmul(Tensor.scalar(2)));
        assertTrue(e3.getMessage().contains("matmul"), e3.getMessage());
        var e4 = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 4, 3).matmul(Tensor.zeros(3, 3, 5)));
        assertTrue(e4.getMessage().contains("matmul") && e4.getMessage().contains("[2, 4, 3]") && e4.getMessage().contains("[3, 3, 5]")
                && e4.getMessage().contains("2 vs 3"), e4.getMessage());
        var e5 = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(4).matmul(Tensor.zeros(5)));
        assertTrue(e5.getMessage().contains("[4]") && e5.getMessage().contains("[5]"), e5.getMessage());
    }
}
