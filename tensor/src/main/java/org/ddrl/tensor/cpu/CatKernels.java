package org.ddrl.tensor.cpu;

import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;

/**
 * cat: inputs of one dtype (no promotion: cast first, so a mixed list is a visible decision of the
 * caller) and one shape except along dim, copied side by side. Each input moves into its slice of the
 * output as a view-to-view copy, which for dense inputs is one block move per outer row.
 */
final class CatKernels {
    private CatKernels() {}

    static Tensor cat(Attrs a, Tensor... in) {
        for (int k = 0; k < in.length; k++) {
            if (in[k] == null) throw new IllegalArgumentException("cat: input " + k + " is null");
        }
        Tensor first = in[0];
        int rank = first.dim();
        if (rank == 0) {
            throw new IllegalArgumentException("cat: input 0 is 0-d; zero-dimensional tensors cannot be concatenated "
                    + "(unsqueeze them, or use stack)");
        }
        int d = Shapes.dim("cat", a.i("dim"), rank);
        int[] ref = first.shape();
        long total = 0;
        for (int k = 0; k < in.length; k++) {
            Tensor t = in[k];
            if (t.dtype() != first.dtype()) {
                throw new IllegalArgumentException("cat: input " + k + " has dtype " + CpuTensors.desc(t) + " but input 0 has "
                        + CpuTensors.desc(first) + "; cast with to(dtype) first");
            }
            int[] s = t.shape();
            boolean ok = s.length == rank;
            for (int i = 0; ok && i < rank; i++) ok = i == d || s[i] == ref[i];
            if (!ok) {
                throw new IllegalArgumentException("cat: input " + k + " has shape " + Shapes.str(s) + " but input 0 has shape "
                        + Shapes.str(ref) + "; they must match in every dim except dim " + d);
            }
            total += s[d];
        }
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("cat: dim " + d + " would have " + total + " elements, more than one dim can hold");
        }
        int[] outShape = ref.clone();
        outShape[d] = (int) total;
        Tensor out = CpuTensors.empty(first.dtype(), outShape);
        long[] strides = out.strides();
        long at = 0;
        for (Tensor t : in) {
            // the input's slot in the output, as a view built here rather than through dispatch
            if (t.numel() > 0) IndexingKernels.copyView(t, new Tensor(out.storage(), out.dtype(), t.shape(), strides, at * strides[d]));
            at += t.size(d);
        }
        return out;
    }
}
