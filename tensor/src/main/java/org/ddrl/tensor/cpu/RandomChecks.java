package org.ddrl.tensor.cpu;

import org.ddrl.tensor.DType;

/** Argument checks of the random ops, with messages that name the op and the offending values. */
final class RandomChecks {
    private RandomChecks() {}

    static void uniform(DType dt, double low, double high) {
        requireFloat("rand_uniform", dt);
        if (!(low < high) || !Double.isFinite(low) || !Double.isFinite(high) || !Double.isFinite(high - low)) {
            throw new IllegalArgumentException("rand_uniform: need finite low < high with a finite high - low, got [" + low
                    + ", " + high + ")");
        }
    }

    static void normal(DType dt, double mean, double std) {
        requireFloat("rand_normal", dt);
        if (!Double.isFinite(mean) || !(std >= 0) || !Double.isFinite(std)) {
            throw new IllegalArgumentException("rand_normal: need a finite mean and a finite std >= 0, got mean " + mean
                    + " std " + std);
        }
    }

    /** low < high, and every integer in [low, high) must be exact in dt. */
    static void randint(DType dt, long low, long high) {
        if (low >= high) throw new IllegalArgumentException("rand_int: need low < high, got [" + low + ", " + high + ")");
        long min, max;
        switch (dt) {
            case I64 -> { return; }
            case I32 -> { min = Integer.MIN_VALUE; max = Integer.MAX_VALUE; }
            case BOOL -> { min = 0; max = 1; }
            // floats: integers up to 2^significand bits are exact
            case F64 -> { min = -(1L << 53); max = 1L << 53; }
            case F32 -> { min = -(1L << 24); max = 1L << 24; }
            case F16 -> { min = -(1L << 11); max = 1L << 11; }
            case BF16 -> { min = -(1L << 8); max = 1L << 8; }
            default -> throw new IllegalStateException(dt.toString());
        }
        if (low < min || high - 1 > max) {
            throw new IllegalArgumentException("rand_int: [" + low + ", " + high + ") does not fit " + dt.name().toLowerCase()
                    + ", whose exact integers run from " + min + " to " + max);
        }
    }

    private static void requireFloat(String op, DType dt) {
        if (!dt.isFloatingPoint()) throw new IllegalArgumentException(op + ": needs a floating dtype, got " + dt);
    }
}
