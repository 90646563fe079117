package org.ddrl.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.ddrl.tensor.testing.OpCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Unary and binary elementwise ops, where and masked_fill against the reference: every op, every
 * dtype where it is defined, odd shapes, broadcasting, and transposed, strided and offset layouts.
 */
class ElementwiseOpsTest {
    private final Random rnd = new Random(11);

    /** Odd sizes so vector loops run both full and masked (partial) vectors; [] is a 0-d tensor. */
    private static final int[][] SHAPES = {{1}, {3}, {17, 33}, {2, 3, 5}, {}};

    /** Pairs of operand shapes that broadcast, including a 0-d operand on either side. */
    private static final int[][][] BROADCAST_PAIRS = {
        {{3, 1, 5}, {4, 5}}, {{4, 5}, {3, 1, 5}}, {{}, {17}}, {{17}, {}}, {{2, 1}, {1, 33}}, {{17, 33}, {33}}, {{1}, {3, 3}},
    };

    /** OpCheck.random, except that an empty shape gives a 0-d tensor rather than a 1-d one. */
    private Tensor rand(DType dt, double lo, double hi, int... shape) {
        Tensor t = OpCheck.random(rnd, dt, lo, hi, shape);
        return shape.length == 0 ? t.view() : t;
    }

    // ------------------------------------------------------------------ unary

    private static final Op[] FLOATING_UNARY = {Op.SQRT, Op.RSQRT, Op.EXP, Op.LOG, Op.SIN, Op.COS, Op.TANH, Op.SIGMOID,
        Op.GELU, Op.SILU, Op.SOFTPLUS};

    static Stream<Arguments> floatingUnary() {
        List<Arguments> cases = new ArrayList<>();
        for (Op op : FLOATING_UNARY) for (DType dt : DType.values()) cases.add(Arguments.of(op, dt));
        return cases.stream();
    }

    /** Values the op is defined on: positive for sqrt, rsqrt and log. */
    private Tensor unaryInput(Op op, DType dt, int... shape) {
        boolean positive = op == Op.SQRT || op == Op.RSQRT || op == Op.LOG;
        if (dt.isFloatingPoint()) return positive ? rand(dt, 0.05, 4, shape) : rand(dt, -4, 4, shape);
        return positive ? rand(dt, 1, 10, shape) : rand(dt, -10, 10, shape);
    }

