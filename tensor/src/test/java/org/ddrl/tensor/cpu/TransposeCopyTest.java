package org.ddrl.tensor.cpu;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.ddrl.kernels.cpu.Parallel;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The transposed copies: {@link TiledTranspose#blocks} (in-register blocks plus the element-by-element
 * strips around them) against a direct loop, contiguous() of transposed and permuted views of every dtype,
 * and elementwise ops that gather a transposed input a tile at a time. Sizes are odd, straddle the block
 * and tile sizes (8, 16, 64) and the views start at an offset, so every remainder path runs. Expected
 * values come from the dense source array by index arithmetic, never through the code under test.
 */
class TransposeCopyTest {
    private static final int[] SIZES = {1, 7, 8, 15, 16, 17, 33, 64, 65, 130};

    /** dst[db + i * dk + j] == src[sb + i + j * sl] for every element size, and nothing outside the block is written. */
    @Test
    void blocksMatchDirectLoop() {
        Random rnd = new Random(3);
        try (Arena arena = Arena.ofConfined()) {
            for (int es : new int[] {1, 2, 4, 8}) {
                for (int ni : SIZES) {
                    for (int nj : SIZES) {
                        // padded strides, odd offsets; and once a power-of-two source stride, as a transposed [*, 2048] has
                        long sl = (ni * nj) % 3 == 0 ? 2048 : ni + 3, dk = nj + 5, sb = 5, db = 3;
                        MemorySegment src = arena.allocate((sb + ni + (nj - 1) * sl + 8) * es, 64);
                        MemorySegment dst = arena.allocate((db + (ni - 1) * dk + nj + 8) * es, 64);
                        byte[] bytes = new byte[(int) src.byteSize()];
                        rnd.nextBytes(bytes);
                        MemorySegment.copy(bytes, 0, src, JAVA_BYTE, 0, bytes.length);
                        dst.fill((byte) 0x5a);
                        TiledTranspose.blocks(src, sb, sl, dst, db, dk, ni, nj, es);
                        byte[] expect = new byte[(int) dst.byteSize()];
                        java.util.Arrays.fill(expect, (byte) 0x5a);
                        for (int i = 0; i < ni; i++) {
                            for (int j = 0; j < nj; j++) {
                                System.arraycopy(bytes, (int) ((sb + i + j * sl) * es), expect, (int) ((db + i * dk + j) * es), es);
                            }
                        }
                        assertArrayEquals(expect, dst.toArray(JAVA_BYTE), "es " + es + ", " + ni + " x " + nj);
                    }
                }
            }
        }
    }

    /** Distinct integer values, exact in every dtype (BF16 holds integers up to 256 exactly), of both signs. */
    private static Tensor values(DType dt, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = dt == DType.BOOL ? i % 3 == 0 ? 1 : 0 : (i * 37) % 251 - 125;
        return Tensor.of(v, shape).to(dt);
    }

