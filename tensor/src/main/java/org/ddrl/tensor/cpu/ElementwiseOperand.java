package org.ddrl.tensor.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import java.util.Arrays;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Tensor;

/**
 * One input of an elementwise kernel as plain memory of the compute dtype: either {@code n} dense
 * elements starting at element {@code off}, or (when {@code scalar}) a single element at {@code off}
 * that stands for every position. A one-element input is kept as a scalar instead of being expanded,
 * so {@code x.add(2.0)} reads x once and never materializes a broadcast copy of the 2.
 */
record ElementwiseOperand(Tensor tensor, MemorySegment seg, long off, boolean scalar, boolean temporary) {

    /** {@code t} as {@code dtype} broadcast to {@code shape}; copies only when t is not already dense of that dtype. */
    static ElementwiseOperand of(Tensor t, DType dtype, int[] shape) {
        if (t.numel() == 1) {
            Tensor s = t.dtype() == dtype ? t : CpuTensors.dense(t, dtype, t.shape());
            return new ElementwiseOperand(s, CpuTensors.seg(s), s.offset(), true, s != t);
        }
        if (t.dtype() == dtype && t.isContiguous() && Arrays.equals(t.shape(), shape)) {
            return new ElementwiseOperand(t, CpuTensors.seg(t), t.offset(), false, false);
        }
        Tensor d = CpuTensors.dense(t, dtype, shape);
        return new ElementwiseOperand(d, CpuTensors.seg(d), d.offset(), false, d != t);
    }

    /**
     * Frees a temporary copy now rather than leaving it to the enclosing scope, and otherwise keeps the
     * input reachable until the kernel has finished reading its memory.
     */
    void done() {
        if (temporary) tensor.storage().release();
        else Reference.reachabilityFence(tensor);
    }
}
