package org.ddrl.tensor.io;

import org.ddrl.tensor.DType;

/**
 * The element types a safetensors header can name, spelled as in the file. Only those with a {@link #dtype()}
 * can be loaded into tensors; the others are still listed so that a file holding them can be opened and the
 * supported tensors read.
 */
public enum SafetensorsDType {
    BOOL(8, DType.BOOL),
    F4(4, null),
    F6_E2M3(6, null),
    F6_E3M2(6, null),
    U8(8, null),
    I8(8, null),
    F8_E5M2(8, null),
    F8_E4M3(8, null),
    F8_E8M0(8, null),
    I16(16, null),
    U16(16, null),
    F16(16, DType.F16),
    BF16(16, DType.BF16),
    I32(32, DType.I32),
    U32(32, null),
    F32(32, DType.F32),
    C64(64, null),
    F64(64, DType.F64),
    I64(64, DType.I64),
    U64(64, null);

    private final int bits;
    private final DType dtype;

    SafetensorsDType(int bits, DType dtype) {
        this.bits = bits;
        this.dtype = dtype;
    }

    /** Bits per element; the sub-byte float types pack several elements into a byte. */
    public int bits() {
        return bits;
    }

    /** The tensor dtype this loads as, or null when there is none. */
    public DType dtype() {
        return dtype;
    }

    /** The type a tensor of {@code dtype} is saved as. */
    public static SafetensorsDType of(DType dtype) {
        return switch (dtype) {
            case F32 -> F32;
            case F64 -> F64;
            case BF16 -> BF16;
            case F16 -> F16;
            case I32 -> I32;
            case I64 -> I64;
            case BOOL -> BOOL;
        };
    }

    /** The type spelled {@code name} in a header, or null when no type has that name. */
    static SafetensorsDType byName(String name) {
        for (SafetensorsDType t : values()) {
            if (t.name().equals(name)) return t;
        }
        return null;
    }
}
