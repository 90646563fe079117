package org.ddrl.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.function.Supplier;
import org.ddrl.tensor.testing.OpCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** cat, pad, gather, index_select against the reference, the Tensor composites built on them, and their errors. */
class IndexingOpsTest {
    private final Random rnd = new Random(11);

    private Tensor x(DType dt, int... shape) {
        return OpCheck.random(rnd, dt, -3, 3, shape);
    }

    private Tensor indices(DType dt, int bound, int... shape) {
        return OpCheck.random(rnd, dt, 0, bound, shape);
    }

    private static Tensor arange(int n) {
        return Tensor.arange(0, n, 1, DType.F32, Device.CPU);
    }

    // ------------------------------------------------------------------ against the reference

    @ParameterizedTest
    @EnumSource(DType.class)
    void catMatchesReference(DType dt) {
        Tensor a = x(dt, 3, 17, 5), b = x(dt, 3, 1, 5), c = x(dt, 3, 33, 5), e = x(dt, 3, 0, 5);
        OpCheck.checkLayouts(1, Op.CAT, Attrs.of("dim", 1), a, b, c);
        OpCheck.checkLayouts(1, Op.CAT, Attrs.of("dim", -2), a, e, b);
        OpCheck.checkLayouts(1, Op.CAT, Attrs.of("dim", 0), a, x(dt, 1, 17, 5), x(dt, 4, 17, 5));
        OpCheck.checkLayouts(1, Op.CAT, Attrs.of("dim", 2), a, x(dt, 3, 17, 2));
        OpCheck.checkLayouts(1, Op.CAT, Attrs.of("dim", 0), a);
        OpCheck.checkLayouts(1, Op.CAT, Attrs.of("dim", 0), x(dt, 7), x(dt, 1), x(dt, 33));
        OpCheck.check(Op.CAT, Attrs.of("dim", 1), x(dt, 0, 3), x(dt, 0, 4));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void padMatchesReference(DType dt) {
        Tensor t = x(dt, 3, 5, 7);
        int[][] constant = {{1, 2}, {2, 0, 1, 3}, {-1, 2, 0, -2}, {1, 1, 1, 1, 1, 1}, {0, 0}, {-7, 1}, {}};
        for (int[] p : constant) {
            OpCheck.checkLayouts(1, Op.PAD, Attrs.of("pads", p, "mode", "constant", "value", 2.5), t);
        }
        OpCheck.checkLayouts(1, Op.PAD, Attrs.of("pads", new int[] {0, 0, 0, 0, 2, 1}, "mode", "constant", "value", -1.0), t);
        int[][] reflect = {{2, 4}, {6, 6}, {3, 1, 4, 0}, {-1, 2}, {1, 2, 2, 1, 1, 1}};
        for (int[] p : reflect) OpCheck.checkLayouts(1, Op.PAD, Attrs.of("pads", p, "mode", "reflect", "value", 0.0), t);
        int[][] replicate = {{3, 5, 2, 0, 1, 1}, {9, 0}, {-2, 3, 1, -1}};
        for (int[] p : replicate) OpCheck.checkLayouts(1, Op.PAD, Attrs.of("pads", p, "mode", "replicate", "value", 0.0), t);
        OpCheck.check(Op.PAD, Attrs.of("pads", new int[] {1, 1, 2, 2}, "mode", "constant", "value", 1.0), x(dt, 0, 4));
        OpCheck.check(Op.PAD, Attrs.of("pads", new int[] {}, "mode", "reflect", "value", 0.0), x(dt, 1).reshape());
        OpCheck.checkLayouts(1, Op.PAD, Attrs.of("pads", new int[] {16, 16}, "mode", "reflect", "value", 0.0), x(dt, 17));
        OpCheck.checkLayouts(1, Op.PAD, Attrs.of("pads", new int[] {0, 2, 1, 0}, "mode", "replicate", "value", 0.0), x(dt, 1, 1));
    }

    /** Large enough for several parallel tasks and long row copies. */
    @Test
    void largePadAndCatMatchReference() {
        Tensor t = x(DType.F32, 67, 513);
        OpCheck.checkLayouts(1, Op.PAD, Attrs.of("pads", new int[] {3, 4, 5, 1}, "mode", "constant", "value", 0.5), t);
        OpCheck.checkLayouts(1, Op.PAD, Attrs.of("pads", new int[] {100, 3, 2, 60}, "mode", "reflect", "value", 0.0), t);
        OpCheck.checkLayouts(1, Op.CAT, Attrs.of("dim", 1), t, x(DType.F32, 67, 129));
        OpCheck.checkLayouts(1, Op.CAT, Attrs.of("dim", 0), t, x(DType.F32, 40, 513));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void gatherMatchesReference(DType dt) {
        Tensor t = x(dt, 5, 7, 3);
        for (DType it : new DType[] {DType.I64, DType.I32}) {
            OpCheck.checkLayouts(1, Op.GATHER, Attrs.of("dim", 0), t, indices(it, 5, 9, 7, 2));
            OpCheck.checkLayouts(1, Op.GATHER, Attrs.of("dim", 1), t, indices(it, 7, 5, 17, 3));
            OpCheck.checkLayouts(1, Op.GATHER, Attrs.of("dim", -1), t, indices(it, 3, 4, 6, 33));
            OpCheck.checkLayouts(1, Op.GATHER, Attrs.of("dim", 2), t, indices(it, 3, 1, 1, 1));
            OpCheck.checkLayouts(1, Op.GATHER, Attrs.of("dim", 0), x(dt, 33), indices(it, 33, 17));
            OpCheck.check(Op.GATHER, Attrs.of("dim", 1), t, indices(it, 7, 5, 0, 3));
            OpCheck.check(Op.GATHER, Attrs.of("dim", 0), x(dt, 1).reshape(), Tensor.zeros(it));
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void indexSelectMatchesReference(DType dt) {
        Tensor t = x(dt, 5, 7, 3);
        for (DType it : new DType[] {DType.I64, DType.I32}) {
            OpCheck.checkLayouts(1, Op.INDEX_SELECT, Attrs.of("dim", 0), t, indices(it, 5, 9));
            OpCheck.checkLayouts(1, Op.INDEX_SELECT, Attrs.of("dim", 1), t, indices(it, 7, 17));
            OpCheck.checkLayouts(1, Op.INDEX_SELECT, Attrs.of("dim", -1), t, indices(it, 3, 1));
            OpCheck.checkLayouts(1, Op.INDEX_SELECT, Attrs.of("dim", 0), x(dt, 33), indices(it, 33, 33));
            OpCheck.check(Op.INDEX_SELECT, Attrs.of("dim", 1), t, Tensor.zeros(it, 0));
        }
    }

    /** A non-contiguous index (every other element of a larger tensor) and an input that is a contiguous slice at an offset. */
    @Test
    void stridedIndexAndOffsetInput() {
        Tensor table = arange(40).view(8, 5);
        Tensor rows = table.narrow(0, 2, 5);
        Tensor idx = Tensor.of(new long[] {4, 9, 0, 9, 2, 9}).slice(0, 0, 6, 2);
        assertArrayEquals(new float[] {30, 31, 32, 33, 34, 10, 11, 12, 13, 14, 20, 21, 22, 23, 24},
                rows.indexSelect(0, idx).toFloatArray());
        Tensor g = Tensor.of(new long[] {1, 0, 4, 4}, 2, 2);
        assertArrayEquals(new float[] {11, 10, 19, 19}, rows.gather(1, g).toFloatArray());
    }

    // ------------------------------------------------------------------ Tensor API composites

    @Test
    void catAndStackGiveExpectedValues() {
        Tensor a = arange(6).view(2, 3), b = Tensor.arange(10, 16, 1, DType.F32, Device.CPU).view(2, 3);
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15}, Tensor.cat(0, a, b).toFloatArray());
        assertArrayEquals(new float[] {0, 1, 2, 10, 11, 12, 3, 4, 5, 13, 14, 15}, Tensor.cat(1, a, b).toFloatArray());
        Tensor s0 = Tensor.stack(0, a, b);
        assertArrayEquals(new int[] {2, 2, 3}, s0.shape());
        assertArrayEquals(Tensor.cat(0, a, b).toFloatArray(), s0.toFloatArray());
        Tensor s1 = Tensor.stack(1, a, b);
        assertArrayEquals(new int[] {2, 2, 3}, s1.shape());
        assertArrayEquals(new float[] {0, 1, 2, 10, 11, 12, 3, 4, 5, 13, 14, 15}, s1.toFloatArray());
        Tensor s2 = Tensor.stack(-1, a, b.t().contiguous().t());
        assertArrayEquals(new int[] {2, 3, 2}, s2.shape());
        assertArrayEquals(new float[] {0, 10, 1, 11, 2, 12, 3, 13, 4, 14, 5, 15}, s2.toFloatArray());
        Tensor scalars = Tensor.stack(0, Tensor.scalar(1), Tensor.scalar(2), Tensor.scalar(3));
        assertArrayEquals(new int[] {3}, scalars.shape());
        assertArrayEquals(new float[] {1, 2, 3}, scalars.toFloatArray());
    }

    @Test
    void splitChunkNarrowFlattenAreViewsWithExpectedValues() {
        Tensor t = arange(21).view(3, 7);
        Tensor[] bySize = t.split(3, 1);
        assertEquals(3, bySize.length);
        assertArrayEquals(new int[] {3, 1}, bySize[2].shape());
        assertArrayEquals(new float[] {3, 4, 5, 10, 11, 12, 17, 18, 19}, bySize[1].toFloatArray());
        assertArrayEquals(new float[] {6, 13, 20}, bySize[2].toFloatArray());
        Tensor[] bySizes = t.split(new int[] {2, 0, 5}, -1);
        assertArrayEquals(new int[] {3, 0}, bySizes[1].shape());
        assertArrayEquals(new float[] {2, 3, 4, 5, 6, 9, 10, 11, 12, 13, 16, 17, 18, 19, 20}, bySizes[2].toFloatArray());
        assertSame(t.storage(), bySizes[2].storage());
        Tensor[] chunks = t.chunk(2, 0);
        assertEquals(2, chunks.length);
        assertArrayEquals(new int[] {2, 7}, chunks[0].shape());
        assertArrayEquals(new float[] {14, 15, 16, 17, 18, 19, 20}, chunks[1].toFloatArray());
        assertEquals(3, arange(6).chunk(4, 0).length, "torch.chunk: pieces of ceil(6 / 4) = 2, so three of them");
        assertEquals(1, t.chunk(5, 0)[2].size(0));
        assertArrayEquals(new float[] {8, 9, 15, 16}, t.narrow(0, 1, 2).narrow(1, 1, 2).toFloatArray());
        assertSame(t.storage(), t.narrow(1, 4, 3).storage());
        Tensor cube = arange(24).view(2, 3, 4);
        assertArrayEquals(new int[] {24}, cube.flatten().shape());
        assertArrayEquals(new int[] {2, 12}, cube.flatten(1, 2).shape());
        assertArrayEquals(new int[] {6, 4}, cube.flatten(0, -2).shape());
        Tensor tf = cube.transpose(1, 2).flatten(1, 2);
        assertArrayEquals(new float[] {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}, tf.select(0, 0).toFloatArray());
        assertArrayEquals(new int[] {1}, Tensor.scalar(5).flatten(0, -1).shape());
    }

    @Test
    void padApiGivesExpectedValues() {
        Tensor t = arange(6).view(2, 3);
        assertArrayEquals(new float[] {0, 0, 1, 2, 0, 0, 3, 4, 5, 0}, t.pad(1, 1).toFloatArray());
        assertArrayEquals(new float[] {9, 9, 9, 9, 9, 0, 1, 2, 9, 3, 4, 5}, t.pad(new int[] {1, 0, 1, 0}, "constant", 9).toFloatArray());
        assertArrayEquals(new float[] {1, 4}, t.pad(-1, -1).toFloatArray());
        assertArrayEquals(new float[] {2, 1, 0, 1, 2, 1, 0, 5, 4, 3, 4, 5, 4, 3}, t.pad(new int[] {2, 2}, "reflect", 0).toFloatArray());
        assertArrayEquals(new float[] {0, 0, 1, 2, 2, 0, 0, 1, 2, 2, 3, 3, 4, 5, 5, 3, 3, 4, 5, 5},
                t.pad(new int[] {1, 1, 1, 1}, "replicate", 0).toFloatArray());
        assertArrayEquals(new long[] {7, 7, 1, 2}, Tensor.of(new long[] {1, 2}).pad(new int[] {2, 0}, "constant", 7.9).toLongArray(),
                "the pad value is stored like any value of the dtype: truncated for integers");
    }

    // ------------------------------------------------------------------ errors

    private static String message(Class<? extends RuntimeException> type, Supplier<Object> call) {
        return assertThrows(type, call::get).getMessage();
    }

    private static void assertMentions(String message, String... parts) {
        for (String p : parts) assertTrue(message.contains(p), "message lacks '" + p + "': " + message);
    }

    @Test
    void catErrors() {
        Tensor a = Tensor.zeros(2, 3);
        assertMentions(message(IllegalArgumentException.class, () -> Tensor.cat(0, a, Tensor.zeros(2, 3), Tensor.zeros(2, 4))),
                "cat", "input 2", "[2, 4]", "[2, 3]", "dim 0");
        assertMentions(message(IllegalArgumentException.class, () -> Tensor.cat(1, a, Tensor.zeros(2, 3, 1))),
                "cat", "input 1", "[2, 3, 1]", "[2, 3]");
        assertMentions(message(IllegalArgumentException.class, () -> Tensor.cat(0, a, Tensor.zeros(DType.I64, 2, 3))),
                "cat", "input 1", "i64[2, 3]", "f32[2, 3]");
        assertMentions(message(IllegalArgumentException.class, () -> Tensor.cat(0, Tensor.scalar(1), Tensor.scalar(2))),
                "cat", "0-d");
        assertMentions(message(IndexOutOfBoundsException.class, () -> Tensor.cat(2, a, a)), "cat", "dim 2");
        assertMentions(message(IllegalArgumentException.class, () -> Tensor.cat(0)), "cat", "at least 1");
        assertMentions(message(IllegalArgumentException.class, () -> Tensor.stack(0)), "stack");
        assertMentions(message(IllegalArgumentException.class, () -> Tensor.stack(0, a, Tensor.zeros(3, 2))),
                "cat", "input 1", "[1, 3, 2]", "[1, 2, 3]");
    }

    @Test
    void padErrors() {
        Tensor t = Tensor.zeros(2, 3);
        assertMentions(message(IllegalArgumentException.class, () -> t.pad(1, 1, 1)), "pad", "[1, 1, 1]", "pairs");
        assertMentions(message(IllegalArgumentException.class, () -> t.pad(1, 1, 1, 1, 1, 1)), "pad", "at most 2 dims");
        assertMentions(message(IllegalArgumentException.class, () -> t.pad(new int[] {3, 0}, "reflect", 0)),
                "pad", "reflect", "(3, 0)", "dim 1", "size 3");
        assertMentions(message(IllegalArgumentException.class, () -> t.pad(new int[] {0, 0, 0, 2}, "reflect", 0)),
                "pad", "(0, 2)", "dim 0", "size 2");
        assertMentions(message(IllegalArgumentException.class, () -> Tensor.zeros(2, 0).pad(new int[] {1, 0}, "replicate", 0)),
                "pad", "replicate", "size 0");
        assertMentions(message(IllegalArgumentException.class, () -> t.pad(-2, -2)), "pad", "dim 1", "size 3", "(-2, -2)", "-1");
        assertMentions(message(IllegalArgumentException.class, () -> t.pad(new int[] {1, 1}, "circular", 0)), "pad", "circular");
    }

    @Test
    void gatherErrors() {
        Tensor t = arange(15).view(3, 5);
        assertMentions(message(IndexOutOfBoundsException.class, () -> t.gather(1, Tensor.of(new long[] {0, 1, 5, 2}, 2, 2))),
                "gather", "index 5", "dim 1", "size 5", "[1, 0]");
        assertMentions(message(IndexOutOfBoundsException.class, () -> t.gather(0, Tensor.of(new int[] {0, -1}, 1, 2))),
                "gather", "index -1", "dim 0", "size 3");
        assertMentions(message(IllegalArgumentException.class, () -> t.gather(0, Tensor.of(new long[] {0, 1}))),
                "gather", "rank", "i64[2]", "f32[3, 5]");
        assertMentions(message(IllegalArgumentException.class, () -> t.gather(0, Tensor.zeros(DType.I64, 2, 6))),
                "gather", "[2, 6]", "[3, 5]", "dim 1");
        assertMentions(message(IllegalArgumentException.class, () -> t.gather(0, Tensor.zeros(DType.F32, 2, 2))),
                "gather", "i64 or i32", "f32[2, 2]");
        // a large index tensor checks every value, also those read by worker threads
        Tensor big = Tensor.zeros(DType.I64, 3, 40_000);
        Tensor bad = Tensor.cat(1, big, Tensor.of(new long[] {0, 0, 0, 0, 0, 9}, 3, 2));
        assertMentions(message(IndexOutOfBoundsException.class, () -> Tensor.zeros(3, 40_002).gather(0, bad)),
                "gather", "index 9", "size 3", "[2, 40001]");
    }

    @Test
    void indexSelectErrors() {
        Tensor t = arange(15).view(3, 5);
        assertMentions(message(IndexOutOfBoundsException.class, () -> t.indexSelect(0, Tensor.of(new long[] {0, 2, -1}))),
                "index_select", "index -1", "dim 0", "size 3", "position 2");
        assertMentions(message(IndexOutOfBoundsException.class, () -> t.indexSelect(1, Tensor.of(new int[] {5}))),
                "index_select", "index 5", "dim 1", "size 5");
        assertMentions(message(IllegalArgumentException.class, () -> t.indexSelect(0, Tensor.zeros(DType.I64, 1, 1))),
                "index_select", "1-d", "i64[1, 1]");
        assertMentions(message(IllegalArgumentException.class, () -> t.indexSelect(0, Tensor.zeros(DType.F64, 2))),
                "index_select", "i64 or i32", "f64[2]");
        assertMentions(message(IllegalArgumentException.class, () -> Tensor.scalar(1).indexSelect(0, Tensor.zeros(DType.I64, 1))),
                "index_select", "at least one dim");
        assertMentions(message(IndexOutOfBoundsException.class, () -> t.indexSelect(2, Tensor.zeros(DType.I64, 1))),
                "index_select", "dim 2");
    }
}
