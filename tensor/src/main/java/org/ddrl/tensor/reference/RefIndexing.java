package org.ddrl.tensor.reference;

import java.util.Map;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Shapes;

/** Reference cat, pad, gather and index_select: one loop over the output, reading by multi-index. */
final class RefIndexing {
    private RefIndexing() {}

    static void register(Map<Op, Reference.RefKernel> k) {
        k.put(Op.CAT, RefIndexing::cat);
        k.put(Op.PAD, RefIndexing::pad);
        k.put(Op.GATHER, RefIndexing::gather);
        k.put(Op.INDEX_SELECT, RefIndexing::indexSelect);
    }

    private static RefTensor cat(Attrs a, RefTensor... in) {
        int d = Shapes.dim("cat", a.i("dim"), in[0].rank());
        int[] shape = in[0].shape().clone();
        shape[d] = 0;
        for (RefTensor t : in) shape[d] += t.shape()[d];
        RefTensor out = RefTensor.zeros(in[0].dtype(), shape);
        for (int f = 0; f < out.numel(); f++) {
            int[] idx = out.index(f);
            int k = 0;
            while (idx[d] >= in[k].shape()[d]) idx[d] -= in[k++].shape()[d];
            out.data()[f] = in[k].data()[in[k].flat(idx)];
        }
        return out;
    }

    private static RefTensor pad(Attrs a, RefTensor... in) {
        RefTensor x = in[0];
        int[] pads = a.ints("pads");
        String mode = a.s("mode");
        int r = x.rank();
        int[] before = new int[r], shape = x.shape().clone();
        for (int p = 0; p < pads.length / 2; p++) {
            before[r - 1 - p] = pads[2 * p];
            shape[r - 1 - p] += pads[2 * p] + pads[2 * p + 1];
        }
        RefTensor out = RefTensor.zeros(x.dtype(), shape);
        double value = Reference.round(a.d("value"), x.dtype());
        for (int f = 0; f < out.numel(); f++) {
            int[] idx = out.index(f);
            boolean inside = true;
            for (int d = 0; d < r; d++) {
                int n = x.shape()[d], s = idx[d] - before[d];
                if (s < 0 || s >= n) {
                    switch (mode) {
                        case "reflect" -> s = s < 0 ? -s : 2 * (n - 1) - s;
                        case "replicate" -> s = s < 0 ? 0 : n - 1;
                        default -> inside = false;
                    }
                }
                idx[d] = s;
            }
            out.data()[f] = inside ? x.data()[x.flat(idx)] : value;
        }
        return out;
    }

    private static RefTensor gather(Attrs a, RefTensor... in) {
        RefTensor x = in[0], index = in[1];
        int d = Shapes.dim("gather", a.i("dim"), x.rank());
        RefTensor out = RefTensor.zeros(x.dtype(), index.shape());
        for (int f = 0; f < out.numel(); f++) {
            int[] idx = index.index(f);
            long v = (long) index.data()[f];
            int size = x.rank() == 0 ? 1 : x.shape()[d];
            if (v < 0 || v >= size) throw new IndexOutOfBoundsException("gather: index " + v + " out of range for size " + size);
            if (x.rank() > 0) idx[d] = (int) v;
            out.data()[f] = x.data()[x.flat(idx)];
        }
        return out;
    }

    private static RefTensor indexSelect(Attrs a, RefTensor... in) {
        RefTensor x = in[0], index = in[1];
        int d = Shapes.dim("index_select", a.i("dim"), x.rank());
        int[] shape = x.shape().clone();
        shape[d] = index.numel();
        RefTensor out = RefTensor.zeros(x.dtype(), shape);
        for (int f = 0; f < out.numel(); f++) {
            int[] idx = out.index(f);
            long v = (long) index.data()[idx[d]];
            if (v < 0 || v >= x.shape()[d]) {
                throw new IndexOutOfBoundsException("index_select: index " + v + " out of range for size " + x.shape()[d]);
            }
            idx[d] = (int) v;
            out.data()[f] = x.data()[x.flat(idx)];
        }
        return out;
    }
}
