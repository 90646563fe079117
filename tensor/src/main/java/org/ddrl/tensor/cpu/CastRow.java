package org.ddrl.tensor.cpu;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.ddrl.kernels.cpu.HalfFloats;
import org.ddrl.tensor.DType;

/**
 * One strided row of a dtype conversion. The common pairs get their own loops (the conversion hoisted
 * out of the loop); the rest go through the general per-element path. Integer to integer is exact.
 *
 * <p>Rows that are unit-stride on both sides convert a vector at a time for F32 to and from BF16 and F64,
 * with the same bits as the element loops: BF16 to F32 is a 16-bit shift, F32 to BF16 rounds to nearest
 * even on the bits (NaN kept quiet), exactly as {@link HalfFloats}; F32 and F64 convert as Java casts do.
 */
final class CastRow {
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    /** 16-bit lanes, as many as F has. */
    private static final VectorSpecies<Short> H = VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    /** 32-bit float lanes, as many as D has. */
    private static final VectorSpecies<Float> FD = VectorSpecies.of(float.class, VectorShape.forBitSize(D.vectorBitSize() / 2));

    private CastRow() {}

    static void cast(MemorySegment s, DType sdt, long sb, long ss, MemorySegment d, DType ddt, long db, long ds, int n) {
        if (ss == 1 && ds == 1 && n >= F.length()) {
            int done = dense(s, sdt, sb, d, ddt, db, n);
            if (done > 0) {
                if (done < n) cast(s, sdt, sb + done, 1, d, ddt, db + done, 1, n - done);
                return;
            }
        }
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

    /** The whole vectors of a unit-stride row for the pairs that have a vector loop: elements done, 0 for other pairs. */
    private static int dense(MemorySegment s, DType sdt, long sb, MemorySegment d, DType ddt, long db, int n) {
        if (sdt == DType.BF16 && ddt == DType.F32) {
            int up = n - n % H.length();
            for (int i = 0; i < up; i += H.length()) {
                ShortVector.fromMemorySegment(H, s, (sb + i) * 2, NATIVE).convertShape(VectorOperators.S2I, I, 0)
                        .lanewise(VectorOperators.LSHL, 16).intoMemorySegment(d, (db + i) * 4, NATIVE);
            }
            return up;
        }
        if (sdt == DType.F32 && ddt == DType.BF16) {
            int up = n - n % I.length();
            for (int i = 0; i < up; i += I.length()) {
                IntVector bits = IntVector.fromMemorySegment(I, s, (sb + i) * 4, NATIVE);
                IntVector high = bits.lanewise(VectorOperators.LSHR, 16);
                VectorMask<Integer> nan = bits.and(0x7fffffff).compare(VectorOperators.GT, 0x7f800000);
                IntVector rounded = bits.add(high.and(1).add(0x7fff)).lanewise(VectorOperators.LSHR, 16);
                rounded.blend(high.or(0x0040), nan).convertShape(VectorOperators.I2S, H, 0)
                        .intoMemorySegment(d, (db + i) * 2, NATIVE);
            }
            return up;
        }
        if (sdt == DType.F32 && ddt == DType.F64) {
            int up = n - n % D.length();
            for (int i = 0; i < up; i += D.length()) {
                FloatVector.fromMemorySegment(FD, s, (sb + i) * 4, NATIVE).convertShape(VectorOperators.F2D, D, 0)
                        .intoMemorySegment(d, (db + i) * 8, NATIVE);
            }
            return up;
        }
        if (sdt == DType.F64 && ddt == DType.F32) {
            int up = n - n % D.length();
            for (int i = 0; i < up; i += D.length()) {
                DoubleVector.fromMemorySegment(D, s, (sb + i) * 8, NATIVE).convertShape(VectorOperators.D2F, FD, 0)
                        .intoMemorySegment(d, (db + i) * 4, NATIVE);
            }
            return up;
        }
        return 0;
    }
}
