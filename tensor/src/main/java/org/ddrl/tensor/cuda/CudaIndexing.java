package org.ddrl.tensor.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Map;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Kernel;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;

/**
 * gather, index_select, scatter_add and pad (indexing.cu). Index values are checked on the device: a bad
 * one is never read through, and the error names the op, the value, the dim, its size and the position
 * (which costs these ops a wait for the device, as reporting any device-side error must).
 */
final class CudaIndexing {
    private static final String MODULE = "indexing";

    private CudaIndexing() {}

    static void register(Map<Op, Kernel> k, CudaBackend b) {
        k.put(Op.GATHER, (a, in) -> gather(b, a, in[0], in[1]));
        k.put(Op.INDEX_SELECT, (a, in) -> indexSelect(b, a, in[0], in[1]));
        k.put(Op.SCATTER_ADD, (a, in) -> scatterAdd(b, a, in[0], in[1], in[2]));
        k.put(Op.PAD, (a, in) -> pad(b, a, in[0]));
    }

    private static void requireIndexType(String op, Tensor index) {
        if (index.dtype() != DType.I64 && index.dtype() != DType.I32) {
            throw new IllegalArgumentException(op + ": index must be i64 or i32, got " + Views.desc(index));
        }
    }

    /** out[i][j][k] = x[index[i][j][k]][j][k] for dim 0, and so on; out has the index's shape. */
    private static Tensor gather(CudaBackend b, Attrs a, Tensor x, Tensor index) {
        requireIndexType("gather", index);
        if (index.dim() != x.dim()) {
            throw new IllegalArgumentException("gather: index " + Views.desc(index) + " must have the rank of input " + Views.desc(x));
        }
        int dim = Shapes.dim("gather", a.i("dim"), x.dim());
        if (x.dim() == 0) return gather(b, a, x.reshape(1), index.reshape(1)).reshape(); // the single element at index 0
        int[] xs = x.shape(), is = index.shape();
        for (int d = 0; d < xs.length; d++) {
            if (d != dim && is[d] > xs[d]) {
                throw new IllegalArgumentException("gather: index shape " + Shapes.str(is) + " exceeds input shape " + Shapes.str(xs)
                        + " in dim " + d + " (only the gather dim " + dim + " may be larger)");
            }
        }
        Tensor out = b.empty(x.dtype(), is);
        long[] xst = x.strides();
        long dimStride = xst[dim];
        xst[dim] = 0;
        long bad = run(b, out, xst, x, index.strides(), index, dimStride, xs[dim]);
        if (bad >= 0) {
            int[] at = CudaElementwise.position(bad, is);
            long where = index.offset();
            for (int k = 0; k < at.length; k++) where += at[k] * index.stride(k);
            throw outOfRange("gather", b.readLong(index, where), dim, xs[dim], x, index, "index position " + Arrays.toString(at));
        }
        return out;
    }

    /** Entries of dim picked by a 1-d index: out has x's shape with dim resized to the index's length. */
    private static Tensor indexSelect(CudaBackend b, Attrs a, Tensor x, Tensor index) {
        requireIndexType("index_select", index);
        if (index.dim() != 1) throw new IllegalArgumentException("index_select: index must be 1-d, got " + Views.desc(index));
        if (x.dim() == 0) {
            throw new IllegalArgumentException("index_select: input must have at least one dim, got " + Views.desc(x));
        }
        int dim = Shapes.dim("index_select", a.i("dim"), x.dim());
        int[] outShape = x.shape();
        outShape[dim] = index.size(0);
        Tensor out = b.empty(x.dtype(), outShape);
        long[] xst = x.strides();
        long dimStride = xst[dim];
        xst[dim] = 0;
        // the index, repeated along every other dim
        long[] ist = new long[x.dim()];
        ist[dim] = index.stride(0);
        long bad = run(b, out, xst, x, ist, index, dimStride, x.size(dim));
        if (bad >= 0) {
            int j = CudaElementwise.position(bad, outShape)[dim];
            throw outOfRange("index_select", b.readLong(index, index.offset() + j * index.stride(0)), dim, x.size(dim), x, index,
                    "position " + j + " of the index");
        }
        return out;
    }

    /** The gather launch over out's shape; returns the first bad element index or -1. */
    private static long run(CudaBackend b, Tensor out, long[] xStrides, Tensor x, long[] iStrides, Tensor index, long dimStride, long size) {
        long n = out.numel();
        if (n == 0) return -1;
        byte[][] v = Views.of(out.shape(), new long[][] {out.strides(), xStrides, iStrides},
                new long[] {0, x.offset(), index.offset()}, new DType[] {out.dtype(), x.dtype(), index.dtype()});
        return b.checked(err -> Launch.of(b, MODULE, "ddrl_gather").elements(n).i64(n).view(v[0]).ptr(out).view(v[1]).ptr(x)
                .view(v[2]).ptr(index).i64(dimStride).i64(size).ptr(err).run());
    }

    private static IndexOutOfBoundsException outOfRange(String op, long v, int dim, long size, Tensor x, Tensor index, String where) {
        return new IndexOutOfBoundsException(op + ": index " + v + " is out of range for dim " + dim + " of size " + size
                + " (input " + Views.desc(x) + ", index " + Views.desc(index) + ", at " + where + ")");
    }

