package org.ddrl.tensor.cuda;

import java.util.Map;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.Kernel;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;

/** contiguous, cast, assign and cat: strided copies with dtype conversion (copy.cu). */
final class CudaCopy {
    private CudaCopy() {}

    static void register(Map<Op, Kernel> k, CudaBackend b) {
        k.put(Op.CONTIGUOUS, (a, in) -> copy(b, in[0]));
        k.put(Op.CAST, (a, in) -> {
            Tensor out = b.empty(a.dtype("dtype"), in[0].shape());
            copyInto(b, in[0], out);
            return out;
        });
        k.put(Op.ASSIGN, (a, in) -> assign(b, in[0], in[1]));
        k.put(Op.CAT, (a, in) -> cat(b, a, in));
    }

    /**
     * Copies the elements of src into dst, converting dtype; src must have dst's shape or broadcast to it.
     * src must not overlap dst unless they are the same view.
     */
    static void copyInto(CudaBackend b, Tensor src, Tensor dst) {
        long n = dst.numel();
        if (n == 0) return;
        byte[][] v = Views.of(dst.shape(), dst, src);
        Launch.of(b, "copy", "ddrl_copy").elements(n).i64(n).view(v[0]).ptr(dst).view(v[1]).ptr(src).run();
    }

    /** A dense copy of t. */
    static Tensor copy(CudaBackend b, Tensor t) {
        Tensor out = b.empty(t.dtype(), t.shape());
        copyInto(b, t, out);
        return out;
    }

    /** t when it is dense from offset 0, else a dense copy. */
    static Tensor dense(CudaBackend b, Tensor t) {
        return t.isContiguous() && t.offset() == 0 ? t : copy(b, t);
    }

    /** Writes src (broadcast, converted) into the view dst. A source sharing dst's storage is copied first. */
    private static Tensor assign(CudaBackend b, Tensor dst, Tensor src) {
        Tensor s = src.storage() == dst.storage() ? copy(b, src) : src;
        copyInto(b, s, dst);
        return dst;
    }

    /** Inputs of one dtype and one shape except along dim, copied side by side into their slices of the output. */
    private static Tensor cat(CudaBackend b, Attrs a, Tensor... in) {
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
                throw new IllegalArgumentException("cat: input " + k + " has dtype " + Views.desc(t) + " but input 0 has "
                        + Views.desc(first) + "; cast with to(dtype) first");
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
        Tensor out = b.empty(first.dtype(), outShape);
        long[] strides = out.strides();
        long at = 0;
        for (Tensor t : in) {
            if (t.numel() > 0) copyInto(b, t, new Tensor(out.storage(), out.dtype(), t.shape(), strides, at * strides[d]));
            at += t.size(d);
        }
        return out;
    }
}
