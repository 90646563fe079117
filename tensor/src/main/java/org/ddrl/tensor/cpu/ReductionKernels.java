package org.ddrl.tensor.cpu;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Map;
import org.ddrl.kernels.cpu.VectorMath;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Kernel;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;

/**
 * sum, mean, var, max, min and logsumexp over any set of dims, plus argmax/argmin ({@link ReduceArg})
 * and softmax/log_softmax ({@link SoftmaxKernels}). Dtypes follow PyTorch: sum of integers and BOOL is
 * an exact I64, mean and var need floating input, logsumexp of integers gives F32, max and min keep
 * the dtype. F32, BF16 and F16 compute in F32, F64 in double.
 */
final class ReductionKernels {
    private ReductionKernels() {}

    static void register(Map<Op, Kernel> k) {
        for (Op op : new Op[] {Op.SUM, Op.MEAN, Op.VAR, Op.MAX, Op.MIN, Op.LOGSUMEXP}) {
            k.put(op, (a, in) -> reduce(op, a, in[0]));
        }
        k.put(Op.ARGMAX, (a, in) -> ReduceArg.apply(true, a, in[0]));
        k.put(Op.ARGMIN, (a, in) -> ReduceArg.apply(false, a, in[0]));
        k.put(Op.SOFTMAX, (a, in) -> SoftmaxKernels.apply(false, a, in[0]));
        k.put(Op.LOG_SOFTMAX, (a, in) -> SoftmaxKernels.apply(true, a, in[0]));
    }

