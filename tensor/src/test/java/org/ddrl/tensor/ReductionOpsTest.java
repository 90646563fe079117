package org.ddrl.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.ddrl.kernels.cpu.Parallel;
import org.ddrl.tensor.testing.OpCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** sum, mean, var, max, min, logsumexp, argmax, argmin, softmax and log_softmax against the reference. */
class ReductionOpsTest {
    private final Random rnd = new Random(11);

    private static final int[][] SHAPES = {{1}, {17}, {3, 33}, {2, 3, 5, 7}};

    /** Dim sets per shape: single, negative, non-adjacent, leading and middle blocks, all (empty). */
    private static int[][] dimSets(int rank) {
        return switch (rank) {
            case 1 -> new int[][] {{}, {0}, {-1}};
            case 2 -> new int[][] {{}, {0}, {1}, {-1}, {0, 1}};
            default -> new int[][] {{}, {0}, {2}, {-1}, {0, 2}, {1, 3}, {-3, -1}, {0, 1}, {1, 2}, {0, 1, 2, 3}};
        };
    }

    private static final Op[] FLOAT_OPS = {Op.SUM, Op.MEAN, Op.VAR, Op.MAX, Op.MIN, Op.LOGSUMEXP};
    /** Ops that accept integer and BOOL input (sum and logsumexp promote, max and min keep the dtype). */
    private static final Op[] INTEGER_OPS = {Op.SUM, Op.MAX, Op.MIN, Op.LOGSUMEXP};

