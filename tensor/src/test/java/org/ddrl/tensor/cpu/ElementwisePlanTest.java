package org.ddrl.tensor.cpu;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.ddrl.kernels.cpu.Parallel;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Dispatch;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Scope;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.reference.RefTensor;
import org.ddrl.tensor.reference.Reference;
import org.ddrl.tensor.testing.OpCheck;
import org.junit.jupiter.api.Test;

/**
 * Elementwise kernels on broadcast and strided inputs walked in place ({@link ElementwisePlan}), and the
 * strided copies behind contiguous, cast, copyFrom, fill and zero.
 *
 * <p>Every result is checked twice: against the F64 reference, fed with input values read straight from
 * the views' storage (not through the copy kernels under test), and bit for bit against the kernel as it
 * was before the plan, which made every input dense in the compute dtype at the output shape, kept a
 * one-element input as a scalar, and ran one loop over the whole output. The per-element arithmetic is
 * meant to be the same, so the bits must be too.
 */
class ElementwisePlanTest {
    private final Random rnd = new Random(7);

    private static final Op[] BINARY = {Op.ADD, Op.SUB, Op.MUL, Op.DIV, Op.POW, Op.MAXIMUM, Op.MINIMUM, Op.EQ, Op.NE,
        Op.LT, Op.LE, Op.GT, Op.GE, Op.LOGICAL_AND, Op.LOGICAL_OR};

    /** Each dtype with itself, and mixed pairs whose inputs are converted run by run. */
    private static final DType[][] PAIRS = {
        {DType.F32, DType.F32}, {DType.F64, DType.F64}, {DType.F16, DType.F16}, {DType.BF16, DType.BF16},
        {DType.I64, DType.I64}, {DType.BOOL, DType.BOOL}, {DType.BF16, DType.F32}, {DType.I32, DType.F32},
        {DType.F64, DType.I64}, {DType.BOOL, DType.I64},
    };

    /** Makes a test input of a dtype and shape. */
    private interface Maker {
        Tensor make(DType dt, int... shape);
    }

    /** One operand of a pattern, made with the op's input maker. */
    private interface Side {
        Tensor make(Maker m, DType dt);
    }

    /** A broadcast or layout pattern: how operands a and b are shaped and laid out. */
    private record Pattern(String name, Side a, Side b) {
        /** Thousands of elements: these test how runs are cut into pieces and tiles, which no op changes. */
        boolean large() {
            return name.startsWith("long") || name.startsWith("transposed tiles");
        }
    }

    /** The ops the large patterns run with: both scalar sides, pow's scalar shortcut, a comparison and a logical op. */
    private static final List<Op> LARGE_OPS = List.of(Op.ADD, Op.SUB, Op.POW, Op.GE, Op.LOGICAL_AND);

