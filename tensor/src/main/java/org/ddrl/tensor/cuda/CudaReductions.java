package org.ddrl.tensor.cuda;

import java.util.Arrays;
import java.util.Map;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Kernel;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;

/**
 * sum, mean, var, max, min, logsumexp over any set of dims, and argmax/argmin along one (reduce.cu).
 * The reduced dims are permuted last as a view (no copy) and one block reduces each output element's
 * row. Dtypes follow the CPU backend: sum of integers and BOOL is an exact I64, mean and var need
 * floating input, logsumexp of integers gives F32, max and min keep the dtype, argmax/argmin give I64.
 */
final class CudaReductions {
    private static final String MODULE = "reduce";

    private CudaReductions() {}

    // op codes, mirrored in reduce.cu
    private static int code(Op op) {
        return switch (op) {
            case SUM -> 0;
            case MEAN -> 1;
            case VAR -> 2;
            case MAX -> 3;
            case MIN -> 4;
            case LOGSUMEXP -> 5;
            default -> throw new IllegalArgumentException(op.opName() + " is not a reduction kernel op");
        };
    }

    static void register(Map<Op, Kernel> k, CudaBackend b) {
        for (Op op : new Op[] {Op.SUM, Op.MEAN, Op.VAR, Op.MAX, Op.MIN, Op.LOGSUMEXP}) k.put(op, (a, in) -> reduce(b, op, a, in[0]));
        k.put(Op.ARGMAX, (a, in) -> arg(b, true, a, in[0]));
        k.put(Op.ARGMIN, (a, in) -> arg(b, false, a, in[0]));
    }

    static void requireFloating(String op, Tensor x) {
        if (!x.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": needs a floating-point input, got " + Views.desc(x)
                    + "; convert it first, e.g. with to(DType.F32)");
        }
    }

    /** The kernel suffix of a floating input's compute type. */
    static String floatSuffix(DType dt) {
        return dt == DType.F64 ? "f64" : "f32";
    }

    private static Tensor reduce(CudaBackend b, Op op, Attrs a, Tensor x) {
        String name = op.opName();
        int[] shape = x.shape();
        int[] dims = Shapes.dims(name, a.ints("dims"), x.dim());
        if (x.dim() == 0) dims = new int[0]; // dim 0 (or -1) of a 0-d tensor is the tensor itself, as in PyTorch
        DType outDt = switch (op) {
            case SUM -> x.dtype().isFloatingPoint() ? x.dtype() : DType.I64;
            case MEAN, VAR -> {
                requireFloating(name, x);
                yield x.dtype();
            }
            case LOGSUMEXP -> x.dtype().isFloatingPoint() ? x.dtype() : DType.F32;
            default -> x.dtype();
        };
        Tensor out = b.empty(outDt, Shapes.reduced(shape, dims, a.b("keepdim")));
        long rows = out.numel();
        if (rows == 0) return out;
        long len = 1;
        for (int d : dims) len *= shape[d];
        if (len == 0) return emptyReduction(b, op, x, dims, out);
        // integers reduce exactly in long, except logsumexp, which computes in float
        String suffix = x.dtype().isFloatingPoint() ? floatSuffix(x.dtype()) : op == Op.LOGSUMEXP ? "f32" : "i64";
        int correction = op == Op.VAR ? a.i("correction") : 0;
        Launch.of(b, MODULE, "ddrl_reduce_" + suffix).rows(rows, len).i32(code(op)).i64(rows).i64(len).view(rowsView(x, dims))
                .ptr(x).ptr(out).i32(ViewDesc.code(outDt)).i32(correction).run();
        return out;
    }

    /** x with dims moved last, merged: row r is linear indices r * len .. (r + 1) * len - 1. */
    static byte[] rowsView(Tensor x, int[] dims) {
        int[] perm = Views.moveLast(x.dim(), dims);
        int[] s = Views.permute(x.shape(), perm);
        return Views.of(s, new long[][] {Views.permute(x.strides(), perm)}, new long[] {x.offset()}, new DType[] {x.dtype()})[0];
    }

    /** Reducing zero elements: the identity where there is one, else an error as in PyTorch. */
    private static Tensor emptyReduction(CudaBackend b, Op op, Tensor x, int[] dims, Tensor out) {
        double fill = switch (op) {
            case SUM -> 0;
            case MEAN, VAR -> Double.NaN;
            case LOGSUMEXP -> Double.NEGATIVE_INFINITY;
            default -> throw new IllegalArgumentException(op.opName() + ": cannot reduce over dims " + Arrays.toString(dims)
                    + " of input " + Views.desc(x) + ": they hold no elements and " + op.opName() + " has no identity");
        };
        long n = out.numel();
        Launch.of(b, "creation", "ddrl_fill").elements(n).i64(n).ptr(out).i32(ViewDesc.code(out.dtype())).f64(fill).run();
        return out;
    }

    private static Tensor arg(CudaBackend b, boolean max, Attrs a, Tensor x) {
        String name = max ? "argmax" : "argmin";
        int d = Shapes.dim(name, a.i("dim"), x.dim());
        int[] dims = x.dim() == 0 ? new int[0] : new int[] {d};
        Tensor out = b.empty(DType.I64, Shapes.reduced(x.shape(), dims, a.b("keepdim")));
        long rows = out.numel();
        if (rows == 0) return out;
        if (x.dim() > 0 && x.size(d) == 0) {
            throw new IllegalArgumentException(name + ": cannot reduce over dim " + d + " of input " + Views.desc(x) + ": it has size 0");
        }
        long len = x.dim() == 0 ? 1 : x.size(d);
        String suffix = x.dtype().isFloatingPoint() ? floatSuffix(x.dtype()) : "i64";
        Launch.of(b, MODULE, "ddrl_arg_" + suffix).rows(rows, len).i32(max ? 1 : 0).i64(rows).i64(len).view(rowsView(x, dims)).ptr(x)
                .ptr(out).run();
        return out;
    }
}
