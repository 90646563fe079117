package org.ddrl.tensor.cpu;

import java.util.Map;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.Kernel;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Tensor;

/** contiguous and cast: strided copies with dtype conversion. */
final class CopyKernels {
    private CopyKernels() {}

    static void register(Map<Op, Kernel> k) {
        k.put(Op.CONTIGUOUS, (a, in) -> copy(in[0]));
        k.put(Op.CAST, (a, in) -> {
            Tensor out = CpuTensors.empty(a.dtype("dtype"), in[0].shape());
            CpuTensors.copyCast(in[0], out);
            return out;
        });
        k.put(Op.ASSIGN, (a, in) -> assign(in[0], in[1]));
    }

    /**
     * Writes src (broadcast, converted) into the view dst; fill and zero come here with a one-element src
     * and become a plain fill of dst. A source sharing dst's storage is copied first, before broadcasting,
     * so the copy is no larger than the source.
     */
    private static Tensor assign(Tensor dst, Tensor src) {
        int[] shape = dst.shape();
        Tensor s = src.storage() == dst.storage() ? copy(src) : src;
        if (!java.util.Arrays.equals(s.shape(), shape)) s = s.expand(shape);
        CpuTensors.copyCast(s, dst);
        return dst;
    }

    private static Tensor copy(Tensor t) {
        Tensor out = CpuTensors.empty(t.dtype(), t.shape());
        CpuTensors.copyCast(t, out);
        return out;
    }
}
