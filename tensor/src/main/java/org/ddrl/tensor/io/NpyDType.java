package org.ddrl.tensor.io;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.cpu.CpuTensors;

/**
 * A NumPy scalar type descriptor such as {@code <f4}: byte order, kind (f, i, u, b) and size, and the dtype it
 * loads as. Types with a dtype of the same size load bit for bit; the small integer types i1, u1, i2 and u2 widen
 * exactly to I32 and u4 to I64, since tensors have no narrower integers. u8 is refused: its values above 2^63 - 1
 * have no I64.
 */
record NpyDType(char kind, int size, ByteOrder order, DType dtype) {
    /** Parses {@code descr}; {@code where} names the file in messages. */
    static NpyDType parse(String where, String descr) throws TensorFileException {
        String body = descr;
        char orderChar = '=';
        if (!descr.isEmpty() && "<>|=".indexOf(descr.charAt(0)) >= 0) {
            orderChar = descr.charAt(0);
            body = descr.substring(1);
        }
        DType dtype = switch (body) {
            case "f2" -> DType.F16;
            case "f4" -> DType.F32;
            case "f8" -> DType.F64;
            case "i1", "u1", "i2", "u2", "i4" -> DType.I32;
            case "u4", "i8" -> DType.I64;
            case "b1" -> DType.BOOL;
            case "u8" -> throw new TensorFileException(where + ": descr '" + descr
                    + "' (uint64) is not supported: values above 2^63 - 1 have no I64; save it as int64 if they fit");
            default -> throw new TensorFileException(where + ": unsupported descr '" + descr
                    + "' (supported: f2, f4, f8, i1, i2, i4, i8, u1, u2, u4, b1, with byte order <, > or =)");
        };
        int size = body.charAt(1) - '0';
        if (orderChar == '|' && size > 1) {
            throw new TensorFileException(where + ": descr '" + descr + "' marks a " + size + "-byte type as having no byte order ('|')");
        }
        ByteOrder order = switch (orderChar) {
            case '<' -> ByteOrder.LITTLE_ENDIAN;
            case '>' -> ByteOrder.BIG_ENDIAN;
            default -> ByteOrder.nativeOrder();
        };
        return new NpyDType(body.charAt(0), size, order, dtype);
    }

    /** The descr a tensor of {@code dtype} is written as, or null for BF16, which NumPy has no type for. */
    static String descrOf(DType dtype) {
        return switch (dtype) {
            case F32 -> "<f4";
            case F64 -> "<f8";
            case F16 -> "<f2";
            case I32 -> "<i4";
            case I64 -> "<i8";
            case BOOL -> "|b1";
            case BF16 -> null;
        };
    }

    /** A new dense CPU tensor of {@code shape} from elements of this type at the start of {@code src}. */
    Tensor read(MemorySegment src, int[] shape) {
        if (size == dtype.byteSize()) return TensorBytes.read(src, 0, order, dtype, shape);
        Tensor t = Tensor.empty(dtype, Device.CPU, shape);
        MemorySegment dst = CpuTensors.seg(t);
        long n = t.numel();
        boolean unsigned = kind == 'u';
        ValueLayout.OfShort s16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(order);
        ValueLayout.OfInt s32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(order);
        for (long i = 0; i < n; i++) {
            long v = switch (size) {
                case 1 -> unsigned ? src.get(ValueLayout.JAVA_BYTE, i) & 0xffL : src.get(ValueLayout.JAVA_BYTE, i);
                case 2 -> unsigned ? src.get(s16, 2 * i) & 0xffffL : src.get(s16, 2 * i);
                default -> src.get(s32, 4 * i) & 0xffffffffL; // only u4 widens from 4 bytes
            };
            if (dtype == DType.I32) dst.setAtIndex(ValueLayout.JAVA_INT, i, (int) v);
            else dst.setAtIndex(ValueLayout.JAVA_LONG, i, v);
        }
        return t;
    }
}
