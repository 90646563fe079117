package org.ddrl.tensor;

/**
 * Element types. Floating types compute in F32 (BF16, F16 are widened on load and rounded on store)
 * or F64; integer types compute in 64-bit integers; BOOL is stored as one byte holding 0 or 1.
 */
public enum DType {
    F32(4, true),
    F64(8, true),
    BF16(2, true),
    F16(2, true),
    I32(4, false),
    I64(8, false),
    BOOL(1, false);

    private final int byteSize;
    private final boolean floating;

    DType(int byteSize, boolean floating) {
        this.byteSize = byteSize;
        this.floating = floating;
    }

    public int byteSize() {
        return byteSize;
    }

    public boolean isFloatingPoint() {
        return floating;
    }

    /** I32 and I64 (BOOL is not counted as an integer type). */
    public boolean isIntegral() {
        return this == I32 || this == I64;
    }

    /** The type results of arithmetic on this type are computed in: F64 for F64, F32 for other floats, I64 for integers. */
    public DType computeType() {
        return switch (this) {
            case F64 -> F64;
            case F32, BF16, F16 -> F32;
            case I32, I64, BOOL -> I64;
        };
    }

    private int rank() {
        return switch (this) {
            case BOOL -> 0;
            case I32 -> 1;
            case I64 -> 2;
            case F16, BF16 -> 3;
            case F32 -> 4;
            case F64 -> 5;
        };
    }

    /**
     * Type promotion of two operands, as PyTorch does it for tensors of equal standing:
     * BOOL < I32 < I64 < {F16, BF16} < F32 < F64, and F16 with BF16 gives F32.
     */
    public static DType promote(DType a, DType b) {
        if (a == b) return a;
        if ((a == F16 && b == BF16) || (a == BF16 && b == F16)) return F32;
        return a.rank() >= b.rank() ? a : b;
    }

    /** Parses "f32", "float32", "bf16", "bfloat16", "int64", ... (case-insensitive). */
    public static DType parse(String name) {
        String n = name.trim().toLowerCase(java.util.Locale.ROOT);
        return switch (n) {
            case "f32", "float32", "float" -> F32;
            case "f64", "float64", "double" -> F64;
            case "bf16", "bfloat16" -> BF16;
            case "f16", "float16", "half" -> F16;
            case "i32", "int32", "int" -> I32;
            case "i64", "int64", "long" -> I64;
            case "bool" -> BOOL;
            default -> throw new IllegalArgumentException("unknown dtype '" + name
                    + "': expected one of f32, f64, bf16, f16, i32, i64, bool");
        };
    }
}
