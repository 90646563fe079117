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
    /** Fewer rows than this leave a GPU idle with one block per row... */
    private static final long SPLIT_MAX_ROWS = 128;
    /** ...when they are at least this long: then each row is split into parts of about PART elements. */
    private static final long SPLIT_MIN_LEN = 4096;
    private static final long PART = 2048;
    private static final int MAX_PARTS = 4096;

    // primitives of the split kernels, mirrored in reduce.cu
    private static final int P_SUM = 0, P_SUMSQDEV = 1, P_SUMEXP = 2, P_MAX = 3, P_MIN = 4;
    private static final int F_SUM = 0, F_MAX = 1, F_MIN = 2;

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
        byte[] view = rowsView(x, dims);
        if (rows < SPLIT_MAX_ROWS && len >= SPLIT_MIN_LEN) {
            new SplitRows(b, suffix, rows, len, view, x).reduce(op, correction, out);
        } else {
            Launch.of(b, MODULE, "ddrl_reduce_" + suffix).rows(rows, len).i32(code(op)).i64(rows).i64(len).view(view).ptr(x).ptr(out)
                    .i32(ViewDesc.code(outDt)).i32(correction).run();
        }
        return out;
    }


    /**
     * Long rows reduced in two steps (reduce.cu, "long rows"): one block per part of a row writes a
     * partial result, then one block per row combines them. var and logsumexp take two such rounds (the
     * mean, or the max, first).
     */
    private static final class SplitRows {
        private final CudaBackend b;
        private final String suffix;
        private final long rows, len, chunk;
        private final int parts;
        private final byte[] view;
        private final Tensor x;
        private final DType compute;

        SplitRows(CudaBackend b, String suffix, long rows, long len, byte[] view, Tensor x) {
            this.b = b;
            this.suffix = suffix;
            this.rows = rows;
            this.len = len;
            this.view = view;
            this.x = x;
            this.parts = (int) Math.min(MAX_PARTS, (len + PART - 1) / PART);
            this.chunk = (len + parts - 1) / parts;
            this.compute = switch (suffix) {
                case "f64" -> DType.F64;
                case "i64" -> DType.I64;
                default -> DType.F32;
            };
        }

        void reduce(Op op, int correction, Tensor out) {
            switch (op) {
                case SUM -> finish(F_SUM, part(P_SUM, null), null, 1, false, false, out);
                case MEAN -> finish(F_SUM, part(P_SUM, null), null, len, false, false, out);
                case MAX -> finish(F_MAX, part(P_MAX, null), null, 1, false, false, out);
                case MIN -> finish(F_MIN, part(P_MIN, null), null, 1, false, false, out);
                case VAR -> {
                    Tensor mean = b.empty(compute, (int) rows);
                    finish(F_SUM, part(P_SUM, null), null, len, false, false, mean);
                    finish(F_SUM, part(P_SUMSQDEV, mean), null, Math.max(0, len - correction), false, false, out);
                }
                default -> { // LOGSUMEXP: an infinite max is not subtracted, as in the one-pass kernel
                    Tensor shift = b.empty(compute, (int) rows);
                    finish(F_MAX, part(P_MAX, null), null, 1, false, true, shift);
                    finish(F_SUM, part(P_SUMEXP, shift), shift, 1, true, false, out);
                }
            }
        }

        /** Partial results [rows, parts] of a primitive, with an optional per-row center. */
        private Tensor part(int primitive, Tensor center) {
            Tensor partial = b.empty(compute, (int) rows, parts);
            Launch.of(b, MODULE, "ddrl_reduce_part_" + suffix).rows(rows * parts, chunk).i32(primitive).i64(rows).i64(len).i32(parts)
                    .i64(chunk).view(view).ptr(x).ptr(center).ptr(partial).run();
            return partial;
        }

        private void finish(int how, Tensor partial, Tensor center, double divisor, boolean takeLog, boolean zeroInfinite, Tensor out) {
            Launch.of(b, MODULE, "ddrl_reduce_finish_" + suffix).rows(rows, parts).i32(how).i64(rows).i32(parts).ptr(partial)
                    .ptr(center).f64(divisor).i32(takeLog ? 1 : 0).i32(zeroInfinite ? 1 : 0).ptr(out).i32(ViewDesc.code(out.dtype()))
                    .run();
            partial.storage().release();
        }
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