    private static Attrs reduceAttrs(Op op, int[] dims, boolean keepdim) {
        Attrs a = Attrs.of("dims", dims, "keepdim", keepdim);
        return op == Op.VAR ? a.with("correction", 1) : a;
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void reductionsMatchReference(DType dt) {
        Op[] ops = dt.isFloatingPoint() ? FLOAT_OPS : INTEGER_OPS;
        for (int[] shape : SHAPES) {
            Tensor x = OpCheck.random(rnd, dt, -5, 5, shape);
            for (Op op : ops) {
                for (int[] dims : dimSets(shape.length)) {
                    for (boolean keepdim : new boolean[] {false, true}) {
                        OpCheck.checkLayouts(1, op, reduceAttrs(op, dims, keepdim), x);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void argReductionsMatchReference(DType dt) {
        for (int[] shape : SHAPES) {
            // A narrow range makes ties common (and certain for BOOL and the 16-bit floats): the first index must win.
            Tensor x = OpCheck.random(rnd, dt, -3, 3, shape);
            for (int dim = -shape.length; dim < shape.length; dim++) {
                for (boolean keepdim : new boolean[] {false, true}) {
                    OpCheck.checkLayouts(1, Op.ARGMAX, Attrs.of("dim", dim, "keepdim", keepdim), x);
                    OpCheck.checkLayouts(1, Op.ARGMIN, Attrs.of("dim", dim, "keepdim", keepdim), x);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64", "BF16", "F16"})
    void softmaxMatchesReference(DType dt) {
        for (int[] shape : SHAPES) {
            Tensor x = OpCheck.random(rnd, dt, -8, 8, shape);
            for (int dim = -shape.length; dim < shape.length; dim++) {
                OpCheck.checkLayouts(1, Op.SOFTMAX, Attrs.of("dim", dim), x);
                OpCheck.checkLayouts(1, Op.LOG_SOFTMAX, Attrs.of("dim", dim), x);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void zeroDimTensors(DType dt) {
        Tensor x = Tensor.scalar(-1.5, dt, Device.CPU);
        for (Op op : FLOAT_OPS) {
            for (int[] dims : new int[][] {{}, {0}, {-1}}) OpCheck.check(op, reduceAttrs(op, dims, true), x);
        }
        OpCheck.check(Op.ARGMAX, Attrs.of("dim", 0, "keepdim", false), x);
        OpCheck.check(Op.SOFTMAX, Attrs.of("dim", -1), x);
        OpCheck.check(Op.LOG_SOFTMAX, Attrs.of("dim", 0), x);
    }

    /**
     * Shapes big enough for the blocked paths: rows longer than one parallel chunk, column reductions
     * over more rows than one column block and wider than one column task, and several vector widths.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64", "BF16"})
    void largeShapesUseEveryPath(DType dt) {
        Tensor rows = OpCheck.random(rnd, dt, 2, 40_001);
        Tensor cols = OpCheck.random(rnd, dt, 150, 67);
        Tensor wide = OpCheck.random(rnd, dt, 3, 5000);
        Tensor middle = OpCheck.random(rnd, dt, 3, 130, 2, 41);
        for (Op op : FLOAT_OPS) {
            OpCheck.check(op, reduceAttrs(op, new int[] {1}, false), rows);
            OpCheck.check(op, reduceAttrs(op, new int[] {}, false), rows);
            OpCheck.check(op, reduceAttrs(op, new int[] {0}, true), cols);
            OpCheck.check(op, reduceAttrs(op, new int[] {0}, false), wide);
            OpCheck.check(op, reduceAttrs(op, new int[] {1, 2}, false), middle);
            OpCheck.check(op, reduceAttrs(op, new int[] {1}, false), OpCheck.relayout(middle, "transposed"));
        }
        for (Op op : new Op[] {Op.ARGMAX, Op.ARGMIN}) {
            OpCheck.check(op, Attrs.of("dim", 1, "keepdim", false), rows);
            OpCheck.check(op, Attrs.of("dim", 0, "keepdim", false), cols);
        }
        for (Op op : new Op[] {Op.SOFTMAX, Op.LOG_SOFTMAX}) {
            OpCheck.check(op, Attrs.of("dim", 1), rows);
            OpCheck.check(op, Attrs.of("dim", 0), cols);
            OpCheck.check(op, Attrs.of("dim", 1), middle);
        }
    }

    @Test
    void longRowSumKeepsF32Accuracy() {
        // 1e6 copies of 0.1f: every add rounds the same way, so a running float sum drifts by ~1e-2
        // relative, and even 64 float lanes each summing 1/64 of the row drift by ~1e-4. The blocked
        // kernel must stay within the F32 tolerance (1e-5) of the F64 reference.
        Tensor same = Tensor.full(0.1, DType.F32, 1_000_000);
        Tensor random = OpCheck.random(rnd, DType.F32, 0.0, 1.0, 1_000_000);
        for (Tensor x : new Tensor[] {same, random}) {
            OpCheck.check(Op.SUM, Attrs.of("dims", new int[0], "keepdim", false), x);
            OpCheck.check(Op.MEAN, Attrs.of("dims", new int[0], "keepdim", false), x);
            OpCheck.check(Op.VAR, Attrs.of("dims", new int[0], "keepdim", false, "correction", 0), x);
            OpCheck.check(Op.LOGSUMEXP, Attrs.of("dims", new int[0], "keepdim", false), x);
            OpCheck.check(Op.SOFTMAX, Attrs.of("dim", 0), x.view(10, 100_000));
            // the column kernels: 25000 rows summed per column
            OpCheck.check(Op.SUM, Attrs.of("dims", new int[] {0}, "keepdim", false), x.view(25_000, 40));
        }
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        // Long rows and columns are cut at fixed places and the pieces combined in order, so the bits
        // of the result are the same however many threads share the work.
        Tensor x = OpCheck.random(rnd, DType.F32, 0.0, 1.0, 3, 300_001);
        Tensor cols = x.view(300_001, 3).slice(1, 0, 2);
        int threads = Parallel.threads();
        try {
            Parallel.setThreads(1);
            float[] sum1 = x.sum(1, false).toFloatArray(), var1 = x.var(new int[] {1}, 1, false).toFloatArray();
            float[] col1 = x.view(300_001, 3).sum(0, false).toFloatArray(), strided1 = cols.mean(0).toFloatArray();
            Parallel.setThreads(3);
            assertArrayEquals(sum1, x.sum(1, false).toFloatArray());
            assertArrayEquals(var1, x.var(new int[] {1}, 1, false).toFloatArray());
            assertArrayEquals(col1, x.view(300_001, 3).sum(0, false).toFloatArray());
            assertArrayEquals(strided1, cols.mean(0).toFloatArray());
        } finally {
            Parallel.setThreads(threads);
        }
    }

    @Test
    void varianceCorrection() {
        Tensor x = OpCheck.random(rnd, DType.F32, 3, 4, 5);
        for (int correction : new int[] {0, 1, 2}) {
            OpCheck.checkLayouts(1, Op.VAR, Attrs.of("dims", new int[] {1}, "keepdim", false, "correction", correction), x);
        }
        // Two-pass variance: a large offset must not swamp a small spread (E[x^2] - E[x]^2 would give 0 or noise).
        Tensor shifted = Tensor.of(new float[] {10000.5f, 10001.5f, 10000.5f, 10001.5f});
        assertEquals(1.0 / 3, shifted.var().item(), 1e-6);
        // N - correction <= 0 divides by zero, as PyTorch does: 0 / 0 is NaN, a positive sum over 0 is inf.
        assertTrue(Double.isNaN(Tensor.of(new float[] {3}).var().item()));
        Tensor two = Tensor.of(new double[] {1, 2});
        assertEquals(Double.POSITIVE_INFINITY, two.var(new int[] {0}, 2, false).item());
    }

    @Test
    void nanPropagatesAndWinsArgReductions() {
        float nan = Float.NaN;
        Tensor x = Tensor.of(new float[] {1, nan, 5, nan, 2, 3, 9, 0, -1, 4, 4, 2}, 3, 4);
        for (String layout : new String[] {"dense", "transposed"}) {
            Tensor t = layout.equals("dense") ? x : OpCheck.relayout(x, layout);
            for (Op op : new Op[] {Op.MAX, Op.MIN, Op.SUM, Op.LOGSUMEXP}) {
                for (int[] dims : new int[][] {{0}, {1}, {}}) OpCheck.check(op, reduceAttrs(op, dims, false), t);
            }
            for (int dim : new int[] {0, 1}) {
                OpCheck.check(Op.ARGMAX, Attrs.of("dim", dim, "keepdim", false), t);
                OpCheck.check(Op.ARGMIN, Attrs.of("dim", dim, "keepdim", false), t);
            }
        }
        assertArrayEquals(new long[] {1, 2, 1}, x.argmax(1, false).toLongArray());
        assertArrayEquals(new long[] {1, 3, 0}, x.argmin(1, false).toLongArray());
        assertTrue(Float.isNaN(x.max(new int[] {1}, false).toFloatArray()[0]));
        assertArrayEquals(new long[] {1, 0}, Tensor.of(new float[] {1, 7, 7, 2}, 2, 2).t().argmax(0, false).toLongArray());
    }

    @Test
    void tiesGoToTheFirstIndex() {
        Tensor x = Tensor.of(new float[] {3, 1, 3, 1, 3, 1, 2, 2});
        assertEquals(0, x.argmax().itemLong());
        assertEquals(1, x.argmin().itemLong());
        assertEquals(6, x.slice(0, 6, 8).argmax().itemLong() + 6);
        Tensor ints = Tensor.of(new long[] {5, 9, 9, 0, 0});
        assertEquals(1, ints.argmax().itemLong());
        assertEquals(3, ints.argmin().itemLong());
    }

    @Test
    void infinitiesInSoftmaxAndLogsumexp() {
        float ninf = Float.NEGATIVE_INFINITY;
        // Rows: some -inf, all -inf, a +inf, plain.
        Tensor x = Tensor.of(new float[] {ninf, 1, ninf, 2, ninf, ninf, ninf, ninf, 0, Float.POSITIVE_INFINITY, 1, 2, 1, 2, 3, 4}, 4, 4);
        for (DType dt : new DType[] {DType.F32, DType.F64, DType.BF16}) {
            Tensor t = x.to(dt);
            for (int dim : new int[] {0, 1}) {
                OpCheck.checkLayouts(1, Op.SOFTMAX, Attrs.of("dim", dim), t);
                OpCheck.checkLayouts(1, Op.LOG_SOFTMAX, Attrs.of("dim", dim), t);
                OpCheck.checkLayouts(1, Op.LOGSUMEXP, Attrs.of("dims", new int[] {dim}, "keepdim", false), t);
            }
        }
        float[] p = x.softmax(1).toFloatArray();
        assertEquals(0f, p[0]);
        assertEquals(1 / (1 + (float) Math.E), p[1], 1e-6);
        assertTrue(Float.isNaN(p[4]), "a row of only -inf has no distribution: NaN as in PyTorch");
        float[] lse = x.logsumexp(1).toFloatArray();
        assertEquals(ninf, lse[1]);
        assertEquals(Float.POSITIVE_INFINITY, lse[2]);
    }

    @Test
    void integerDtypesAreExact() {
        Tensor big = Tensor.of(new long[] {1L << 60, 1, 1, Long.MAX_VALUE - (1L << 60) - 5});
        assertEquals(Long.MAX_VALUE - 3, big.sum().itemLong());
        assertEquals(Long.MAX_VALUE - (1L << 60) - 5, big.max().itemLong());
        assertEquals(DType.I64, Tensor.of(new int[] {1, 2}).sum().dtype());
        assertEquals(DType.I64, Tensor.of(new boolean[] {true, false, true}).sum().dtype());
        assertEquals(2, Tensor.of(new boolean[] {true, false, true}).sum().itemLong());
        assertEquals(DType.I32, Tensor.of(new int[] {1, 2}).max().dtype());
        assertEquals(DType.BOOL, Tensor.of(new boolean[] {false, true}).max().dtype());
        assertEquals(DType.F32, Tensor.of(new int[] {1, 2}).logsumexp(0).dtype());
        assertEquals(DType.BF16, OpCheck.random(rnd, DType.BF16, 4).sum().dtype());
    }

    @Test
    void emptyReductions() {
        Tensor e = Tensor.zeros(DType.F32, 0, 3);
        assertArrayEquals(new float[] {0, 0, 0}, e.sum(0).toFloatArray());
        assertTrue(Double.isNaN(e.mean().item()));
        assertTrue(Double.isNaN(e.var(new int[] {0}, 0, false).toFloatArray()[2]));
        assertEquals(Double.NEGATIVE_INFINITY, e.logsumexp(0).toFloatArray()[1]);
        assertArrayEquals(new int[] {0}, e.sum(1).shape(), "reducing a non-empty dim of an empty tensor gives an empty result");
        assertArrayEquals(new int[] {0}, e.max(new int[] {1}, false).shape());
        assertEquals(0, Tensor.zeros(DType.I32, 0).sum().itemLong());
        var m = assertThrows(IllegalArgumentException.class, () -> e.max(new int[] {0}, false));
        assertTrue(m.getMessage().contains("max") && m.getMessage().contains("[0, 3]"), m.getMessage());
        var mn = assertThrows(IllegalArgumentException.class, () -> e.min());
        assertTrue(mn.getMessage().contains("min") && mn.getMessage().contains("[0, 3]"), mn.getMessage());
        var am = assertThrows(IllegalArgumentException.class, () -> e.argmax(0, false));
        assertTrue(am.getMessage().contains("argmax") && am.getMessage().contains("[0, 3]"), am.getMessage());
        assertArrayEquals(new int[] {0, 3}, e.softmax(0).shape());
    }

    @Test
    void errorsNameTheOpAndTheProblem() {
        Tensor x = Tensor.zeros(2, 3);
        var d = assertThrows(IndexOutOfBoundsException.class, () -> x.sum(2));
        assertTrue(d.getMessage().contains("sum") && d.getMessage().contains("dim 2") && d.getMessage().contains("rank 2"), d.getMessage());
        var d2 = assertThrows(IndexOutOfBoundsException.class, () -> x.softmax(-3));
        assertTrue(d2.getMessage().contains("softmax") && d2.getMessage().contains("dim -3") && d2.getMessage().contains("rank 2"),
                d2.getMessage());
        var d3 = assertThrows(IndexOutOfBoundsException.class, () -> x.argmin(5, false));
        assertTrue(d3.getMessage().contains("argmin") && d3.getMessage().contains("dim 5"), d3.getMessage());
        var dup = assertThrows(IllegalArgumentException.class, () -> x.sum(new int[] {1, -1}, false));
        assertTrue(dup.getMessage().contains("twice"), dup.getMessage());
        Tensor ints = Tensor.of(new long[] {1, 2, 3});
        var s = assertThrows(IllegalArgumentException.class, () -> ints.softmax(0));
        assertTrue(s.getMessage().contains("softmax") && s.getMessage().contains("i64"), s.getMessage());
        var ls = assertThrows(IllegalArgumentException.class, () -> ints.logSoftmax(0));
        assertTrue(ls.getMessage().contains("log_softmax") && ls.getMessage().contains("i64"), ls.getMessage());
        var mean = assertThrows(IllegalArgumentException.class, () -> Tensor.of(new int[] {1, 2}).mean());
        assertTrue(mean.getMessage().contains("mean") && mean.getMessage().contains("i32"), mean.getMessage());
        var var = assertThrows(IllegalArgumentException.class, () -> Tensor.of(new boolean[] {true}).var());
        assertTrue(var.getMessage().contains("var") && var.getMessage().contains("bool"), var.getMessage());
    }
}
