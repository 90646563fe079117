package org.ddrl.tensor.cpu;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;
import org.ddrl.kernels.cpu.HalfFloats;
import org.ddrl.tensor.DType;

/**
 * Reads and writes single elements of any dtype at an element index. The slow, general path: kernels
 * use it for odd dtypes and strided gathers, and vector loops for the dense F32/F64 cases.
 */
public final class Elements {
    private Elements() {}

    public static double getD(MemorySegment s, DType dt, long i) {
        return switch (dt) {
            case F32 -> s.getAtIndex(JAVA_FLOAT, i);
            case F64 -> s.getAtIndex(JAVA_DOUBLE, i);
            case BF16 -> HalfFloats.bf16ToFloat(s.getAtIndex(JAVA_SHORT, i));
            case F16 -> HalfFloats.f16ToFloat(s.getAtIndex(JAVA_SHORT, i));
            case I32 -> s.getAtIndex(JAVA_INT, i);
            case I64 -> s.getAtIndex(JAVA_LONG, i);
            case BOOL -> s.get(JAVA_BYTE, i) != 0 ? 1 : 0;
        };
    }

    /** Stores v converted to dt: floats round, integers truncate toward zero (NaN gives 0), BOOL is v != 0. */
    public static void setD(MemorySegment s, DType dt, long i, double v) {
        switch (dt) {
            case F32 -> s.setAtIndex(JAVA_FLOAT, i, (float) v);
            case F64 -> s.setAtIndex(JAVA_DOUBLE, i, v);
            case BF16 -> s.setAtIndex(JAVA_SHORT, i, HalfFloats.floatToBf16((float) v));
            case F16 -> s.setAtIndex(JAVA_SHORT, i, HalfFloats.floatToF16((float) v));
            case I32 -> s.setAtIndex(JAVA_INT, i, (int) (long) v);
            case I64 -> s.setAtIndex(JAVA_LONG, i, (long) v);
            case BOOL -> s.set(JAVA_BYTE, i, (byte) (v != 0 ? 1 : 0));
        }
    }

    /** Exact for integer dtypes; floats truncate toward zero. */
    public static long getL(MemorySegment s, DType dt, long i) {
        return switch (dt) {
            case I32 -> s.getAtIndex(JAVA_INT, i);
            case I64 -> s.getAtIndex(JAVA_LONG, i);
            case BOOL -> s.get(JAVA_BYTE, i) != 0 ? 1 : 0;
            default -> (long) getD(s, dt, i);
        };
    }

    public static void setL(MemorySegment s, DType dt, long i, long v) {
        switch (dt) {
            case I32 -> s.setAtIndex(JAVA_INT, i, (int) v);
            case I64 -> s.setAtIndex(JAVA_LONG, i, v);
            case BOOL -> s.set(JAVA_BYTE, i, (byte) (v != 0 ? 1 : 0));
            default -> setD(s, dt, i, v);
        }
    }
}