    private static final List<Pattern> PATTERNS = List.of(
        new Pattern("row [37,19] + [19]", (m, d) -> m.make(d, 37, 19), (m, d) -> m.make(d, 19)),
        new Pattern("column [37,19] + [37,1]", (m, d) -> m.make(d, 37, 19), (m, d) -> m.make(d, 37, 1)),
        new Pattern("adaLN [3,5,19] + [3,1,19]", (m, d) -> m.make(d, 3, 5, 19), (m, d) -> m.make(d, 3, 1, 19)),
        new Pattern("rope [2,5,3,6] + [5,1,6]", (m, d) -> m.make(d, 2, 5, 3, 6), (m, d) -> m.make(d, 5, 1, 6)),
        new Pattern("rope reversed [5,1,6] + [2,5,3,6]", (m, d) -> m.make(d, 5, 1, 6), (m, d) -> m.make(d, 2, 5, 3, 6)),
        new Pattern("scalar-like [7,9] + [1,1]", (m, d) -> m.make(d, 7, 9), (m, d) -> m.make(d, 1, 1)),
        new Pattern("scalar-like [1,1] + [7,9]", (m, d) -> m.make(d, 1, 1), (m, d) -> m.make(d, 7, 9)),
        new Pattern("0-d + 0-d", (m, d) -> m.make(d, 1).view(), (m, d) -> m.make(d, 1).view()),
        new Pattern("outer [7,1] + [1,9]", (m, d) -> m.make(d, 7, 1), (m, d) -> m.make(d, 1, 9)),
        new Pattern("expanded column view", (m, d) -> m.make(d, 7, 9), (m, d) -> m.make(d, 7, 1).expand(7, 9)),
        new Pattern("both expanded along the run", (m, d) -> m.make(d, 7, 1).expand(7, 9), (m, d) -> m.make(d, 7, 1).expand(7, 9)),
        new Pattern("expanded row and column views", (m, d) -> m.make(d, 1, 9).expand(7, 9), (m, d) -> m.make(d, 7, 1).expand(7, 9)),
        new Pattern("expanded scalar views", (m, d) -> m.make(d, 1).expand(40, 3), (m, d) -> m.make(d, 40, 3)),
        new Pattern("transposed [9,7]^T + [7,9]", (m, d) -> m.make(d, 9, 7).transpose(0, 1), (m, d) -> m.make(d, 7, 9)),
        new Pattern("permuted [4,3,5] -> [5,4,3] + [4,3]", (m, d) -> m.make(d, 4, 3, 5).permute(2, 0, 1), (m, d) -> m.make(d, 4, 3)),
        new Pattern("step-2 slice + [9]", (m, d) -> m.make(d, 7, 20).slice(1, 1, 19, 2), (m, d) -> m.make(d, 9)),
        new Pattern("offset rows + transposed", (m, d) -> m.make(d, 9, 9).slice(0, 2, 9), (m, d) -> m.make(d, 9, 7).transpose(0, 1)),
        new Pattern("zero-size [0,5] + [5]", (m, d) -> m.make(d, 0, 5), (m, d) -> m.make(d, 5)),
        new Pattern("zero-size [3,0] + [3,1]", (m, d) -> m.make(d, 3, 0), (m, d) -> m.make(d, 3, 1)),
        // runs longer than one scratch run (2048) and one in-place run (16384), so they are cut into pieces
        new Pattern("long rows [2,4500] + [4500]", (m, d) -> m.make(d, 2, 4500), (m, d) -> m.make(d, 4500)),
        new Pattern("long dense [17001] + [1]", (m, d) -> m.make(d, 17001), (m, d) -> m.make(d, 1)),
        new Pattern("transposed tiles [300,40]^T + [40,300]", (m, d) -> m.make(d, 300, 40).transpose(0, 1), (m, d) -> m.make(d, 40, 300)),
        new Pattern("long transposed [2,2100]", (m, d) -> m.make(d, 2100, 2).transpose(0, 1), (m, d) -> m.make(d, 2, 1)));

    // ------------------------------------------------------------------ binary

    @Test
    void binaryOpsOnEveryBroadcastPatternMatchReferenceAndOldBits() {
        for (Op op : BINARY) {
            for (DType[] pair : PAIRS) {
                DType da = pair[0], db = pair[1];
                if (op == Op.SUB && DType.promote(da, db) == DType.BOOL) continue; // an error, tested elsewhere
                for (Pattern p : PATTERNS) {
                    if (p.large() && !LARGE_OPS.contains(op)) continue;
                    Tensor a = p.a().make((dt, shape) -> binaryInput(op, dt, shape, 0), da);
                    Tensor b = p.b().make((dt, shape) -> binaryInput(op, dt, shape, 1), db);
                    String what = op.opName() + " " + p.name() + " " + da + "," + db;
                    try (Scope s = Scope.open()) {
                        Tensor got = Dispatch.call(op, Attrs.NONE, a, b);
                        assertClose(what, Reference.eval(op, Attrs.NONE, ref(a), ref(b)), got);
                        if (op != Op.LOGICAL_AND && op != Op.LOGICAL_OR) {
                            assertArrayEquals(bits(oldBinary(op, a, b)), bits(got), what + ": bits differ from the dense path");
                        }
                    }
                }
            }
        }
    }

