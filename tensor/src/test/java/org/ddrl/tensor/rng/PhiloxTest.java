package org.ddrl.tensor.rng;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ddrl.tensor.DType;
import org.junit.jupiter.api.Test;

/** The Philox 4x32-10 block function against Random123's known answers, and the stream layout helpers. */
class PhiloxTest {
    private static int[] block(int[] ctr, int[] key) {
        int[] out = new int[4];
        Philox.block(ctr[0], ctr[1], ctr[2], ctr[3], key[0], key[1], out, 0);
        return out;
    }

    /** The three philox4x32 10 lines of Random123's tests/kat_vectors: counter, key, expected output. */
    @Test
    void random123KnownAnswers() {
        assertArrayEquals(new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
                block(new int[] {0, 0, 0, 0}, new int[] {0, 0}));
        assertArrayEquals(new int[] {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
                block(new int[] {-1, -1, -1, -1}, new int[] {-1, -1}));
        assertArrayEquals(new int[] {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1},
                block(new int[] {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, new int[] {0xa4093822, 0x299f31d0}));
    }

    @Test
    void streamBlockIsCounterLowHighZeroZeroUnderSeedLowHigh() {
        long seed = 0x0123_4567_89AB_CDEFL, b = 0x0000_0007_0000_0003L;
        int[] got = new int[8];
        Philox.streamBlock(seed, b, got, 4);
        assertArrayEquals(block(new int[] {3, 7, 0, 0}, new int[] {0x89AB_CDEF, 0x0123_4567}),
                java.util.Arrays.copyOfRange(got, 4, 8));
        int[] other = new int[4];
        Philox.streamBlock(seed & 0xFFFF_FFFFL, b, other, 0);
        assertNotEquals(got[4], other[0], "the seed's high 32 bits are the second key word");
    }

    @Test
    void wordsAndDrawsFollowTheDocumentedLayout() {
        long seed = 42, offset = 5;
        int[] blk = new int[4];
        for (long k = 0; k < 12; k++) {
            Philox.streamBlock(seed, offset + k / 4, blk, 0);
            assertEquals(blk[(int) (k % 4)] & 0xFFFF_FFFFL, Philox.word(seed, offset, k), "word " + k);
        }
        assertEquals(Philox.word(seed, offset + 1, 2), Philox.word(seed, offset, 6));
        for (long j = 0; j < 6; j++) {
            long expected = Philox.word(seed, offset, 2 * j) | Philox.word(seed, offset, 2 * j + 1) << 32;
            assertEquals(expected, Philox.draw64(seed, offset, j), "draw " + j);
        }
        // with seed 0 and offset 0, draw 0 is the first two words of the all-zero known answer
        assertEquals(0xe169c58d_6627e8d5L, Philox.draw64(0, 0, 0));
    }

    @Test
    void blockCounts() {
        assertEquals(0, Philox.uniformBlocks(DType.F32, 0));
        assertEquals(1, Philox.uniformBlocks(DType.F32, 1));
        assertEquals(5, Philox.uniformBlocks(DType.BF16, 17));
        assertEquals(9, Philox.uniformBlocks(DType.F64, 17));
        assertEquals(9, Philox.normalBlocks(DType.F64, 17));
        assertEquals(5, Philox.normalBlocks(DType.F16, 17));
        assertEquals(1, Philox.normalBlocks(DType.F32, 3));
        assertEquals(9, Philox.randintBlocks(17));
        assertEquals(53, Philox.uniformBits(DType.F64));
        assertThrows(IllegalArgumentException.class, () -> Philox.uniformBits(DType.I32));
    }

    @Test
    void generatorReservesConsecutiveRanges() {
        Generator g = new Generator(9);
        assertEquals(0, g.reserve(3));
        assertEquals(3, g.reserve(0));
        assertEquals(3, g.reserve(10));
        assertEquals(13, g.offset());
        g.setOffset(2);
        assertEquals(2, g.reserve(1));
        var e = assertThrows(IllegalArgumentException.class, () -> g.setOffset(-1));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> g.reserve(-2));
    }
}
