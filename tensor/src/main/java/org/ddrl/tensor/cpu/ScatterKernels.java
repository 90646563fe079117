package org.ddrl.tensor.cpu;

import java.lang.foreign.MemorySegment;
import java.util.Map;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Kernel;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;

/** scatter_add: the backward of gather and index_select. Accumulates in F64 (floats) or I64 (integers). */
final class ScatterKernels {
    private ScatterKernels() {}

    static void register(Map<Op, Kernel> k) {
        k.put(Op.SCATTER_ADD, ScatterKernels::scatterAdd);
    }

    private static Tensor scatterAdd(Attrs a, Tensor... in) {
        Tensor base = in[0], index = in[1], src = in[2];
        String op = "scatter_add";
        int r = base.dim();
        int dim = Shapes.dim(op, a.i("dim"), r);
        if (index.dtype() != DType.I64 && index.dtype() != DType.I32) {
            throw new IllegalArgumentException(op + ": index must be I64 or I32, got " + index.dtype());
        }
        if (index.dim() != r || src.dim() != r) {
            throw new IllegalArgumentException(op + ": base " + CpuTensors.desc(base) + ", index " + CpuTensors.desc(index)
                    + " and src " + CpuTensors.desc(src) + " must have the same rank");
        }
        int[] bs = base.shape(), is = index.shape(), ss = src.shape();
        for (int d = 0; d < r; d++) {
            if (is[d] > ss[d] || (d != dim && is[d] > bs[d])) {
                throw new IllegalArgumentException(op + ": index " + Shapes.str(is) + " is larger than src " + Shapes.str(ss)
                        + " or base " + Shapes.str(bs) + " in dim " + d);
            }
        }
        DType dt = base.dtype();
        DType acc = dt.isFloatingPoint() ? DType.F64 : DType.I64;
        Tensor out = CpuTensors.dense(base, acc, bs);
        if (out == base) out = out.copy();
        Tensor idx = CpuTensors.dense(index, DType.I64, is);
        Tensor srcView = src;
        for (int d = 0; d < r; d++) srcView = srcView.slice(d, 0, is[d]);
        Tensor s = CpuTensors.dense(srcView, acc, is);
        MemorySegment o = CpuTensors.seg(out), ix = CpuTensors.seg(idx), sv = CpuTensors.seg(s);
        long[] bst = Shapes.contiguousStrides(bs);
        long n = idx.numel();
        int[] pos = new int[r];
        // serial: duplicate indices make parallel accumulation racy, and the op is memory-bound anyway
        for (long f = 0; f < n; f++) {
            long rem = f;
            for (int d = r - 1; d >= 0; d--) {
                pos[d] = (int) (rem % is[d]);
                rem /= is[d];
            }
            long target = ix.getAtIndex(java.lang.foreign.ValueLayout.JAVA_LONG, f);
            if (target < 0 || target >= bs[dim]) {
                throw new IndexOutOfBoundsException(op + ": index value " + target + " at position " + java.util.Arrays.toString(pos)
                        + " is out of range for dim " + dim + " of size " + bs[dim]);
            }
            long off = 0;
            for (int d = 0; d < r; d++) off += (d == dim ? target : pos[d]) * bst[d];
            if (acc == DType.F64) {
                Elements.setD(o, acc, off, Elements.getD(o, acc, off) + Elements.getD(sv, acc, f));
            } else {
                Elements.setL(o, acc, off, Elements.getL(o, acc, off) + Elements.getL(sv, acc, f));
            }
        }
        return out.dtype() == dt ? out : out.to(dt);
    }
}
