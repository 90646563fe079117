package org.ddrl.tensor.cpu;

import java.lang.foreign.MemorySegment;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Tensor;

/**
 * How a reduction reads its input: as {@code outer x len x inner} elements of one compute dtype at
 * {@code base} in {@code seg}, reducing the middle index. Output element {@code o * inner + i} then lies
 * in row-major order of the kept dims.
 *
 * <p>A contiguous input whose reduced dims form one block is read in place ({@code inner > 1} when
 * kept dims follow the block, which the column kernels handle without a transposing copy). Anything
 * else is copied once, with the reduced dims moved last, so that {@code inner == 1}.
 */
record ReducePlan(MemorySegment seg, long base, DType cdt, int outer, long len, int inner) {

    /**
     * @param op the op name, for messages
     * @param dims normalized, sorted reduced dims
     * @param columns whether the caller has kernels for {@code inner > 1}; if not, the input is made
     *     into rows whenever kept dims follow the reduced block
     */
    static ReducePlan of(String op, Tensor x, int[] dims, DType cdt, boolean columns) {
        int[] shape = x.shape();
        boolean[] red = new boolean[shape.length];
        for (int d : dims) red[d] = true;
        if (x.isContiguous()) {
            // Size-1 dims are neither kept nor reduced as far as memory order goes: skip them.
            long a = 1, r = 1, b = 1;
            int state = 0; // 0: before the reduced block, 1: inside it, 2: after it
            boolean block = true;
            for (int i = 0; i < shape.length; i++) {
                if (shape[i] == 1) continue;
                if (red[i]) {
                    if (state == 2) block = false;
                    state = 1;
                    r *= shape[i];
                } else if (state == 0) {
                    a *= shape[i];
                } else {
                    state = 2;
                    b *= shape[i];
                }
            }
            if (block && (b == 1 || columns)) {
                Tensor src = x.dtype() == cdt ? x : CpuTensors.dense(x, cdt, shape);
                checkOutputs(op, a * b, x);
                return new ReducePlan(CpuTensors.seg(src), src.offset(), cdt, (int) a, r, (int) b);
            }
        }
        int[] perm = new int[shape.length];
        int k = 0;
        long r = 1, o = 1;
        for (int i = 0; i < shape.length; i++) {
            if (!red[i]) {
                perm[k++] = i;
                o *= shape[i];
            }
        }
        for (int i = 0; i < shape.length; i++) {
            if (red[i]) {
                perm[k++] = i;
                r *= shape[i];
            }
        }
        Tensor moved = x.permute(perm);
        Tensor src = CpuTensors.dense(moved, cdt, moved.shape());
        checkOutputs(op, o, x);
        return new ReducePlan(CpuTensors.seg(src), src.offset(), cdt, (int) o, r, 1);
    }

    /** Results are gathered in Java arrays, so the output count must fit one. */
    private static void checkOutputs(String op, long n, Tensor x) {
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(op + ": " + n + " outputs for input " + CpuTensors.desc(x)
                    + " are more than one Java array holds");
        }
    }
}
