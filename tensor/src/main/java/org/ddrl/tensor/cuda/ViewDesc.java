package org.ddrl.tensor.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.ddrl.tensor.DType;

/**
 * A tensor view packed as the kernels' by-value {@code ddrl_view} struct (kernels/src/main/cuda/ddrl_view.cuh).
 * The C layout, 112 bytes, 8-byte aligned, little-endian:
 * <pre>
 *   offset   0  long long offset      element offset of element [0, ..., 0]
 *   offset   8  long long stride[8]   element strides (0 on broadcast dims)
 *   offset  72  int       size[8]     extents
 *   offset 104  int       rank        0..8
 *   offset 108  int       dtype       {@link #code(DType)}
 * </pre>
 * Entries past rank are zero.
 */
final class ViewDesc {
    static final int BYTES = 112;
    static final int ALIGNMENT = 8;
    static final int MAX_DIMS = 8;

    private ViewDesc() {}

    /** The dtype code the kernels use (ddrl_dtype.cuh): F32 0, F64 1, BF16 2, F16 3, I32 4, I64 5, BOOL 6. */
    static int code(DType dt) {
        return switch (dt) {
            case F32 -> 0;
            case F64 -> 1;
            case BF16 -> 2;
            case F16 -> 3;
            case I32 -> 4;
            case I64 -> 5;
            case BOOL -> 6;
        };
    }

    static byte[] pack(int[] sizes, long[] strides, long offset, DType dtype) {
        if (sizes.length > MAX_DIMS) {
            throw new IllegalArgumentException("CUDA kernels address at most " + MAX_DIMS + " dims after merging, got sizes "
                    + Arrays.toString(sizes) + " with strides " + Arrays.toString(strides) + "; make the tensor contiguous first");
        }
        ByteBuffer b = ByteBuffer.allocate(BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, offset);
        for (int d = 0; d < sizes.length; d++) {
            b.putLong(8 + 8 * d, strides[d]);
            b.putInt(72 + 4 * d, sizes[d]);
        }
        b.putInt(104, sizes.length);
        b.putInt(108, code(dtype));
        return b.array();
    }

    /** A placeholder for an absent optional operand (the kernel is told by a null pointer). */
    static byte[] none() {
        return pack(new int[0], new long[0], 0, DType.F32);
    }
}
