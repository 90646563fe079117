package org.ddrl.tensor.cpu;

import java.lang.foreign.MemorySegment;
import org.ddrl.tensor.Tensor;

/**
 * One attention input as the GEMM and the softmax read it, without copying: the storage, the element
 * offset of each batch entry's matrix (broadcast batch dims repeat an offset), and the matrix's row and
 * column strides. Size-1 and missing dims get stride 0, which is how broadcasting costs nothing.
 */
record AttentionOperand(MemorySegment seg, long[] batchOffsets, long rowStride, long colStride) {

    /** t viewed as {@code target} = [batch..., rows, cols], to which it must broadcast. */
    static AttentionOperand of(Tensor t, int[] target) {
        int r = target.length, lead = r - t.dim();
        int[] shape = t.shape();
        long[] st = t.strides();
        long[] s = new long[r];
        for (int d = Math.max(lead, 0); d < r; d++) s[d] = shape[d - lead] == 1 ? 0 : st[d - lead];
        int nb = r - 2;
        long count = 1;
        for (int d = 0; d < nb; d++) count *= target[d];
        if (count > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("sdpa: " + count + " batch entries are too many (scores " + java.util.Arrays.toString(target) + ")");
        }
        long[] offsets = new long[(int) count];
        int[] idx = new int[nb];
        long off = t.offset();
        for (int b = 0; b < offsets.length; b++) {
            offsets[b] = off;
            for (int d = nb - 1; d >= 0; d--) {
                if (++idx[d] < target[d]) {
                    off += s[d];
                    break;
                }
                off -= (long) (target[d] - 1) * s[d];
                idx[d] = 0;
            }
        }
        return new AttentionOperand(CpuTensors.seg(t), offsets, s[r - 2], s[r - 1]);
    }
}