    /** A copy of base with src added at the indexed positions; accumulates in F64 (floats) or I64 (integers). */
    private static Tensor scatterAdd(CudaBackend b, Attrs a, Tensor base, Tensor index, Tensor src) {
        String op = "scatter_add";
        int r = base.dim();
        int dim = Shapes.dim(op, a.i("dim"), r);
        if (index.dtype() != DType.I64 && index.dtype() != DType.I32) {
            throw new IllegalArgumentException(op + ": index must be I64 or I32, got " + index.dtype());
        }
        if (index.dim() != r || src.dim() != r) {
            throw new IllegalArgumentException(op + ": base " + Views.desc(base) + ", index " + Views.desc(index) + " and src "
                    + Views.desc(src) + " must have the same rank");
        }
        int[] bs = base.shape(), is = index.shape(), ss = src.shape();
        for (int d = 0; d < r; d++) {
            if (is[d] > ss[d] || (d != dim && is[d] > bs[d])) {
                throw new IllegalArgumentException(op + ": index " + Shapes.str(is) + " is larger than src " + Shapes.str(ss)
                        + " or base " + Shapes.str(bs) + " in dim " + d);
            }
        }
        DType acc = base.dtype().isFloatingPoint() ? DType.F64 : DType.I64;
        Tensor sum = b.empty(acc, bs);
        CudaCopy.copyInto(b, base, sum);
        long n = index.numel();
        if (n > 0) {
            long[] ost = sum.strides();
            long dimStride = ost[dim];
            ost[dim] = 0;
            byte[][] v = Views.of(is, new long[][] {index.strides(), Views.broadcastStrides(src, ss), ost},
                    new long[] {index.offset(), src.offset(), 0}, new DType[] {index.dtype(), src.dtype(), acc});
            long bad = b.checked(err -> Launch.of(b, MODULE, "ddrl_scatter_add").elements(n).i64(n).view(v[0]).ptr(index).view(v[1])
                    .ptr(src).view(v[2]).ptr(sum).i64(dimStride).i64(bs[dim]).ptr(err).run());
            if (bad >= 0) {
                int[] pos = CudaElementwise.position(bad, is);
                long where = index.offset();
                for (int k = 0; k < r; k++) where += pos[k] * index.stride(k);
                throw new IndexOutOfBoundsException(op + ": index value " + b.readLong(index, where) + " at position "
                        + Arrays.toString(pos) + " is out of range for dim " + dim + " of size " + bs[dim]);
            }
        }
        if (acc == base.dtype()) return sum;
        Tensor out = b.empty(base.dtype(), bs);
        CudaCopy.copyInto(b, sum, out);
        sum.storage().release();
        return out;
    }

    /** pad as torch.nn.functional.pad: (before, after) pairs from the last dim; negative pads crop. */
    private static Tensor pad(CudaBackend b, Attrs a, Tensor x) {
        int[] pads = a.ints("pads");
        String mode = a.s("mode");
        int[] shape = x.shape();
        int r = shape.length;
        int modeCode = switch (mode) {
            case "constant" -> 0;
            case "reflect" -> 1;
            case "replicate" -> 2;
            default -> throw new IllegalArgumentException("pad: mode must be \"constant\", \"reflect\" or \"replicate\", got \"" + mode
                    + "\"");
        };
        if (pads.length % 2 != 0 || pads.length / 2 > r) {
            throw new IllegalArgumentException("pad: pads " + Arrays.toString(pads) + " must hold (before, after) pairs for at most "
                    + r + " dims of a tensor of shape " + Shapes.str(shape));
        }
        int[] before = new int[r], outShape = shape.clone();
        for (int p = 0; p < pads.length / 2; p++) {
            int d = r - 1 - p, lo = pads[2 * p], hi = pads[2 * p + 1];
            long size = (long) shape[d] + lo + hi;
            if (size < 0 || size > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("pad: dim " + d + " of size " + shape[d] + " with pads (" + lo + ", " + hi
                        + ") would have size " + size + " (input shape " + Shapes.str(shape) + ")");
            }
            if (mode.equals("reflect") && ((lo > 0 && lo >= shape[d]) || (hi > 0 && hi >= shape[d]))) {
                throw new IllegalArgumentException("pad: reflect pads (" + lo + ", " + hi + ") of dim " + d + " must be smaller than its "
                        + "size " + shape[d] + " (input shape " + Shapes.str(shape) + ")");
            }
            if (mode.equals("replicate") && shape[d] == 0 && (lo > 0 || hi > 0)) {
                throw new IllegalArgumentException("pad: replicate cannot pad dim " + d + " of size 0 (input shape " + Shapes.str(shape)
                        + ")");
            }
            before[d] = lo;
            outShape[d] = (int) size;
        }
        Tensor out = b.empty(x.dtype(), outShape);
        long n = out.numel();
        if (n == 0) return out;
        byte[] ov = ViewDesc.pack(outShape, out.strides(), 0, out.dtype()), xv = ViewDesc.pack(shape, x.strides(), x.offset(), x.dtype());
        ByteBuffer ints = ByteBuffer.allocate(4 * ViewDesc.MAX_DIMS).order(ByteOrder.LITTLE_ENDIAN); // ddrl_ints8
        for (int d = 0; d < r; d++) ints.putInt(4 * d, before[d]);
        Launch.of(b, MODULE, "ddrl_pad").elements(n).i64(n).view(ov).ptr(out).view(xv).ptr(x).struct(ints.array(), 4).i32(modeCode)
                .f64(a.d("value")).run();
        return out;
    }
}
