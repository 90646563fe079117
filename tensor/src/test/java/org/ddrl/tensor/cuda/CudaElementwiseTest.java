package org.ddrl.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.testing.OpCheck;
import org.junit.jupiter.api.Test;

/**
 * Elementwise ops on CUDA devices against the reference: every dtype (integers and BOOL included), odd
 * sizes, broadcasting, 0-d operands, and transposed, strided and offset layouts made on the device.
 */
class CudaElementwiseTest {
    private final Random rnd = new Random(5);

    private Tensor rand(DType dt, double lo, double hi, int... shape) {
        Tensor t = OpCheck.random(rnd, dt, lo, hi, shape);
        return shape.length == 0 ? t.view() : t;
    }

    private static final Op[] FLOATING_UNARY = {Op.SQRT, Op.RSQRT, Op.EXP, Op.LOG, Op.SIN, Op.COS, Op.TANH, Op.SIGMOID,
        Op.GELU, Op.SILU, Op.SOFTPLUS, Op.ERF};

    @Test
    void floatingUnaryOpsOnEveryDtype() {
        for (Device dev : DeviceCheck.devices()) {
            for (Op op : FLOATING_UNARY) {
                boolean positive = op == Op.SQRT || op == Op.RSQRT || op == Op.LOG;
                Attrs a = op == Op.SOFTPLUS ? Attrs.of("beta", 2.0, "threshold", 3.0) : Attrs.NONE;
                for (DType dt : DType.values()) {
                    if (dt == DType.BOOL && positive) continue; // log(0) and 1/sqrt(0) are fine but not interesting
                    double lo = dt.isFloatingPoint() ? (positive ? 0.05 : -4) : (positive ? 1 : -10);
                    double hi = dt.isFloatingPoint() ? 4 : 10;
                    DeviceCheck.checkLayouts(dev, 1, op, a, rand(dt, lo, hi, 3, 17, 5));
                }
            }
            DeviceCheck.check(dev, 1, Op.GELU, Attrs.of("approximate", "tanh"), rand(DType.F32, -6, 6, 33));
            DeviceCheck.check(dev, 1, Op.GELU, Attrs.of("approximate", "tanh"), rand(DType.F64, -6, 6, 33));
            DeviceCheck.check(dev, 1, Op.EXP, Attrs.NONE, rand(DType.F32, -1, 1));
        }
    }

    @Test
    void integerKeepingUnaryOps() {
        for (Device dev : DeviceCheck.devices()) {
            for (DType dt : new DType[] {DType.F32, DType.F64, DType.BF16, DType.F16, DType.I32, DType.I64}) {
                for (Op op : new Op[] {Op.NEG, Op.ABS, Op.RELU}) DeviceCheck.checkLayouts(dev, 1, op, Attrs.NONE, rand(dt, -10, 10, 17, 3));
                DeviceCheck.checkLayouts(dev, 1, Op.CLAMP, Attrs.of("min", -2.0, "max", 3.0), rand(dt, -10, 10, 17, 3));
                DeviceCheck.check(dev, 1, Op.CLAMP, Attrs.of("min", Double.NaN, "max", 1.0), rand(dt, -10, 10, 33));
                DeviceCheck.check(dev, 1, Op.CLAMP, Attrs.of("min", -1.0, "max", Double.NaN), rand(dt, -10, 10, 33));
            }
            // a fractional bound turns an integer clamp into F32
            Tensor r = DeviceCheck.check(dev, 1, Op.CLAMP, Attrs.of("min", -1.5, "max", 2.5), rand(DType.I32, -10, 10, 33));
            assertEquals(DType.F32, r.dtype());
            // two's complement wrap of the most negative long
            Tensor m = Tensor.of(new long[] {Long.MIN_VALUE, -3, 5}).to(dev);
            assertEquals(Long.MIN_VALUE, m.neg().toLongArray()[0]);
            assertEquals(Long.MIN_VALUE, m.abs().toLongArray()[0]);
            assertEquals(3, m.abs().toLongArray()[1]);
        }
    }

    @Test
    void nanPassesThroughRelu_clampAndMaximum() {
        for (Device dev : DeviceCheck.devices()) {
            Tensor x = Tensor.of(new float[] {Float.NaN, -1, 2}).to(dev);
            assertTrue(Float.isNaN(x.relu().toFloatArray()[0]));
            assertTrue(Float.isNaN(x.clamp(0, 1).toFloatArray()[0]));
            assertTrue(Float.isNaN(x.maximum(Tensor.of(new float[] {0, 0, 0}).to(dev)).toFloatArray()[0]));
            assertTrue(Float.isNaN(Tensor.of(new float[] {0, 0, 0}).to(dev).minimum(x).toFloatArray()[0]));
        }
    }

    private static final Op[] BINARY = {Op.ADD, Op.SUB, Op.MUL, Op.DIV, Op.POW, Op.MAXIMUM, Op.MINIMUM, Op.EQ, Op.NE, Op.LT, Op.LE,
        Op.GT, Op.GE, Op.LOGICAL_AND, Op.LOGICAL_OR};
    private static final int[][][] BROADCAST_PAIRS = {{{3, 1, 5}, {4, 5}}, {{}, {17}}, {{17, 33}, {33}}, {{2, 1}, {1, 33}}};

