package org.ddrl.tensor.reference;

import java.util.Map;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Shapes;

/**
 * Reference reductions, argmax/argmin and softmax: every output position gathers its reduced elements
 * (in row-major order) and applies the textbook formula in double.
 */
final class RefReductions {
    private RefReductions() {}

    static void register(Map<Op, Reference.RefKernel> k) {
        for (Op op : new Op[] {Op.SUM, Op.MEAN, Op.VAR, Op.MAX, Op.MIN, Op.LOGSUMEXP}) {
            k.put(op, (a, in) -> reduce(op, a, in[0]));
        }
        k.put(Op.ARGMAX, (a, in) -> arg(true, a, in[0]));
        k.put(Op.ARGMIN, (a, in) -> arg(false, a, in[0]));
        k.put(Op.SOFTMAX, (a, in) -> softmax(false, a, in[0]));
        k.put(Op.LOG_SOFTMAX, (a, in) -> softmax(true, a, in[0]));
    }

    /** The reduced elements of each output position: groups[o] lists them in row-major order. */
    private static double[][] groups(RefTensor x, int[] dims) {
        int[] shape = x.shape();
        boolean[] red = new boolean[shape.length];
        long per = 1;
        for (int d : dims) {
            red[d] = true;
            per *= shape[d];
        }
        int outputs = (int) Shapes.numel(Shapes.reduced(shape, dims, false));
        double[][] g = new double[outputs][(int) per];
        int[] filled = new int[outputs];
        for (int f = 0; f < x.numel(); f++) {
            int[] idx = x.index(f);
            int o = 0;
            for (int k = 0; k < shape.length; k++) if (!red[k]) o = o * shape[k] + idx[k];
            g[o][filled[o]++] = x.data()[f];
        }
        return g;
    }

    /** Normalized dims; a 0-d tensor accepts dim 0 or -1 and reduces over nothing. */
    private static int[] dims(String op, int[] dims, RefTensor x) {
        int[] d = Shapes.dims(op, dims, x.rank());
        return x.rank() == 0 ? new int[0] : d;
    }

    private static RefTensor reduce(Op op, Attrs a, RefTensor x) {
        String name = op.opName();
        DType dt = x.dtype();
        boolean floating = dt.isFloatingPoint();
        if ((op == Op.MEAN || op == Op.VAR) && !floating) {
            throw new IllegalArgumentException(name + ": needs a floating-point input, got " + dt);
        }
        DType out = switch (op) {
            case SUM -> floating ? dt : DType.I64;
            case LOGSUMEXP -> floating ? dt : DType.F32;
            default -> dt;
        };
        int[] dims = dims(name, a.ints("dims"), x);
        double[][] g = groups(x, dims);
        double[] r = new double[g.length];
        for (int o = 0; o < g.length; o++) {
            double[] v = g[o];
            r[o] = switch (op) {
                case SUM -> sum(v);
                case MEAN -> sum(v) / v.length;
                case VAR -> {
                    double m = sum(v) / v.length, ss = 0;
                    for (double e : v) ss += (e - m) * (e - m);
                    yield ss / Math.max(0, v.length - a.i("correction"));
                }
                case MAX -> extreme(name, v, true);
                case MIN -> extreme(name, v, false);
                case LOGSUMEXP -> logsumexp(v);
                default -> throw new IllegalStateException(name);
            };
        }
        return new RefTensor(r, Shapes.reduced(x.shape(), dims, a.b("keepdim")), out).roundTo(out);
    }

    private static double sum(double[] v) {
        double s = 0;
        for (double e : v) s += e;
        return s;
    }

    private static double extreme(String op, double[] v, boolean max) {
        if (v.length == 0) throw new IllegalArgumentException(op + ": cannot reduce zero elements");
        double best = v[0];
        for (double e : v) {
            if (Double.isNaN(e)) return e;
            if (max ? e > best : e < best) best = e;
        }
        return best;
    }

    /** log(sum(exp(v - m))) + m with m the max, or 0 when the max is infinite (so -inf rows give -inf). */
    private static double logsumexp(double[] v) {
        double m = Double.NEGATIVE_INFINITY;
        for (double e : v) m = Double.isNaN(e) || Double.isNaN(m) ? Double.NaN : Math.max(m, e);
        double shift = Double.isInfinite(m) ? 0 : m, s = 0;
        for (double e : v) s += Math.exp(e - shift);
        return Math.log(s) + shift;
    }

    private static RefTensor arg(boolean max, Attrs a, RefTensor x) {
        String name = max ? "argmax" : "argmin";
        int d = Shapes.dim(name, a.i("dim"), x.rank());
        int[] dims = x.rank() == 0 ? new int[0] : new int[] {d};
        double[][] g = groups(x, dims);
        double[] r = new double[g.length];
        for (int o = 0; o < g.length; o++) {
            double[] v = g[o];
            if (v.length == 0) throw new IllegalArgumentException(name + ": cannot reduce zero elements");
            int at = 0;
            for (int i = 1; i < v.length && !Double.isNaN(v[at]); i++) {
                if (Double.isNaN(v[i]) || (max ? v[i] > v[at] : v[i] < v[at])) at = i;
            }
            r[o] = at;
        }
        return new RefTensor(r, Shapes.reduced(x.shape(), dims, a.b("keepdim")), DType.I64);
    }

    /** exp(x - max) / sum, or x - max - log(sum), along the dim. */
    private static RefTensor softmax(boolean log, Attrs a, RefTensor x) {
        String name = log ? "log_softmax" : "softmax";
        if (!x.dtype().isFloatingPoint()) throw new IllegalArgumentException(name + ": needs a floating-point input, got " + x.dtype());
        int rank = x.rank();
        int d = Shapes.dim(name, a.i("dim"), rank);
        double[] out = new double[x.numel()];
        int n = rank == 0 ? 1 : x.shape()[d];
        long stride = rank == 0 ? 1 : x.strides()[d];
        for (int f = 0; f < x.numel(); f++) {
            if (rank > 0 && x.index(f)[d] != 0) continue;
            double m = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) m = Math.max(m, x.data()[(int) (f + i * stride)]);
            double s = 0;
            for (int i = 0; i < n; i++) s += Math.exp(x.data()[(int) (f + i * stride)] - m);
            for (int i = 0; i < n; i++) {
                int at = (int) (f + i * stride);
                out[at] = log ? x.data()[at] - m - Math.log(s) : Math.exp(x.data()[at] - m) / s;
            }
        }
        return new RefTensor(out, x.shape(), x.dtype()).roundTo(x.dtype());
    }
}