    @Test
    void binaryResultsDoNotDependOnTheThreadCount() {
        int before = Parallel.threads();
        try {
            Tensor x = OpCheck.random(rnd, DType.F32, -2.0, 2.0, 257, 1031), bias = OpCheck.random(rnd, DType.F32, 1031);
            Tensor xt = OpCheck.random(rnd, DType.BF16, 1031, 257).transpose(0, 1), col = OpCheck.random(rnd, DType.F32, 257, 1);
            long[][] first = new long[3][];
            for (int threads : new int[] {1, 2, 3}) {
                Parallel.setThreads(threads);
                try (Scope s = Scope.open()) {
                    long[][] now = {bits(x.add(bias)), bits(xt.mul(col)), bits(x.sub(xt).exp())};
                    for (int i = 0; i < now.length; i++) {
                        if (first[i] == null) first[i] = now[i];
                        else assertArrayEquals(first[i], now[i], "result " + i + " with " + threads + " threads");
                    }
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    /**
     * Operand side of op: pow gets a positive base and a small exponent (non-negative for integers),
     * comparisons and logical ops small halves with ties, zeros and NaN.
     */
    private Tensor binaryInput(Op op, DType dt, int[] shape, int side) {
        switch (op) {
            case POW -> {
                if (side == 0) return dt.isFloatingPoint() ? OpCheck.random(rnd, dt, 0.25, 3, shape) : OpCheck.random(rnd, dt, 1, 6, shape);
                return dt.isFloatingPoint() ? OpCheck.random(rnd, dt, -2, 3, shape) : OpCheck.random(rnd, dt, 0, 5, shape);
            }
            case EQ, NE, LT, LE, GT, GE, LOGICAL_AND, LOGICAL_OR -> {
                int n = (int) Shapes.numel(shape);
                double[] v = new double[n];
                for (int i = 0; i < n; i++) {
                    v[i] = dt.isFloatingPoint() ? (rnd.nextInt(9) - 4) / 2.0 : rnd.nextInt(5) - 2;
                    if (dt.isFloatingPoint() && rnd.nextInt(10) == 0) v[i] = Double.NaN;
                }
                return Tensor.of(v, shape).to(dt);
            }
            default -> {
                return dt.isFloatingPoint() ? OpCheck.random(rnd, dt, -3, 3, shape) : OpCheck.random(rnd, dt, -10, 10, shape);
            }
        }
    }

    /**
     * The binary kernel as it was before the plan: inputs made dense in the compute dtype at the output
     * shape (a one-element input kept as is and read as a scalar), one loop over [0, n), and a
     * half-precision result rounded from an F32 intermediate.
     */
    private static Tensor oldBinary(Op op, Tensor a, Tensor b) {
        int[] shape = Shapes.broadcast(op.opName(), a.shape(), b.shape());
        DType promoted = DType.promote(a.dtype(), b.dtype());
        boolean cmp = switch (op) {
            case EQ, NE, LT, LE, GT, GE -> true;
            default -> false;
        };
        boolean intDiv = op == Op.DIV && !promoted.isFloatingPoint();
        DType compute = intDiv ? DType.F32 : promoted.computeType();
        DType out = cmp ? DType.BOOL : intDiv ? DType.F32 : promoted;
        Tensor res = CpuTensors.empty(out, shape);
        long n = res.numel();
        if (n == 0) return res;
        boolean xs = a.numel() == 1, ys = b.numel() == 1;
        Tensor x = CpuTensors.dense(a, compute, xs ? a.shape() : shape), y = CpuTensors.dense(b, compute, ys ? b.shape() : shape);
        MemorySegment as = CpuTensors.seg(x), bs = CpuTensors.seg(y), o = CpuTensors.seg(res);
        long ao = x.offset(), bo = y.offset();
        switch (compute) {
            case F64 -> {
                if (cmp) BinaryF64.compare(op, as, ao, xs, bs, bo, ys, o, 0, n);
                else BinaryF64.arith(op, as, ao, xs, bs, bo, ys, o, 0, n);
            }
            case I64 -> {
                if (cmp) BinaryLong.compare(op, as, ao, xs, bs, bo, ys, o, 0, n);
                else BinaryLong.arith(op, as, ao, xs, bs, bo, ys, o, out, 0, n, "test");
            }
            default -> {
                if (cmp) {
                    BinaryF32.compare(op, as, ao, xs, bs, bo, ys, o, 0, n);
                } else {
                    Tensor f = out == DType.F32 ? res : CpuTensors.empty(DType.F32, shape);
                    BinaryF32.arith(op, as, ao, xs, bs, bo, ys, CpuTensors.seg(f), 0, n);
                    if (f != res) CpuTensors.copyCast(f, res);
                }
            }
        }
        return res;
    }

    // ------------------------------------------------------------------ unary, where, masked_fill

    @Test
    void unaryOpsOnStridedAndExpandedInputsMatchReferenceAndDenseBits() {
        Op[] floating = {Op.EXP, Op.TANH, Op.SIGMOID, Op.GELU, Op.SILU, Op.SIN, Op.NEG, Op.ABS, Op.RELU};
        DType[] dtypes = {DType.F32, DType.F64, DType.F16, DType.BF16, DType.I64, DType.I32, DType.BOOL};
        for (Op op : floating) {
            for (DType dt : dtypes) {
                if (dt == DType.BOOL && (op == Op.NEG || op == Op.ABS || op == Op.RELU)) continue; // not defined on bool
                Maker m = (d, shape) -> d.isFloatingPoint() ? OpCheck.random(rnd, d, -3, 3, shape) : OpCheck.random(rnd, d, -9, 9, shape);
                Tensor[] inputs = {m.make(dt, 9, 7).transpose(0, 1), m.make(dt, 7, 20).slice(1, 1, 19, 2),
                    m.make(dt, 7, 1).expand(7, 9), m.make(dt, 4, 3, 5).permute(2, 0, 1), m.make(dt, 3000, 2).transpose(0, 1),
                    m.make(dt, 0, 4).transpose(0, 1), m.make(dt, 1).expand(5000)};
                for (Tensor x : inputs) {
                    String what = op.opName() + " " + dt + " on " + Shapes.str(x.shape()) + " strides " + Arrays.toString(x.strides());
                    try (Scope s = Scope.open()) {
                        Tensor got = Dispatch.call(op, Attrs.NONE, x);
                        assertClose(what, Reference.eval(op, Attrs.NONE, ref(x)), got);
                        assertArrayEquals(bits(Dispatch.call(op, Attrs.NONE, denseCopy(x))), bits(got), what + ": bits");
                    }
                }
            }
        }
    }

    @Test
    void whereAndMaskedFillOnBroadcastInputsMatchReferenceAndDenseBits() {
        DType[][] pairs = {{DType.F32, DType.F32}, {DType.F64, DType.F64}, {DType.BF16, DType.F32}, {DType.I64, DType.I32},
            {DType.BOOL, DType.BOOL}, {DType.F16, DType.F16}};
        for (DType[] p : pairs) {
            Maker m = (d, shape) -> OpCheck.random(rnd, d, -5, 5, shape);
            Tensor[][] cases = {
                {m.make(DType.BOOL, 5, 1, 7), m.make(p[0], 3, 7), m.make(p[1], 5, 3, 7)},
                {m.make(DType.BOOL, 7, 9), m.make(p[0], 9, 7).transpose(0, 1), m.make(p[1]).view()},
                {m.make(DType.BOOL, 9, 7).transpose(0, 1), m.make(p[0], 7, 1).expand(7, 9), m.make(p[1], 9)},
                {m.make(DType.BOOL, 1), m.make(p[0], 3, 3000), m.make(p[1], 3000)},
                {m.make(DType.BOOL, 3, 2500), m.make(p[0], 3, 2500), m.make(p[1], 3, 2500)},
            };
            for (Tensor[] c : cases) {
                String what = "where " + p[0] + "," + p[1] + " " + Shapes.str(c[0].shape()) + Shapes.str(c[1].shape()) + Shapes.str(c[2].shape());
                try (Scope s = Scope.open()) {
                    Tensor got = Dispatch.call(Op.WHERE, Attrs.NONE, c);
                    assertClose(what, Reference.eval(Op.WHERE, Attrs.NONE, ref(c[0]), ref(c[1]), ref(c[2])), got);
                    int[] shape = got.shape();
                    Tensor dense = Dispatch.call(Op.WHERE, Attrs.NONE, denseCopy(c[0].expand(shape)),
                            denseCopy(c[1].expand(shape)).to(got.dtype()), denseCopy(c[2].expand(shape)).to(got.dtype()));
                    assertArrayEquals(bits(dense), bits(got), what + ": bits");
                }
            }
            Tensor x = m.make(p[0], 9, 7).transpose(0, 1), mask = m.make(DType.BOOL, 7, 1);
            Attrs fill = Attrs.of("value", -1.5);
            try (Scope s = Scope.open()) {
                Tensor got = Dispatch.call(Op.MASKED_FILL, fill, x, mask);
                assertClose("masked_fill " + p[0], Reference.eval(Op.MASKED_FILL, fill, ref(x), ref(mask)), got);
            }
        }
    }

    // ------------------------------------------------------------------ fill, zero, copies

    @Test
    void fillAndZeroWriteExactlyTheViewsElements() {
        double[] values = {1.5, -2.25, 0, 65504, Double.NaN, -0.0, 3};
        for (DType dt : DType.values()) {
            for (double v : values) {
                if (!dt.isFloatingPoint() && (Double.isNaN(v) || v != Math.rint(v))) continue;
                for (int kind = 0; kind < 4; kind++) {
                    Tensor base = OpCheck.random(rnd, dt, -4.0, 4.0, 37, 19);
                    double[] before = read(base);
                    Tensor view = switch (kind) {
                        case 0 -> base;
                        case 1 -> base.slice(1, 3, 16, 2);
                        case 2 -> base.transpose(0, 1).slice(0, 2, 9);
                        default -> base.slice(0, 5, 6);
                    };
                    view.fill(v);
                    double want = Reference.round(v, dt);
                    double[] after = read(base);
                    boolean[] inView = mark(base, view);
                    for (int i = 0; i < after.length; i++) {
                        double expect = inView[i] ? want : before[i];
                        if (!same(expect, after[i], dt)) {
                            fail("fill(" + v + ") of " + dt + " view kind " + kind + ": element " + i + " is " + after[i] + ", expected " + expect);
                        }
                    }
                }
            }
        }
        Tensor big = OpCheck.random(rnd, DType.F32, 301, 1000);
        big.zero();
        for (double v : read(big)) assertEquals(0.0, v);
        assertEquals(0, Double.doubleToRawLongBits(read(big)[0]), "+0, not -0");
    }

    @Test
    void stridedCopiesAndCastsMatchTheSourceElements() {
        for (DType src : DType.values()) {
            for (DType dst : new DType[] {src, DType.F32, DType.F64, DType.BF16, DType.I64}) {
                Tensor[] views = {OpCheck.random(rnd, src, -4.0, 4.0, 33, 65).transpose(0, 1), OpCheck.random(rnd, src, -4.0, 4.0, 4, 5, 6).permute(2, 0, 1),
                    OpCheck.random(rnd, src, -4.0, 4.0, 7, 40).slice(1, 3, 37, 3), OpCheck.random(rnd, src, -4.0, 4.0, 5, 1).expand(5, 3000),
                    OpCheck.random(rnd, src, -4.0, 4.0, 1).expand(3, 70), OpCheck.random(rnd, src, -4.0, 4.0, 70000).slice(0, 1, 70000),
                    OpCheck.random(rnd, src, -4.0, 4.0, 2, 0, 3).permute(1, 2, 0)};
                for (Tensor v : views) {
                    String what = src + " -> " + dst + " of " + Shapes.str(v.shape()) + " strides " + Arrays.toString(v.strides());
                    try (Scope s = Scope.open()) {
                        Tensor out = src == dst ? v.contiguous() : v.to(dst);
                        assertEquals(dst, out.dtype(), what);
                        double[] in = read(v), got = read(out);
                        for (int i = 0; i < in.length; i++) {
                            double e = Reference.round(in[i], dst);
                            if (!same(e, got[i], dst)) {
                                fail(what + ": element " + i + " is " + got[i] + ", expected " + e);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void copyFromBroadcastsIntoStridedViewsAndHandlesItsOwnStorage() {
        Tensor dst = OpCheck.random(rnd, DType.F32, 19, 37);
        Tensor row = OpCheck.random(rnd, DType.BF16, 19);
        dst.transpose(0, 1).copyFrom(row); // each column of dst becomes row's value at that column's index
        double[] d = read(dst), r = read(row);
        for (int i = 0; i < 19; i++) for (int j = 0; j < 37; j++) assertEquals(r[i], d[i * 37 + j], "dst[" + i + "," + j + "]");

        Tensor x = OpCheck.random(rnd, DType.F64, 6, 11);
        double[] first = Arrays.copyOf(read(x), 11);
        x.copyFrom(x.slice(0, 0, 1)); // every row from the first: the source is read before any row is written
        double[] after = read(x);
        for (int i = 0; i < 6; i++) for (int j = 0; j < 11; j++) assertEquals(first[j], after[i * 11 + j], "x[" + i + "," + j + "]");
    }

    // ------------------------------------------------------------------ helpers that bypass the copy kernels

    /** t's elements in row-major order as doubles, read from its storage through its strides. */
    static double[] read(Tensor t) {
        MemorySegment s = CpuTensors.seg(t);
        int[] shape = t.shape();
        long[] st = t.strides();
        double[] out = new double[(int) t.numel()];
        int[] idx = new int[shape.length];
        for (int f = 0; f < out.length; f++) {
            long off = t.offset();
            for (int k = 0; k < shape.length; k++) off += idx[k] * st[k];
            out[f] = Elements.getD(s, t.dtype(), off);
            for (int k = shape.length - 1; k >= 0 && ++idx[k] == shape[k]; k--) idx[k] = 0;
        }
        return out;
    }

    /** The raw bits of a contiguous tensor's elements. */
    static long[] bits(Tensor t) {
        if (t.numel() == 0) return new long[0];
        assertEquals(true, t.isContiguous(), "a kernel output is contiguous: " + Shapes.str(t.shape()) + Arrays.toString(t.strides()));
        MemorySegment s = CpuTensors.seg(t);
        int es = t.dtype().byteSize();
        long[] out = new long[(int) t.numel()];
        for (int i = 0; i < out.length; i++) out[i] = Fill.bits(s, t.offset() + i, es);
        return out;
    }

    /** A contiguous tensor with t's elements' raw bits, built element by element. */
    static Tensor denseCopy(Tensor t) {
        Tensor out = CpuTensors.empty(t.dtype(), t.shape());
        MemorySegment s = CpuTensors.seg(t), d = CpuTensors.seg(out);
        int[] shape = t.shape();
        long[] st = t.strides();
        int es = t.dtype().byteSize();
        int[] idx = new int[shape.length];
        for (long f = 0; f < out.numel(); f++) {
            long off = t.offset();
            for (int k = 0; k < shape.length; k++) off += idx[k] * st[k];
            long v = Fill.bits(s, off, es);
            switch (es) {
                case 8 -> d.setAtIndex(JAVA_LONG, f, v);
                case 4 -> d.setAtIndex(JAVA_INT, f, (int) v);
                case 2 -> d.setAtIndex(JAVA_SHORT, f, (short) v);
                default -> d.set(JAVA_BYTE, f, (byte) v);
            }
            for (int k = shape.length - 1; k >= 0 && ++idx[k] == shape[k]; k--) idx[k] = 0;
        }
        return out;
    }

    /** Which elements of base's (contiguous) storage the view covers. */
    private static boolean[] mark(Tensor base, Tensor view) {
        boolean[] in = new boolean[(int) base.numel()];
        int[] shape = view.shape();
        long[] st = view.strides();
        int[] idx = new int[shape.length];
        for (long f = 0; f < view.numel(); f++) {
            long off = view.offset() - base.offset();
            for (int k = 0; k < shape.length; k++) off += idx[k] * st[k];
            in[(int) off] = true;
            for (int k = shape.length - 1; k >= 0 && ++idx[k] == shape[k]; k--) idx[k] = 0;
        }
        return in;
    }

    /** Equal values, with NaN equal to NaN and, for floating dtypes, -0 apart from +0. */
    private static boolean same(double expected, double got, DType dt) {
        return dt.isFloatingPoint() ? Double.compare(expected, got) == 0 : expected == got;
    }

    private static RefTensor ref(Tensor t) {
        return new RefTensor(read(t), t.shape(), t.dtype());
    }

    private static void assertClose(String what, RefTensor expected, Tensor actual) {
        OpCheck.assertClose(what, expected, actual, 1);
    }
}