    /** Rejects integer and BOOL input to ops that only make sense on floating values. */
    static void requireFloating(String op, Tensor x) {
        if (!x.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": needs a floating-point input, got " + CpuTensors.desc(x)
                    + "; convert it first, e.g. with to(DType.F32)");
        }
    }

    /** x itself when it is contiguous (at any offset) in dtype cdt, else a dense copy converted to cdt. */
    static Tensor contiguousIn(Tensor x, DType cdt) {
        return x.isContiguous() && x.dtype() == cdt ? x : CpuTensors.dense(x, cdt, x.shape());
    }

    /** The dtype floating kernels compute in: double for F64, float for everything else. */
    static DType floatCompute(DType dt) {
        return dt == DType.F64 ? DType.F64 : DType.F32;
    }

    private static Tensor reduce(Op op, Attrs a, Tensor x) {
        String name = op.opName();
        int[] shape = x.shape();
        int[] dims = Shapes.dims(name, a.ints("dims"), x.dim());
        if (x.dim() == 0) dims = new int[0]; // dim 0 (or -1) of a 0-d tensor is the tensor itself, as in PyTorch
        Tensor out = CpuTensors.empty(outputDtype(op, x), Shapes.reduced(shape, dims, a.b("keepdim")));
        if (out.numel() == 0) return out;
        long len = 1;
        for (int d : dims) len *= shape[d];
        if (len == 0) return emptyReduction(op, x, dims, out);
        boolean integral = !x.dtype().isFloatingPoint() && op != Op.LOGSUMEXP;
        DType cdt = integral ? DType.I64 : floatCompute(x.dtype());
        // Integer reductions and logsumexp have no column kernels: they read rows (copying when needed).
        ReducePlan p = ReducePlan.of(name, x, dims, cdt, !integral && op != Op.LOGSUMEXP);
        MemorySegment o = CpuTensors.seg(out);
        DType odt = out.dtype();
        if (integral) {
            long[] r = integerRows(op, p);
            for (int i = 0; i < r.length; i++) Elements.setL(o, odt, i, r[i]);
        } else {
            int correction = op == Op.VAR ? a.i("correction") : 0;
            double[] r = p.inner() == 1 ? floatRows(op, p, correction) : floatColumns(op, p, correction);
            for (int i = 0; i < r.length; i++) Elements.setD(o, odt, i, r[i]);
        }
        return out;
    }

    private static DType outputDtype(Op op, Tensor x) {
        DType dt = x.dtype();
        return switch (op) {
            case SUM -> dt.isFloatingPoint() ? dt : DType.I64;
            case MEAN, VAR -> {
                requireFloating(op.opName(), x);
                yield dt;
            }
            case LOGSUMEXP -> dt.isFloatingPoint() ? dt : DType.F32;
            default -> dt;
        };
    }

    /** Reducing zero elements: the identity where there is one, else an error as in PyTorch. */
    private static Tensor emptyReduction(Op op, Tensor x, int[] dims, Tensor out) {
        double fill = switch (op) {
            case SUM -> 0;
            case MEAN, VAR -> Double.NaN;
            case LOGSUMEXP -> Double.NEGATIVE_INFINITY;
            default -> throw new IllegalArgumentException(op.opName() + ": cannot reduce over dims " + Arrays.toString(dims)
                    + " of input " + CpuTensors.desc(x) + ": they hold no elements and " + op.opName() + " has no identity");
        };
        MemorySegment o = CpuTensors.seg(out);
        for (long i = 0; i < out.numel(); i++) Elements.setD(o, out.dtype(), i, fill);
        return out;
    }

    private static long[] integerRows(Op op, ReducePlan p) {
        MemorySegment s = p.seg();
        return switch (op) {
            case SUM -> ReduceParallel.rowsLong(p.outer(), p.len(), p.base(), (r, off, n) -> ReduceLong.sum(s, off, n), Long::sum);
            case MAX -> ReduceParallel.rowsLong(p.outer(), p.len(), p.base(), (r, off, n) -> ReduceLong.max(s, off, n), Math::max);
            case MIN -> ReduceParallel.rowsLong(p.outer(), p.len(), p.base(), (r, off, n) -> ReduceLong.min(s, off, n), Math::min);
            default -> throw new IllegalStateException(op.opName() + " has no integer kernel");
        };
    }

    /** Reductions of rows (inner == 1). */
    private static double[] floatRows(Op op, ReducePlan p, int correction) {
        MemorySegment s = p.seg();
        boolean f32 = p.cdt() == DType.F32;
        int rows = p.outer();
        long len = p.len(), base = p.base();
        return switch (op) {
            case SUM -> sumRows(f32, s, rows, len, base);
            case MEAN -> divide(sumRows(f32, s, rows, len, base), len);
            case VAR -> {
                double[] mean = divide(sumRows(f32, s, rows, len, base), len);
                double[] sq = ReduceParallel.rows(rows, len, base, (r, off, n) -> f32
                        ? ReduceF32.sumSqDev(s, off, n, (float) mean[r])
                        : ReduceF64.sumSqDev(s, off, n, mean[r]), Double::sum);
                yield divide(sq, Math.max(0, len - correction));
            }
            case MAX -> ReduceParallel.rows(rows, len, base, (r, off, n) -> f32 ? ReduceF32.max(s, off, n) : ReduceF64.max(s, off, n), Math::max);
            case MIN -> ReduceParallel.rows(rows, len, base, (r, off, n) -> f32 ? ReduceF32.min(s, off, n) : ReduceF64.min(s, off, n), Math::min);
            case LOGSUMEXP -> {
                double[] shift = ReduceParallel.rows(rows, len, base,
                        (r, off, n) -> f32 ? ReduceF32.max(s, off, n) : ReduceF64.max(s, off, n), Math::max);
                // An infinite max is not subtracted (inf - inf would be NaN): all -inf rows give -inf, a +inf gives +inf.
                for (int r = 0; r < rows; r++) if (Double.isInfinite(shift[r])) shift[r] = 0;
                double[] e = ReduceParallel.rows(rows, len, base, (r, off, n) -> f32
                        ? ReduceF32.sumExp(s, off, n, (float) shift[r])
                        : ReduceF64.sumExp(s, off, n, shift[r]), Double::sum);
                for (int r = 0; r < rows; r++) e[r] = VectorMath.log(e[r]) + shift[r];
                yield e;
            }
            default -> throw new IllegalStateException(op.opName() + " is not a float reduction");
        };
    }

    private static double[] sumRows(boolean f32, MemorySegment s, int rows, long len, long base) {
        return ReduceParallel.rows(rows, len, base, (r, off, n) -> f32 ? ReduceF32.sum(s, off, n) : ReduceF64.sum(s, off, n), Double::sum);
    }

    /** Reductions of columns (inner > 1): sum over a leading dim without a transposing copy. */
    private static double[] floatColumns(Op op, ReducePlan p, int correction) {
        MemorySegment s = p.seg();
        boolean f32 = p.cdt() == DType.F32;
        int outer = p.outer(), inner = p.inner();
        long len = p.len(), base = p.base();
        return switch (op) {
            case SUM -> sumColumns(f32, s, outer, len, inner, base);
            case MEAN -> divide(sumColumns(f32, s, outer, len, inner, base), len);
            case VAR -> {
                double[] mean = divide(sumColumns(f32, s, outer, len, inner, base), len);
                float[] meanF = new float[mean.length];
                for (int i = 0; i < mean.length; i++) meanF[i] = (float) mean[i];
                double[] sq = ReduceParallel.columns(outer, len, inner, base, (o, off, rows, c0, c1, part, pOff) -> {
                    if (f32) ReduceF32.colSumSqDev(s, off, inner, rows, c0, c1, meanF, o * inner, part, pOff);
                    else ReduceF64.colSumSqDev(s, off, inner, rows, c0, c1, mean, o * inner, part, pOff);
                }, Double::sum);
                yield divide(sq, Math.max(0, len - correction));
            }
            case MAX, MIN -> {
                boolean max = op == Op.MAX;
                yield ReduceParallel.columns(outer, len, inner, base, (o, off, rows, c0, c1, part, pOff) -> {
                    if (f32) ReduceF32.colExtreme(max, s, off, inner, rows, c0, c1, part, pOff);
                    else ReduceF64.colExtreme(max, s, off, inner, rows, c0, c1, part, pOff);
                }, max ? Math::max : Math::min);
            }
            default -> throw new IllegalStateException(op.opName() + " has no column kernel");
        };
    }

    private static double[] sumColumns(boolean f32, MemorySegment s, int outer, long len, int inner, long base) {
        return ReduceParallel.columns(outer, len, inner, base, (o, off, rows, c0, c1, part, pOff) -> {
            if (f32) ReduceF32.colSum(s, off, inner, rows, c0, c1, part, pOff);
            else ReduceF64.colSum(s, off, inner, rows, c0, c1, part, pOff);
        }, Double::sum);
    }

    /** Divides in place; a zero divisor gives inf or NaN, as PyTorch's var with too few elements does. */
    private static double[] divide(double[] v, long by) {
        for (int i = 0; i < v.length; i++) v[i] /= by;
        return v;
    }
}
