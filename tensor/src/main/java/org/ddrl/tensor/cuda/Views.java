package org.ddrl.tensor.cuda;

import java.util.Arrays;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Tensor;

/**
 * Operands of one launch as packed views that share the same sizes, so a single row-major linear index
 * addresses an element of each. Each operand is broadcast to the shared shape (stride 0 where it has
 * size 1 or lacks the dim); then size-1 dims are dropped and neighbouring dims merged wherever every
 * operand lays them out alike (outer stride = inner stride * inner size). Merging keeps every element's
 * linear index, so kernels see the same elements, and dense tensors arrive as a single dim.
 */
final class Views {
    private Views() {}

    /** Strides of t read as shape (t broadcastable to it). */
    static long[] broadcastStrides(Tensor t, int[] shape) {
        int[] ts = t.shape();
        long[] st = t.strides();
        long[] out = new long[shape.length];
        int lead = shape.length - ts.length;
        for (int d = 0; d < shape.length; d++) {
            int k = d - lead;
            out[d] = k < 0 || ts[k] == 1 ? 0 : st[k];
        }
        return out;
    }

    /** The tensors (each broadcastable to shape) as jointly merged views, in order. */
    static byte[][] of(int[] shape, Tensor... ts) {
        long[][] strides = new long[ts.length][];
        long[] offsets = new long[ts.length];
        DType[] dtypes = new DType[ts.length];
        for (int i = 0; i < ts.length; i++) {
            strides[i] = broadcastStrides(ts[i], shape);
            offsets[i] = ts[i].offset();
            dtypes[i] = ts[i].dtype();
        }
        return of(shape, strides, offsets, dtypes);
    }

    /** One tensor alone, merged. */
    static byte[] of(Tensor t) {
        return of(t.shape(), t)[0];
    }

    /** Views given by strides over shape, jointly merged. */
    static byte[][] of(int[] shape, long[][] strides, long[] offsets, DType[] dtypes) {
        Merged m = merge(shape, strides);
        byte[][] out = new byte[strides.length][];
        for (int i = 0; i < out.length; i++) out[i] = ViewDesc.pack(m.sizes(), m.strides()[i], offsets[i], dtypes[i]);
        return out;
    }

    /** Sizes shared by several operands and each operand's strides, after merging. */
    record Merged(int[] sizes, long[][] strides) {}

    /** Drops size-1 dims and merges neighbours that every operand lays out alike (outer stride = inner stride * inner size). */
    static Merged merge(int[] shape, long[][] strides) {
        int k = strides.length;
        int[] sizes = new int[shape.length];
        long[][] st = new long[k][shape.length];
        int rank = 0;
        // from the innermost dim outwards: merge into the current innermost kept dim when all operands allow it
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] == 1) continue;
            boolean merge = rank > 0 && (long) sizes[rank - 1] * shape[d] <= Integer.MAX_VALUE;
            for (int i = 0; merge && i < k; i++) merge = strides[i][d] == st[i][rank - 1] * sizes[rank - 1];
            if (merge) {
                sizes[rank - 1] *= shape[d]; // the merged dim keeps the inner stride
            } else {
                sizes[rank] = shape[d];
                for (int i = 0; i < k; i++) st[i][rank] = strides[i][d];
                rank++;
            }
        }
        // the loop collected dims innermost first: reverse into row-major order
        int[] rs = new int[rank];
        for (int d = 0; d < rank; d++) rs[d] = sizes[rank - 1 - d];
        long[][] rst = new long[k][rank];
        for (int i = 0; i < k; i++) {
            for (int d = 0; d < rank; d++) rst[i][d] = st[i][rank - 1 - d];
        }
        return new Merged(rs, rst);
    }

    /** sizes and strides with two more trailing dims appended. */
    static byte[] withMatrix(int[] sizes, long[] strides, int rows, int cols, long rowStride, long colStride, long offset, DType dt) {
        int r = sizes.length;
        int[] s = Arrays.copyOf(sizes, r + 2);
        long[] st = Arrays.copyOf(strides, r + 2);
        s[r] = rows;
        s[r + 1] = cols;
        st[r] = rowStride;
        st[r + 1] = colStride;
        return ViewDesc.pack(s, st, offset, dt);
    }

    /** The shape with dims reordered by perm (shape[perm[0]], shape[perm[1]], ...). */
    static int[] permute(int[] shape, int[] perm) {
        int[] out = new int[perm.length];
        for (int i = 0; i < perm.length; i++) out[i] = shape[perm[i]];
        return out;
    }

    static long[] permute(long[] strides, int[] perm) {
        long[] out = new long[perm.length];
        for (int i = 0; i < perm.length; i++) out[i] = strides[perm[i]];
        return out;
    }

    /** The dims not in {@code moved}, in order, then {@code moved} in order: a permutation moving those dims last. */
    static int[] moveLast(int rank, int[] moved) {
        boolean[] m = new boolean[rank];
        for (int d : moved) m[d] = true;
        int[] perm = new int[rank];
        int j = 0;
        for (int d = 0; d < rank; d++) if (!m[d]) perm[j++] = d;
        for (int d : moved) perm[j++] = d;
        return perm;
    }

    /** "f32[2, 3]" for messages. */
    static String desc(Tensor t) {
        return t.dtype().name().toLowerCase() + Arrays.toString(t.shape());
    }
}
