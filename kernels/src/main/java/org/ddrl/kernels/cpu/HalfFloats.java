package org.ddrl.kernels.cpu;

/** Conversions between float and the 16-bit float formats, rounding to nearest even. */
public final class HalfFloats {
    private HalfFloats() {}

    /** bfloat16 keeps float's exponent and the top 7 mantissa bits. */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    public static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7fffffff) > 0x7f800000) return (short) ((bits >>> 16) | 0x0040); // NaN stays a quiet NaN
        int roundingBias = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + roundingBias) >>> 16);
    }

    public static float f16ToFloat(short bits) {
        return Float.float16ToFloat(bits);
    }

    public static short floatToF16(float f) {
        return Float.floatToFloat16(f);
    }
}
