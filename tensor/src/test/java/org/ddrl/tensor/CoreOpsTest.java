package org.ddrl.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.ddrl.tensor.testing.OpCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Creation, views, contiguous and cast against the reference, for every dtype. */
class CoreOpsTest {
    private final Random rnd = new Random(7);

    @ParameterizedTest
    @EnumSource(DType.class)
    void creation(DType dt) {
        OpCheck.check(Op.FULL, Attrs.of("shape", new int[] {3, 17}, "dtype", dt, "value", 1.0, "device", Device.CPU));
        OpCheck.check(Op.FULL, Attrs.of("shape", new int[] {0, 4}, "dtype", dt, "value", 0.0, "device", Device.CPU));
        OpCheck.check(Op.EYE, Attrs.of("n", 3, "m", 5, "dtype", dt, "device", Device.CPU));
        if (dt != DType.BOOL) {
            OpCheck.check(Op.FULL, Attrs.of("shape", new int[] {33}, "dtype", dt, "value", -3.0, "device", Device.CPU));
            OpCheck.check(Op.ARANGE, Attrs.of("start", 2.0, "step", 3.0, "n", 17, "dtype", dt, "device", Device.CPU));
        }
        if (dt.isFloatingPoint()) {
            OpCheck.check(Op.LINSPACE, Attrs.of("start", -1.0, "end", 2.0, "n", 33, "dtype", dt, "device", Device.CPU));
        }
    }