    private static double[] asDoubles(Tensor t) {
        return t.to(DType.F64).toDoubleArray();
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void contiguousOfTransposedViews(DType dt) {
        for (int[] rc : new int[][] {{37, 53}, {18, 18}, {67, 131}, {130, 19}}) {
            int r = rc[0], c = rc[1];
            Tensor base = values(dt, r, c);
            double[] b = asDoubles(base);
            // rows 1 .. r - 2 and columns 2 .. c - 1, transposed: an offset view read across its unit-stride dim
            Tensor view = base.slice(0, 1, r - 1).slice(1, 2, c).transpose(0, 1);
            int nr = c - 2, nc = r - 2;
            double[] expect = new double[nr * nc];
            for (int i = 0; i < nr; i++) {
                for (int j = 0; j < nc; j++) expect[i * nc + j] = b[(1 + j) * c + 2 + i];
            }
            for (int threads : new int[] {1, 2, 3}) {
                int saved = Parallel.threads();
                try {
                    Parallel.setThreads(threads);
                    Tensor out = view.contiguous();
                    assertEquals(dt, out.dtype());
                    assertArrayEquals(expect, asDoubles(out), dt + " [" + r + ", " + c + "] on " + threads + " threads");
                } finally {
                    Parallel.setThreads(saved);
                }
            }
        }
    }

    /** A permute of the last two dims of a batch, sliced along the batch: the tiles repeat per outer index. */
    @ParameterizedTest
    @EnumSource(names = {"F32", "F64", "BF16", "I64", "BOOL"})
    void contiguousOfBatchedPermute(DType dt) {
        int bs = 5, r = 21, c = 40;
        Tensor base = values(dt, bs, r, c);
        double[] b = asDoubles(base);
        Tensor out = base.narrow(0, 1, bs - 2).permute(0, 2, 1).contiguous();
        double[] expect = new double[(bs - 2) * c * r];
        for (int q = 0; q < bs - 2; q++) {
            for (int i = 0; i < c; i++) {
                for (int j = 0; j < r; j++) expect[(q * c + i) * r + j] = b[((1 + q) * r + j) * c + i];
            }
        }
        assertArrayEquals(expect, asDoubles(out));
    }

    /**
     * a + b^T with b^T read across its unit-stride dim, so the elementwise plan gathers it tile by tile:
     * same dtype (the block transposes) and a half-precision input under an F32 loop (the cast path).
     */
    @ParameterizedTest
    @EnumSource(names = {"F32", "F64", "BF16", "F16", "I32", "I64"})
    void addWithTransposedInput(DType dt) {
        for (int[] rc : new int[][] {{19, 45}, {64, 256}, {70, 300}}) {
            int r = rc[0], c = rc[1];
            Tensor a = values(dt, r, c);
            Tensor big = values(dt, c + 3, r + 1);
            Tensor bt = big.slice(0, 3, c + 3).slice(1, 1, r + 1).transpose(0, 1);
            double[] av = asDoubles(a), bv = asDoubles(big);
            double[] expect = new double[r * c];
            for (int i = 0; i < r; i++) {
                for (int j = 0; j < c; j++) expect[i * c + j] = av[i * c + j] + bv[(3 + j) * (r + 1) + 1 + i];
            }
            for (int threads : new int[] {1, 2, 3}) {
                int saved = Parallel.threads();
                try {
                    Parallel.setThreads(threads);
                    assertArrayEquals(expect, asDoubles(a.add(bt)), dt + " [" + r + ", " + c + "] on " + threads + " threads");
                    // the transposed input first, so it is the operand gathered on either side
                    assertArrayEquals(expect, asDoubles(bt.add(a)), dt + " reversed");
                } finally {
                    Parallel.setThreads(saved);
                }
            }
        }
    }

    /** A transposed view converted to another dtype: transposed a tile at a time, each tile's rows converted. */
    @Test
    void castOfTransposedViews() {
        DType[][] pairs = {{DType.F32, DType.BF16}, {DType.BF16, DType.F32}, {DType.F32, DType.F64}, {DType.F64, DType.F32},
            {DType.F16, DType.F32}, {DType.I32, DType.F32}, {DType.I64, DType.I32}, {DType.BOOL, DType.F32}, {DType.F32, DType.I64}};
        int r = 70, c = 83;
        for (DType[] pair : pairs) {
            Tensor base = values(pair[0], r, c);
            double[] b = asDoubles(base);
            Tensor view = base.slice(0, 1, r).transpose(0, 1);
            double[] expect = new double[c * (r - 1)];
            for (int i = 0; i < c; i++) {
                for (int j = 0; j < r - 1; j++) expect[i * (r - 1) + j] = b[(1 + j) * c + i];
            }
            for (int threads : new int[] {1, 2, 3}) {
                int saved = Parallel.threads();
                try {
                    Parallel.setThreads(threads);
                    Tensor out = view.to(pair[1]);
                    assertEquals(pair[1], out.dtype());
                    assertArrayEquals(expect, asDoubles(out), pair[0] + " -> " + pair[1] + " on " + threads + " threads");
                } finally {
                    Parallel.setThreads(saved);
                }
            }
        }
    }
}
