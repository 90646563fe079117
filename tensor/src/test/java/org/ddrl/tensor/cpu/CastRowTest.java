package org.ddrl.tensor.cpu;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.ddrl.kernels.cpu.HalfFloats;
import org.ddrl.tensor.DType;
import org.junit.jupiter.api.Test;

/**
 * The vector loops of {@link CastRow} (unit-stride rows of F32 to and from BF16 and F64) give exactly the
 * bits of the element-by-element conversions, on values that exercise every branch: NaNs with payloads
 * (which BF16 must keep quiet), infinities, signed zeros, subnormals, and BF16 rounding ties to even in
 * both directions; rows of every length around the vector width, at odd offsets.
 */
class CastRowTest {
    private static final int N = 300;

    private static float[] specials() {
        Random rnd = new Random(9);
        float[] v = new float[N];
        float[] fixed = {Float.NaN, Float.intBitsToFloat(0x7f800001), Float.intBitsToFloat(0xffc01234), Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY, 0f, -0f, Float.MIN_VALUE, -Float.MIN_NORMAL / 3, Float.MAX_VALUE, -Float.MAX_VALUE,
            Float.intBitsToFloat(0x3f808000), Float.intBitsToFloat(0x3f818000), Float.intBitsToFloat(0x3f808001),
            Float.intBitsToFloat(0xbf818000), Float.intBitsToFloat(0x7f7f8000), 1e-40f, 3.4e38f};
        for (int i = 0; i < N; i++) {
            v[i] = i < fixed.length ? fixed[i] : i % 3 == 0 ? Float.intBitsToFloat(rnd.nextInt()) : (float) rnd.nextGaussian() * 100;
        }
        return v;
    }

    @Test
    void vectorRowsMatchElementConversions() {
        float[] v = specials();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment f32 = arena.allocate(4L * N + 64), bf16 = arena.allocate(2L * N + 64), f64 = arena.allocate(8L * N + 64);
            MemorySegment out32 = arena.allocate(4L * N + 64), out16 = arena.allocate(2L * N + 64), out64 = arena.allocate(8L * N + 64);
            for (int i = 0; i < N; i++) {
                f32.setAtIndex(JAVA_FLOAT, i, v[i]);
                bf16.setAtIndex(JAVA_SHORT, i, (short) (Float.floatToRawIntBits(v[i]) >>> 16));
                f64.setAtIndex(JAVA_DOUBLE, i, i % 5 == 0 ? Double.longBitsToDouble(Double.doubleToRawLongBits(v[i]) + 12345) : v[i] * 1.000000123);
            }
            for (int off : new int[] {0, 3}) {
                for (int n : new int[] {1, 7, 8, 15, 16, 17, 31, 33, 64, 65, N - off}) {
                    CastRow.cast(f32, DType.F32, off, 1, out16, DType.BF16, off, 1, n);
                    CastRow.cast(bf16, DType.BF16, off, 1, out32, DType.F32, off, 1, n);
                    CastRow.cast(f32, DType.F32, off, 1, out64, DType.F64, off, 1, n);
                    for (int i = off; i < off + n; i++) {
                        float x = f32.getAtIndex(JAVA_FLOAT, i);
                        assertEquals(HalfFloats.floatToBf16(x), out16.getAtIndex(JAVA_SHORT, i), "F32 -> BF16 of " + x + " at " + i);
                        assertEquals(Float.floatToRawIntBits(HalfFloats.bf16ToFloat(bf16.getAtIndex(JAVA_SHORT, i))),
                                Float.floatToRawIntBits(out32.getAtIndex(JAVA_FLOAT, i)), "BF16 -> F32 at " + i);
                        assertEquals(Double.doubleToRawLongBits(x), Double.doubleToRawLongBits(out64.getAtIndex(JAVA_DOUBLE, i)),
                                "F32 -> F64 of " + x);
                    }
                    CastRow.cast(f64, DType.F64, off, 1, out32, DType.F32, off, 1, n);
                    for (int i = off; i < off + n; i++) {
                        double x = f64.getAtIndex(JAVA_DOUBLE, i);
                        assertEquals(Float.floatToRawIntBits((float) x), Float.floatToRawIntBits(out32.getAtIndex(JAVA_FLOAT, i)),
                                "F64 -> F32 of " + x);
                    }
                }
            }
        }
    }
}