    @Test
    void binaryOpsWithBroadcastingAndMixedDtypes() {
        DType[][] pairs = {{DType.F32, DType.F32}, {DType.F64, DType.F32}, {DType.BF16, DType.BF16}, {DType.F16, DType.BF16},
            {DType.I32, DType.I64}, {DType.I64, DType.F32}, {DType.BOOL, DType.I32}, {DType.F16, DType.I64}};
        for (Device dev : DeviceCheck.devices()) {
            for (Op op : BINARY) {
                for (DType[] p : pairs) {
                    if (op == Op.SUB && p[0] == DType.BOOL && p[1] == DType.BOOL) continue;
                    boolean pow = op == Op.POW;
                    double lo = pow ? 0.5 : -3, hi = pow ? 3 : 3;
                    for (int[][] s : BROADCAST_PAIRS) {
                        Tensor a = rand(p[0], lo, hi, s[0]), b = rand(p[1], pow && !p[1].isFloatingPoint() ? 0 : lo, hi, s[1]);
                        DeviceCheck.check(dev, 1, op, Attrs.NONE, a, b);
                    }
                }
                DeviceCheck.checkLayouts(dev, 1, op, Attrs.NONE, rand(DType.F32, 0.5, 3, 5, 7), rand(DType.F32, 0.5, 3, 5, 7));
            }
        }
    }

    @Test
    void integerPowIsExactAndRefusesNegativeExponents() {
        for (Device dev : DeviceCheck.devices()) {
            Tensor base = Tensor.of(new long[] {3, -2, 7, 0}).to(dev), exp = Tensor.of(new long[] {4, 5, 0, 3}).to(dev);
            assertEquals(java.util.Arrays.toString(new long[] {81, -32, 1, 0}), java.util.Arrays.toString(base.pow(exp).toLongArray()));
            assertEquals(Long.MIN_VALUE, Tensor.of(new long[] {2}).to(dev).pow(Tensor.of(new long[] {63}).to(dev)).toLongArray()[0]);
            Tensor bad = Tensor.of(new int[] {2, 1, -3, -1}, 2, 2).to(dev);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Tensor.of(new int[] {5, 6}, 1, 2).to(dev).pow(bad));
            assertTrue(e.getMessage().contains("negative power -3") && e.getMessage().contains("[1, 0]"), e.getMessage());
        }
    }

    @Test
    void whereAndMaskedFill() {
        for (Device dev : DeviceCheck.devices()) {
            for (DType[] p : new DType[][] {{DType.F32, DType.F64}, {DType.I32, DType.I64}, {DType.BF16, DType.BF16}, {DType.BOOL, DType.F16}}) {
                DeviceCheck.check(dev, 1, Op.WHERE, Attrs.NONE, rand(DType.BOOL, 0, 2, 3, 1, 17), rand(p[0], -4, 4, 5, 17),
                        rand(p[1], -4, 4, 17));
                DeviceCheck.checkLayouts(dev, 1, Op.WHERE, Attrs.NONE, rand(DType.BOOL, 0, 2, 4, 6), rand(p[0], -4, 4, 4, 6),
                        rand(p[1], -4, 4, 4, 6));
                DeviceCheck.checkLayouts(dev, 1, Op.MASKED_FILL, Attrs.of("value", -2.5), rand(p[0], -4, 4, 3, 17, 5),
                        rand(DType.BOOL, 0, 2, 17, 1));
            }
        }
    }

    @Test
    void logicalOpsReadNonZeroAsTrue() {
        for (Device dev : DeviceCheck.devices()) {
            Tensor x = Tensor.of(new float[] {Float.NaN, 0, -0.0f, 0.25f}).to(dev);
            assertEquals("[false, true, true, false]", java.util.Arrays.toString(x.logicalNot().toBooleanArray()));
            for (DType dt : DType.values()) {
                DeviceCheck.checkLayouts(dev, 1, Op.LOGICAL_NOT, Attrs.NONE, rand(dt, -2, 2, 7, 5));
                DeviceCheck.check(dev, 1, Op.LOGICAL_AND, Attrs.NONE, rand(dt, -2, 2, 7, 5), rand(DType.BOOL, 0, 2, 5));
            }
        }
    }

    @Test
    void errorsNameTheOpAndOperands() {
        for (Device dev : DeviceCheck.devices()) {
            Tensor b = Tensor.of(new boolean[] {true, false}).to(dev);
            assertTrue(assertThrows(IllegalArgumentException.class, b::neg).getMessage().contains("neg: not defined for bool input bool[2]"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> b.sub(b)).getMessage().startsWith("sub: subtracting bool"));
            Tensor f = Tensor.of(new float[] {1, 2, 3}).to(dev);
            assertTrue(assertThrows(IllegalArgumentException.class, () -> f.add(Tensor.of(new float[] {1, 2}).to(dev))).getMessage()
                    .contains("add: shapes [3] and [2] cannot be broadcast"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> Tensor.where(f, f, f)).getMessage()
                    .contains("where: condition must be bool, got f32"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> f.maskedFill(f, 1)).getMessage()
                    .contains("masked_fill: mask must be bool"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> f.gelu("exact")).getMessage().contains("gelu: approximate"));
        }
    }
}