    @ParameterizedTest
    @MethodSource("floatingUnary")
    void floatingUnaryMatchesReference(Op op, DType dt) {
        List<Attrs> variants = switch (op) {
            case GELU -> List.of(Attrs.of("approximate", "none"), Attrs.of("approximate", "tanh"));
            // beta 2 keeps beta * x exact in F32, so F32 and F64 agree on which side of the threshold x lies
            case SOFTPLUS -> List.of(Attrs.of("beta", 1.0, "threshold", 20.0), Attrs.of("beta", 2.0, "threshold", 1.0));
            default -> List.of(Attrs.NONE);
        };
        for (Attrs a : variants) {
            for (int[] shape : SHAPES) {
                Tensor out = OpCheck.check(op, a, unaryInput(op, dt, shape));
                assertEquals(dt.isFloatingPoint() ? dt : DType.F32, out.dtype(), op.opName() + " on " + dt);
                OpCheck.checkLayouts(1, op, a, unaryInput(op, dt, shape));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = "BOOL", mode = EnumSource.Mode.EXCLUDE)
    void dtypeKeepingUnaryMatchesReference(DType dt) {
        // {min, max, 1 if both bounds are whole or open (integers then stay integers), else 0}
        double nan = Double.NaN;
        double[][] bounds = {{-0.5, 1.25, 0}, {nan, 0.3, 0}, {-1, nan, 1}, {2, -1, 1}, {nan, nan, 1}, {-3, 4, 1}};
        for (int[] shape : SHAPES) {
            for (Op op : new Op[] {Op.NEG, Op.ABS, Op.RELU}) {
                Tensor out = OpCheck.check(op, Attrs.NONE, unaryInput(op, dt, shape));
                assertEquals(dt, out.dtype(), op.opName() + " keeps " + dt);
                OpCheck.checkLayouts(1, op, Attrs.NONE, unaryInput(op, dt, shape));
            }
            for (double[] b : bounds) {
                Attrs a = Attrs.of("min", b[0], "max", b[1]);
                Tensor out = OpCheck.check(Op.CLAMP, a, unaryInput(Op.CLAMP, dt, shape));
                assertEquals(dt.isIntegral() && b[2] == 0 ? DType.F32 : dt, out.dtype(), "clamp " + a + " on " + dt);
                OpCheck.checkLayouts(1, Op.CLAMP, a, unaryInput(Op.CLAMP, dt, shape));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void logicalNotMatchesReference(DType dt) {
        for (int[] shape : SHAPES) OpCheck.checkLayouts(1, Op.LOGICAL_NOT, Attrs.NONE, withZerosAndNaN(dt, shape));
    }

    @Test
    void signAndClampOpsRejectBool() {
        Tensor b = Tensor.of(new boolean[] {true, false});
        for (Op op : new Op[] {Op.NEG, Op.ABS, Op.RELU}) {
            var e = assertThrows(IllegalArgumentException.class, () -> Dispatch.call(op, Attrs.NONE, b));
            assertTrue(e.getMessage().contains(op.opName()) && e.getMessage().contains("bool[2]"), e.getMessage());
        }
        var e = assertThrows(IllegalArgumentException.class, () -> b.clamp(0, 1));
        assertTrue(e.getMessage().contains("clamp") && e.getMessage().contains("bool"), e.getMessage());
    }

    // ------------------------------------------------------------------ binary

    private static final Op[] ARITHMETIC = {Op.ADD, Op.SUB, Op.MUL, Op.DIV, Op.POW, Op.MAXIMUM, Op.MINIMUM};
    private static final Op[] PREDICATES = {Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE, Op.LOGICAL_AND, Op.LOGICAL_OR};

    /** Each dtype with itself, and mixed pairs that exercise promotion (including F16 with BF16, which gives F32). */
    private static final DType[][] PAIRS = {
        {DType.F32, DType.F32}, {DType.F64, DType.F64}, {DType.BF16, DType.BF16}, {DType.F16, DType.F16},
        {DType.I32, DType.I32}, {DType.I64, DType.I64}, {DType.BOOL, DType.BOOL},
        {DType.I32, DType.F32}, {DType.F64, DType.I64}, {DType.BF16, DType.F16}, {DType.BOOL, DType.I32},
        {DType.F16, DType.F32}, {DType.I64, DType.BF16}, {DType.F32, DType.BOOL}, {DType.I32, DType.I64},
    };

    static Stream<Arguments> binaryCases() {
        List<Arguments> cases = new ArrayList<>();
        for (Op op : ARITHMETIC) {
            for (DType[] p : PAIRS) {
                if (op == Op.SUB && p[0] == DType.BOOL && p[1] == DType.BOOL) continue; // an error, tested below
                cases.add(Arguments.of(op, p[0], p[1]));
            }
        }
        for (Op op : PREDICATES) for (DType[] p : PAIRS) cases.add(Arguments.of(op, p[0], p[1]));
        return cases.stream();
    }

    @ParameterizedTest
    @MethodSource("binaryCases")
    void binaryMatchesReference(Op op, DType da, DType db) {
        DType promoted = DType.promote(da, db);
        DType expected = op == Op.DIV && !promoted.isFloatingPoint() ? DType.F32
                : List.of(PREDICATES).contains(op) ? DType.BOOL : promoted;
        for (int[] shape : SHAPES) {
            Tensor out = OpCheck.check(op, Attrs.NONE, binaryInput(op, 0, da, shape), binaryInput(op, 1, db, shape));
            assertEquals(expected, out.dtype(), op.opName() + " of " + da + " and " + db);
            OpCheck.checkLayouts(1, op, Attrs.NONE, binaryInput(op, 0, da, shape), binaryInput(op, 1, db, shape));
        }
        for (int[][] p : BROADCAST_PAIRS) {
            OpCheck.checkLayouts(1, op, Attrs.NONE, binaryInput(op, 0, da, p[0]), binaryInput(op, 1, db, p[1]));
        }
    }

    /**
     * Operand {@code side} (0 or 1) of op: pow gets a positive base and a small exponent (non-negative
     * for integers), comparisons and logical ops get values from a small set so that ties and zeros occur.
     */
    private Tensor binaryInput(Op op, int side, DType dt, int... shape) {
        if (List.of(PREDICATES).contains(op)) return withZerosAndNaN(dt, shape);
        if (op == Op.POW) {
            if (side == 0) return dt.isFloatingPoint() ? rand(dt, 0.25, 3, shape) : rand(dt, 1, 6, shape);
            return dt.isFloatingPoint() ? rand(dt, -2, 3, shape) : rand(dt, 0, 5, shape);
        }
        return dt.isFloatingPoint() ? rand(dt, -3, 3, shape) : rand(dt, -10, 10, shape);
    }

    /** Halves in [-2, 2] for floats (NaN included when there is room), small integers, or random bools. */
    private Tensor withZerosAndNaN(DType dt, int... shape) {
        int n = (int) Shapes.numel(shape);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = dt.isFloatingPoint() ? (rnd.nextInt(9) - 4) / 2.0 : rnd.nextInt(5) - 2;
            if (dt.isFloatingPoint() && n > 3 && rnd.nextInt(10) == 0) v[i] = Double.NaN;
        }
        Tensor t = Tensor.of(v, shape).to(dt);
        return shape.length == 0 ? t.view() : t;
    }

    // ------------------------------------------------------------------ where, masked_fill

    @Test
    void whereMatchesReference() {
        DType[][] pairs = {{DType.F32, DType.F32}, {DType.I64, DType.F32}, {DType.BF16, DType.BF16}, {DType.I32, DType.I64},
            {DType.BOOL, DType.BOOL}, {DType.F16, DType.F64}, {DType.F32, DType.BF16}};
        int[][][] shapes = {{{3}, {3}, {3}}, {{17, 33}, {17, 33}, {17, 33}}, {{3, 1, 5}, {4, 5}, {}}, {{}, {2, 3, 5}, {5}},
            {{2, 3, 5}, {}, {}}, {{1, 33}, {17, 1}, {33}}};
        for (DType[] p : pairs) {
            for (int[][] s : shapes) {
                Tensor c = rand(DType.BOOL, -2, 2, s[0]);
                Tensor out = OpCheck.check(Op.WHERE, Attrs.NONE, c, rand(p[0], -2, 2, s[1]), rand(p[1], -2, 2, s[2]));
                assertEquals(DType.promote(p[0], p[1]), out.dtype());
                OpCheck.checkLayouts(1, Op.WHERE, Attrs.NONE, c, rand(p[0], -2, 2, s[1]), rand(p[1], -2, 2, s[2]));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void maskedFillMatchesReference(DType dt) {
        int[][][] shapes = {{{3}, {3}}, {{17, 33}, {17, 33}}, {{2, 3, 5}, {5}}, {{2, 3, 5}, {}}, {{2, 3, 5}, {3, 1}}, {{}, {}}};
        double[] values = dt.isFloatingPoint() ? new double[] {2.5, Double.NaN, Double.NEGATIVE_INFINITY} : new double[] {2.5, -7, 0};
        for (int[][] s : shapes) {
            for (double value : values) {
                Attrs a = Attrs.of("value", value);
                Tensor out = OpCheck.check(Op.MASKED_FILL, a, rand(dt, -2, 2, s[0]), rand(DType.BOOL, -2, 2, s[1]));
                assertEquals(dt, out.dtype());
                assertArrayEquals(s[0], out.shape());
                OpCheck.checkLayouts(1, Op.MASKED_FILL, a, rand(dt, -2, 2, s[0]), rand(DType.BOOL, -2, 2, s[1]));
            }
        }
    }

    // ------------------------------------------------------------------ large inputs: full vectors and several threads

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64", "BF16", "I64"})
    void largeInputsSplitOverThreads(DType dt) {
        int n = 3 * 65536 + 5; // more than one task's worth of the cheapest ops, and an odd tail
        Tensor a = rand(dt, -3, 3, n), b = rand(dt, -3, 3, n);
        for (Op op : new Op[] {Op.ADD, Op.MUL, Op.MAXIMUM, Op.LT}) {
            OpCheck.check(op, Attrs.NONE, a, b);
            OpCheck.check(op, Attrs.NONE, a, Tensor.scalar(0.5, dt, Device.CPU));
        }
        OpCheck.check(Op.RELU, Attrs.NONE, a);
        OpCheck.check(Op.WHERE, Attrs.NONE, rand(DType.BOOL, 0, 1, n), a, b);
        Tensor c = rand(dt, -3, 3, 20011); // costly ops split into smaller tasks
        OpCheck.check(Op.EXP, Attrs.NONE, c);
        OpCheck.check(Op.TANH, Attrs.NONE, c);
        OpCheck.check(Op.GELU, Attrs.of("approximate", "tanh"), c);
    }

    // ------------------------------------------------------------------ accuracy of the vector math over wide ranges

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void transcendentalsStayAccurateOverWideRanges(DType dt) {
        OpCheck.check(Op.EXP, Attrs.NONE, sweep(dt, -87, 88, 4001));
        OpCheck.check(Op.LOG, Attrs.NONE, Tensor.of(logspace(-30, 30, 4001)).to(dt));
        OpCheck.check(Op.SIN, Attrs.NONE, sweep(dt, -100, 100, 4001));
        OpCheck.check(Op.COS, Attrs.NONE, sweep(dt, -100, 100, 4001));
        OpCheck.check(Op.TANH, Attrs.NONE, sweep(dt, -20, 20, 4001));
        OpCheck.check(Op.SIGMOID, Attrs.NONE, sweep(dt, -80, 80, 4001));
        OpCheck.check(Op.SILU, Attrs.NONE, sweep(dt, -80, 80, 4001));
        OpCheck.check(Op.SOFTPLUS, Attrs.of("beta", 1.0, "threshold", 20.0), sweep(dt, -80, 80, 4001));
        OpCheck.check(Op.POW, Attrs.NONE, Tensor.of(logspace(-10, 10, 4001)).to(dt), sweep(dt, -3, 3, 4001));
        // the erf-based GELU is relative-accurate also far into the negative tail, where it is a tiny multiple of x
        OpCheck.check(Op.GELU, Attrs.of("approximate", "none"), sweep(dt, -12, 12, 4001));
        OpCheck.check(Op.GELU, Attrs.of("approximate", "tanh"), sweep(dt, -12, 12, 4001));
    }

    @Test
    void geluTailIsRelativelyAccurate() {
        // x * Phi(x) at x = -5 is about -1.4e-6, where an absolute tolerance would hide a wrong value;
        // the expected values are from a 60-digit evaluation of the erf series
        double[] x = {-5, -8, -3};
        double[] want = {-1.4332578593959696e-6, -4.9767684594174273e-15, -4.0496940948902836e-3};
        for (DType dt : new DType[] {DType.F32, DType.F64}) {
            double[] got = Tensor.of(x).to(dt).gelu().toDoubleArray();
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], Math.abs(want[i]) * (dt == DType.F32 ? 1e-5 : 1e-12), dt + " gelu(" + x[i] + ")");
            }
        }
    }

    private static Tensor sweep(DType dt, double lo, double hi, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = lo + (hi - lo) * i / (n - 1);
        return Tensor.of(v).to(dt);
    }

    private static double[] logspace(double lo, double hi, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = Math.pow(10, lo + (hi - lo) * i / (n - 1));
        return v;
    }

    // ------------------------------------------------------------------ special values

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64", "BF16"})
    void specialValues(DType dt) {
        double inf = Double.POSITIVE_INFINITY, nan = Double.NaN;
        // padded to 19 elements so the specials sit in both full and partial vectors
        assertValues(new double[] {inf, 0, 1}, pad(new double[] {1000, -1000, 0}, dt).exp(), dt);
        assertValues(new double[] {-inf, nan, 0, inf}, pad(new double[] {0, -1, 1, inf}, dt).log(), dt);
        assertValues(new double[] {nan, 0, inf}, pad(new double[] {-1, 0, inf}, dt).sqrt(), dt);
        assertValues(new double[] {inf, nan}, pad(new double[] {0, -4}, dt).rsqrt(), dt);
        assertValues(new double[] {1, 0, 0.5}, pad(new double[] {100, -100, 0}, dt).sigmoid(), dt);
        assertValues(new double[] {1, -1, nan}, pad(new double[] {40, -40, nan}, dt).tanh(), dt);
        assertValues(new double[] {nan, 0, nan}, pad(new double[] {nan, -3, nan}, dt).relu(), dt);
        Tensor withNaN = pad(new double[] {nan, 1, -2, nan}, dt), plain = pad(new double[] {1, nan, 3, 0}, dt);
        assertValues(new double[] {nan, nan, 3, nan}, withNaN.maximum(plain), dt);
        assertValues(new double[] {nan, nan, -2, nan}, withNaN.minimum(plain), dt);
        assertValues(new double[] {nan, nan, 3, nan}, plain.maximum(withNaN), dt);
        assertValues(new double[] {nan, 1, -2, nan}, withNaN.maximum(-5), dt);
        // NaN is unequal to everything, itself included, and unordered
        assertArrayEquals(new boolean[] {false, true, true, false}, head(withNaN.eq(withNaN), 4));
        assertArrayEquals(new boolean[] {true, false, false, true}, head(withNaN.ne(withNaN), 4));
        assertArrayEquals(new boolean[] {false, false, true, false}, head(withNaN.lt(plain), 4));
        assertArrayEquals(new boolean[] {false, false, false, false}, head(withNaN.ge(Double.NaN), 4));
        assertValues(new double[] {inf, -inf, nan}, pad(new double[] {1, -1, 0}, dt).div(0.0), dt);
        assertValues(new double[] {nan, 1, -1}, pad(new double[] {nan, 3, -4}, dt).clamp(-1, 1), dt);
    }

    private static Tensor pad(double[] head, DType dt) {
        double[] v = new double[19];
        System.arraycopy(head, 0, v, 0, head.length);
        return Tensor.of(v).to(dt);
    }

    private static boolean[] head(Tensor t, int n) {
        return java.util.Arrays.copyOf(t.toBooleanArray(), n);
    }

    private static void assertValues(double[] expected, Tensor t, DType dt) {
        double[] got = t.toDoubleArray();
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i], g = got[i];
            boolean ok = Double.isNaN(e) ? Double.isNaN(g) : Math.abs(e - g) <= OpCheck.tolerance(dt) * (1 + Math.abs(e));
            assertTrue(ok || e == g, dt + " element " + i + ": expected " + e + ", got " + g);
        }
    }

    // ------------------------------------------------------------------ exact integer arithmetic

    @Test
    void integerArithmeticIsExactAndWraps() {
        Tensor base = Tensor.of(new long[] {3, 2, -2, 0, 7, -1});
        Tensor exp = Tensor.of(new long[] {39, 63, 3, 0, 1, 1001});
        assertArrayEquals(new long[] {4052555153018976267L, Long.MIN_VALUE, -8, 1, 7, -1}, base.pow(exp).toLongArray());
        long big = 3037000499L;
        assertArrayEquals(new long[] {big * big}, Tensor.of(new long[] {big}).mul(Tensor.of(new long[] {big})).toLongArray());
        assertArrayEquals(new long[] {Long.MIN_VALUE}, Tensor.of(new long[] {Long.MAX_VALUE}).add(1).toLongArray());
        Tensor maxInt = Tensor.of(new int[] {Integer.MAX_VALUE, Integer.MIN_VALUE});
        assertArrayEquals(new int[] {Integer.MIN_VALUE, Integer.MAX_VALUE}, maxInt.add(Tensor.of(new int[] {1, -1})).toIntArray());
        assertEquals(DType.I32, maxInt.add(1).dtype());
        assertArrayEquals(new long[] {Long.MIN_VALUE + 1}, Tensor.of(new long[] {Long.MAX_VALUE}).neg().toLongArray());
        // every value of this range is exact in long but not in double: neither side may go through floating point
        long m = (1L << 60) + 1;
        assertArrayEquals(new long[] {m + 2, m}, Tensor.of(new long[] {m, m}).add(Tensor.of(new long[] {2, 0})).toLongArray());
        assertArrayEquals(new long[] {m}, Tensor.of(new long[] {m, 5}).maximum(Tensor.of(new long[] {m - 1, 4})).narrow(0, 0, 1).toLongArray());
        assertArrayEquals(new boolean[] {false, true}, Tensor.of(new long[] {m, m}).eq(Tensor.of(new long[] {m - 1, m})).toBooleanArray());
        assertArrayEquals(new long[] {m - 1}, Tensor.of(new long[] {m}).clamp(Double.NaN, 0x1p60).toLongArray());
    }

    @Test
    void integerDivisionIsTrueDivision() {
        Tensor q = Tensor.of(new long[] {7, -7, 1, 0}).div(Tensor.of(new int[] {2, 2, 0, 0}));
        assertEquals(DType.F32, q.dtype());
        assertArrayEquals(new double[] {3.5, -3.5, Double.POSITIVE_INFINITY, Double.NaN}, q.toDoubleArray(), 0);
        assertEquals(DType.F32, Tensor.of(new boolean[] {true}).div(Tensor.of(new boolean[] {true})).dtype());
    }

    @Test
    void boolArithmeticFollowsPyTorch() {
        Tensor t = Tensor.of(new boolean[] {true, true, false, false}), u = Tensor.of(new boolean[] {true, false, true, false});
        assertArrayEquals(new boolean[] {true, true, true, false}, t.add(u).toBooleanArray());
        assertArrayEquals(new boolean[] {true, false, false, false}, t.mul(u).toBooleanArray());
        assertEquals(DType.BOOL, t.add(u).dtype());
        var e = assertThrows(IllegalArgumentException.class, () -> t.sub(u));
        assertTrue(e.getMessage().contains("sub") && e.getMessage().contains("bool[4]"), e.getMessage());
    }

    // ------------------------------------------------------------------ Tensor API scalar overloads

    @Test
    void scalarOverloadsKeepTheTensorsDtype() {
        Tensor x = Tensor.of(new float[] {1.5f, -2f, 3f});
        Tensor y = x.add(2.0);
        assertEquals(DType.F32, y.dtype());
        assertArrayEquals(new float[] {3.5f, 0f, 5f}, y.toFloatArray());
        assertArrayEquals(new float[] {0.5f, 4f, -1f}, x.rsub(2).toFloatArray());
        assertArrayEquals(new float[] {2.25f, 4f, 9f}, x.pow(2).toFloatArray());
        assertArrayEquals(x.mul(x).toFloatArray(), x.pow(2).toFloatArray());
        assertArrayEquals(new float[] {0.75f, -1f, 1.5f}, x.div(2).toFloatArray());
        assertArrayEquals(new boolean[] {true, false, true}, x.gt(0.5).toBooleanArray());

        Tensor ints = Tensor.of(new long[] {1, -2, 3});
        Tensor half = ints.add(0.5);
        assertEquals(DType.F32, half.dtype());
        assertArrayEquals(new float[] {1.5f, -1.5f, 3.5f}, half.toFloatArray());
        assertEquals(DType.I64, ints.mul(3).dtype());
        assertArrayEquals(new long[] {3, -6, 9}, ints.mul(3).toLongArray());
        assertEquals(DType.F32, ints.div(2).dtype());
        assertEquals(DType.I32, Tensor.of(new int[] {1}).sub(1).dtype());

        Tensor h = Tensor.of(new float[] {1, 2}).to(DType.F16);
        assertEquals(DType.F16, h.mul(3.0).dtype());
        assertArrayEquals(new float[] {3, 6}, h.mul(3.0).toFloatArray());
        assertEquals(DType.BF16, Tensor.of(new float[] {1}).to(DType.BF16).add(1e10).dtype());
        assertEquals(DType.I64, Tensor.of(new boolean[] {true}).add(2).dtype());
        assertEquals(DType.F64, Tensor.of(new double[] {1}).maximum(0).dtype());
    }

    // ------------------------------------------------------------------ errors

    @Test
    void broadcastMismatchNamesBothShapes() {
        Tensor a = Tensor.zeros(3, 4), b = Tensor.zeros(5);
        for (Op op : new Op[] {Op.ADD, Op.DIV, Op.LT, Op.LOGICAL_AND}) {
            var e = assertThrows(IllegalArgumentException.class, () -> Dispatch.call(op, Attrs.NONE, a, b));
            assertTrue(e.getMessage().contains(op.opName()) && e.getMessage().contains("[3, 4]") && e.getMessage().contains("[5]"),
                    e.getMessage());
        }
        var e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.where(Tensor.zeros(DType.BOOL, 3, 4), a, Tensor.zeros(2, 1, 5)));
        assertTrue(e.getMessage().contains("where") && e.getMessage().contains("[3, 4]") && e.getMessage().contains("[2, 1, 5]"),
                e.getMessage());
    }

    @Test
    void maskAndConditionMustBeBool() {
        Tensor x = Tensor.zeros(2, 3);
        var e = assertThrows(IllegalArgumentException.class, () -> x.maskedFill(Tensor.zeros(DType.I64, 2, 3), 1));
        assertTrue(e.getMessage().contains("masked_fill") && e.getMessage().contains("i64"), e.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> Tensor.where(Tensor.zeros(DType.F32, 3), x, x));
        assertTrue(e2.getMessage().contains("where") && e2.getMessage().contains("f32[3]"), e2.getMessage());
        // the mask may broadcast to the input, but not widen it
        var e3 = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(3).maskedFill(Tensor.zeros(DType.BOOL, 2, 3), 1));
        assertTrue(e3.getMessage().contains("masked_fill") && e3.getMessage().contains("[2, 3]") && e3.getMessage().contains("[3]"),
                e3.getMessage());
    }

    @Test
    void integerPowerWithNegativeExponentIsAnError() {
        Tensor b = Tensor.of(new long[] {2, 3});
        var e = assertThrows(IllegalArgumentException.class, () -> b.pow(Tensor.of(new long[] {1, -2})));
        assertTrue(e.getMessage().contains("pow") && e.getMessage().contains("-2") && e.getMessage().contains("i64[2]"), e.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> b.pow(-1));
        assertTrue(e2.getMessage().contains("pow"), e2.getMessage());
        assertArrayEquals(new float[] {0.5f, 1 / 3f}, b.to(DType.F32).pow(-1).toFloatArray(), 1e-7f);
    }

    @Test
    void badGeluFormIsAnError() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Dispatch.call(Op.GELU, Attrs.of("approximate", "erf"), Tensor.zeros(3)));
        assertTrue(e.getMessage().contains("gelu") && e.getMessage().contains("erf"), e.getMessage());
    }
}
