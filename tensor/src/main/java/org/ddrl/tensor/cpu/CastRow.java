package org.ddrl.tensor.cpu;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;
import org.ddrl.kernels.cpu.HalfFloats;
import org.ddrl.tensor.DType;

/**
 * One strided row of a dtype conversion. The common pairs get their own loops (the conversion hoisted
 * out of the loop); the rest go through the general per-element path. Integer to integer is exact.
 */
final class CastRow {
    private CastRow() {}

    static void cast(MemorySegment s, DType sdt, long sb, long ss, MemorySegment d, DType ddt, long db, long ds, int n) {
        switch (sdt) {
            case F32 -> {
                switch (ddt) {
                    case F64 -> {
                        for (int j = 0; j < n; j++) d.setAtIndex(JAVA_DOUBLE, db + j * ds, s.getAtIndex(JAVA_FLOAT, sb + j * ss));
                        return;
                    }
                    case BF16 -> {
                        for (int j = 0; j < n; j++) d.setAtIndex(JAVA_SHORT, db + j * ds, HalfFloats.floatToBf16(s.getAtIndex(JAVA_FLOAT, sb + j * ss)));
                        return;
                    }
                    case F16 -> {
                        for (int j = 0; j < n; j++) d.setAtIndex(JAVA_SHORT, db + j * ds, HalfFloats.floatToF16(s.getAtIndex(JAVA_FLOAT, sb + j * ss)));
                        return;
                    }
                    default -> { }
                }
            }
            case F64 -> {
                if (ddt == DType.F32) {
                    for (int j = 0; j < n; j++) d.setAtIndex(JAVA_FLOAT, db + j * ds, (float) s.getAtIndex(JAVA_DOUBLE, sb + j * ss));
                    return;
                }
            }
            case BF16 -> {
                if (ddt == DType.F32) {
                    for (int j = 0; j < n; j++) d.setAtIndex(JAVA_FLOAT, db + j * ds, HalfFloats.bf16ToFloat(s.getAtIndex(JAVA_SHORT, sb + j * ss)));
                    return;
                }
            }
            case F16 -> {
                if (ddt == DType.F32) {
                    for (int j = 0; j < n; j++) d.setAtIndex(JAVA_FLOAT, db + j * ds, HalfFloats.f16ToFloat(s.getAtIndex(JAVA_SHORT, sb + j * ss)));
                    return;
                }
            }
            case I64 -> {
                if (ddt == DType.F32) {
                    for (int j = 0; j < n; j++) d.setAtIndex(JAVA_FLOAT, db + j * ds, (float) (double) s.getAtIndex(JAVA_LONG, sb + j * ss));
                    return;
                }
                if (ddt == DType.I32) {
                    for (int j = 0; j < n; j++) d.setAtIndex(JAVA_INT, db + j * ds, (int) s.getAtIndex(JAVA_LONG, sb + j * ss));
                    return;
                }
            }
            case I32 -> {
                if (ddt == DType.I64) {
                    for (int j = 0; j < n; j++) d.setAtIndex(JAVA_LONG, db + j * ds, s.getAtIndex(JAVA_INT, sb + j * ss));
                    return;
                }
                if (ddt == DType.F32) {
                    for (int j = 0; j < n; j++) d.setAtIndex(JAVA_FLOAT, db + j * ds, s.getAtIndex(JAVA_INT, sb + j * ss));
                    return;
                }
            }
            default -> { }
        }
        if (!sdt.isFloatingPoint() && !ddt.isFloatingPoint()) {
            for (int j = 0; j < n; j++) Elements.setL(d, ddt, db + j * ds, Elements.getL(s, sdt, sb + j * ss));
        } else {
            for (int j = 0; j < n; j++) Elements.setD(d, ddt, db + j * ds, Elements.getD(s, sdt, sb + j * ss));
        }
    }
}