    @Test
    void creationApi() {
        assertArrayEquals(new long[] {0, 1, 2, 3, 4}, Tensor.arange(5).toLongArray());
        assertArrayEquals(new double[] {1, 1.5, 2}, Tensor.linspace(1, 2, 3).toDoubleArray(), 0);
        assertArrayEquals(new float[] {1, 0, 0, 1}, Tensor.eye(2).toFloatArray());
        assertEquals(10.0, Tensor.full(2.5, DType.F64, 2, 2).sum().item(), 1e-12);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void viewsMatchReference(DType dt) {
        Tensor x = OpCheck.random(rnd, dt, 3, 4, 5);
        for (String layout : new String[] {"dense", "transposed", "strided", "offset"}) {
            Tensor t = layout.equals("dense") ? x : OpCheck.relayout(x, layout);
            OpCheck.check(Op.PERMUTE, Attrs.of("dims", new int[] {2, 0, 1}), t);
            OpCheck.check(Op.SLICE, Attrs.of("dim", 2, "start", 1L, "end", 5L, "step", 2L), t);
            OpCheck.check(Op.SLICE, Attrs.of("dim", -1, "start", -4L, "end", 100L, "step", 3L), t);
            OpCheck.check(Op.SELECT, Attrs.of("dim", 1, "index", -1L), t);
            OpCheck.check(Op.UNSQUEEZE, Attrs.of("dim", 3), t);
            OpCheck.check(Op.EXPAND, Attrs.of("shape", new int[] {2, 3, 4, 5}), t);
            OpCheck.check(Op.CONTIGUOUS, Attrs.NONE, t);
            for (DType to : DType.values()) OpCheck.check(Op.CAST, Attrs.of("dtype", to), t);
        }
        Tensor y = OpCheck.random(rnd, dt, 1, 3, 1, 7);
        OpCheck.check(Op.SQUEEZE, Attrs.of("dims", new int[0]), y);
        OpCheck.check(Op.SQUEEZE, Attrs.of("dims", new int[] {2}), y);
        OpCheck.check(Op.VIEW, Attrs.of("shape", new int[] {21}), y);
        OpCheck.check(Op.EXPAND, Attrs.of("shape", new int[] {4, 3, 6, 7}), y);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void assignWritesIntoViews(DType dt) {
        Tensor src = OpCheck.random(rnd, DType.F64, 5, 1);
        for (String layout : new String[] {"transposed", "strided", "offset"}) {
            Tensor dst = OpCheck.relayout(OpCheck.random(rnd, dt, 3, 5, 7), layout);
            int version = dst.storage().version();
            OpCheck.check(Op.ASSIGN, Attrs.NONE, dst, src);
            assertEquals(version + 1, dst.storage().version(), "in-place writes bump the storage version");
        }
        Tensor x = Tensor.zeros(DType.F32, Device.CPU, 4, 6);
        x.slice(1, 1, 6, 2).fill(3);
        assertArrayEquals(new float[] {0, 3, 0, 3, 0, 3}, x.select(0, 2).toFloatArray());
        Tensor y = Tensor.arange(0, 6, 1, DType.F32, Device.CPU);
        y.slice(0, 1, 6).copyFrom(y.slice(0, 0, 5)); // overlapping source: copied first, no smearing
        assertArrayEquals(new float[] {0, 0, 1, 2, 3, 4}, y.toFloatArray());
        var e = assertThrows(IllegalArgumentException.class, () -> x.copyFrom(Tensor.zeros(5)));
        assertTrue(e.getMessage().contains("[5]") && e.getMessage().contains("[4, 6]"), e.getMessage());
    }

    @Test
    void viewsShareStorage() {
        Tensor x = Tensor.arange(0, 24, 1, DType.F32, Device.CPU).view(2, 3, 4);
        assertSame(x.storage(), x.permute(2, 0, 1).storage());
        assertSame(x.storage(), x.slice(1, 0, 3, 2).storage());
        assertSame(x.storage(), x.select(0, 1).storage());
        assertSame(x.storage(), x.reshape(6, 4).storage());
        assertSame(x.storage(), x.transpose(0, 2).unsqueeze(0).storage());
        assertTrue(x.transpose(1, 2).reshape(2, 12).storage() != x.storage(), "reshape of a transposed view must copy");
        assertArrayEquals(new float[] {0, 4, 8, 1, 5, 9}, x.select(0, 0).t().slice(0, 0, 2).contiguous().toFloatArray());
    }

    @Test
    void viewErrorsAreClear() {
        Tensor x = Tensor.zeros(2, 3, 4);
        var e = assertThrows(IllegalArgumentException.class, () -> x.transpose(0, 2).view(24));
        assertTrue(e.getMessage().contains("view") && e.getMessage().contains("[4, 3, 2]"), e.getMessage());
        var e2 = assertThrows(IndexOutOfBoundsException.class, () -> x.select(1, 3));
        assertTrue(e2.getMessage().contains("index 3") && e2.getMessage().contains("size 3"), e2.getMessage());
        var e3 = assertThrows(IllegalArgumentException.class, () -> x.expand(2, 5, 4));
        assertTrue(e3.getMessage().contains("[2, 3, 4]") && e3.getMessage().contains("[2, 5, 4]"), e3.getMessage());
        var e4 = assertThrows(IndexOutOfBoundsException.class, () -> x.permute(0, 1, 3));
        assertTrue(e4.getMessage().contains("permute"), e4.getMessage());
        var e5 = assertThrows(IllegalArgumentException.class, () -> x.view(5, 5));
        assertTrue(e5.getMessage().contains("24"), e5.getMessage());
    }

    @Test
    void arraysRoundTrip() {
        float[] f = {1, 2, 3, 4, 5, 6};
        assertArrayEquals(f, Tensor.of(f, 2, 3).toFloatArray());
        assertArrayEquals(new long[] {1, -2, Long.MAX_VALUE}, Tensor.of(new long[] {1, -2, Long.MAX_VALUE}).toLongArray());
        assertArrayEquals(new boolean[] {true, false}, Tensor.of(new boolean[] {true, false}).toBooleanArray());
        assertArrayEquals(new int[] {1, 2}, Tensor.of(new double[] {1.9, 2.2}).toIntArray());
        assertEquals(3.0, Tensor.of(new double[] {3}).item());
        var e = assertThrows(IllegalArgumentException.class, () -> Tensor.of(f, 4, 2));
        assertTrue(e.getMessage().contains("6 values") && e.getMessage().contains("[4, 2]"), e.getMessage());
    }

    @Test
    void bf16AndF16RoundToNearestEven() {
        // 1 + 2^-8 is halfway between two bf16 values: ties go to even (1.0); just above rounds up.
        // F16 has 10 mantissa bits, so it holds 1 + 2^-8 exactly and flushes 1e-8 (below half its
        // smallest subnormal) to zero.
        float[] v = {1f + 0x1p-8f, 1f + 0x1p-8f + 0x1p-20f, 65504f, 1e-8f};
        assertArrayEquals(new float[] {1f, 1f + 0x1p-7f, 65536f, 1e-8f}, Tensor.of(v).to(DType.BF16).toFloatArray(), 1e-10f);
        assertArrayEquals(new float[] {1f + 0x1p-8f, 1f + 0x1p-8f, 65504f, 0f}, Tensor.of(v).to(DType.F16).toFloatArray(), 1e-10f);
    }
}
