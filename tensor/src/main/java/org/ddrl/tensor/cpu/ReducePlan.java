package org.ddrl.tensor.cpu;

import java.lang.foreign.MemorySegment;
import java.util.Comparator;
import java.util.stream.IntStream;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Tensor;

/**
 * How a reduction reads its input: as {@code outer x len x inner} elements of one compute dtype at
 * {@code base} in {@code seg}, reducing the middle index. Output element {@code o * inner + i} then lies
 * in row-major order of the kept dims.
 *
 * <p>An input that densely tiles memory (contiguous, or a permutation of a contiguous tensor such as a
 * transpose) is read in place when, in memory order, its reduced dims form one block and its kept dims
 * keep their logical order; {@code inner > 1} when kept dims follow the block, which the column kernels
 * handle without a transposing copy. Anything else is copied once, with the reduced dims moved last,
 * so that {@code inner == 1}.
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
        // A contiguous input of another dtype converts without changing its layout.
        Tensor src = x.dtype() != cdt && x.isContiguous() ? CpuTensors.dense(x, cdt, shape) : x;
        int[] order = src.dtype() == cdt ? memoryOrder(src) : null;
        if (order != null) {
            long a = 1, r = 1, b = 1;
            int state = 0; // 0: before the reduced block, 1: inside it, 2: after it
            int lastKept = -1;
            boolean block = true;
            for (int i : order) {
                if (red[i]) {
                    if (state == 2) block = false;
                    state = 1;
                    r *= shape[i];
                    continue;
                }
                if (i < lastKept) block = false; // outputs would come out transposed
                lastKept = i;
                if (state == 0) {
                    a *= shape[i];
                } else {
                    state = 2;
                    b *= shape[i];
                }
            }
            if (block && (b == 1 || columns)) {
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
        checkOutputs(op, o, x);
        Tensor moved = x.permute(perm);
        Tensor dense = CpuTensors.dense(moved, cdt, moved.shape());
        return new ReducePlan(CpuTensors.seg(dense), dense.offset(), cdt, (int) o, r, 1);
    }

    /**
     * The dims of size > 1 from the largest stride to the smallest, when they tile memory densely (each
     * stride is the product of the sizes after it); otherwise null. Size-1 dims are left out: they do not
     * change the memory order.
     */
    private static int[] memoryOrder(Tensor t) {
        int[] shape = t.shape();
        long[] strides = t.strides();
        int[] order = IntStream.range(0, shape.length).filter(i -> shape[i] != 1).boxed()
                .sorted(Comparator.comparingLong((Integer i) -> -strides[i])).mapToInt(Integer::intValue).toArray();
        long expected = 1;
        for (int k = order.length - 1; k >= 0; k--) {
            if (strides[order[k]] != expected) return null;
            expected *= shape[order[k]];
        }
        return order;
    }

    /** Results are gathered in Java arrays, so the output count must fit one. */
    private static void checkOutputs(String op, long n, Tensor x) {
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(op + ": " + n + " outputs for input " + CpuTensors.desc(x)
                    + " are more than one Java array holds");
        }
    }
}
