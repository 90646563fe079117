package org.ddrl.tensor.reference;

import java.util.Arrays;
import java.util.Map;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Shapes;

/**
 * Reference elementwise ops: each element computed in double from the textbook formula. As in
 * PyTorch, operands are first converted to the dtype the op computes in (so an I64 added to an F32 is
 * rounded to F32 first), then the exact double result is rounded to the result dtype.
 */
final class RefElementwise {
    private RefElementwise() {}

    static void register(Map<Op, Reference.RefKernel> k) {
        k.put(Op.NEG, (a, in) -> intKeeping(Op.NEG, in[0], v -> -v));
        k.put(Op.ABS, (a, in) -> intKeeping(Op.ABS, in[0], Math::abs));
        k.put(Op.RELU, (a, in) -> intKeeping(Op.RELU, in[0], v -> v > 0 || Double.isNaN(v) ? v : 0));
        k.put(Op.CLAMP, RefElementwise::clamp);
        k.put(Op.SQRT, (a, in) -> floating(in[0], Math::sqrt));
        k.put(Op.RSQRT, (a, in) -> floating(in[0], v -> 1 / Math.sqrt(v)));
        k.put(Op.EXP, (a, in) -> floating(in[0], Math::exp));
        k.put(Op.LOG, (a, in) -> floating(in[0], Math::log));
        k.put(Op.SIN, (a, in) -> floating(in[0], Math::sin));
        k.put(Op.COS, (a, in) -> floating(in[0], Math::cos));
        k.put(Op.TANH, (a, in) -> floating(in[0], Math::tanh));
        k.put(Op.SIGMOID, (a, in) -> floating(in[0], v -> 1 / (1 + Math.exp(-v))));
        k.put(Op.SILU, (a, in) -> floating(in[0], v -> v / (1 + Math.exp(-v))));
        k.put(Op.GELU, (a, in) -> {
            String form = a.has("approximate") ? a.s("approximate") : "none";
            double c = Math.sqrt(2 / Math.PI);
            return floating(in[0], form.equals("tanh")
                    ? v -> 0.5 * v * (1 + Math.tanh(c * (v + 0.044715 * v * v * v)))
                    : v -> v * normalCdf(v));
        });
        k.put(Op.SOFTPLUS, (a, in) -> {
            double beta = a.d("beta"), threshold = a.d("threshold");
            return floating(in[0], v -> beta * v > threshold ? v : Math.log1p(Math.exp(beta * v)) / beta);
        });
        k.put(Op.LOGICAL_NOT, (a, in) -> map(in[0], DType.BOOL, v -> v == 0 ? 1 : 0));

        k.put(Op.ADD, (a, in) -> arithmetic(Op.ADD, in[0], in[1], Double::sum));
        k.put(Op.SUB, (a, in) -> arithmetic(Op.SUB, in[0], in[1], (x, y) -> x - y));
        k.put(Op.MUL, (a, in) -> arithmetic(Op.MUL, in[0], in[1], (x, y) -> x * y));
        k.put(Op.DIV, (a, in) -> arithmetic(Op.DIV, in[0], in[1], (x, y) -> x / y));
        k.put(Op.POW, (a, in) -> arithmetic(Op.POW, in[0], in[1], Math::pow));
        k.put(Op.MAXIMUM, (a, in) -> arithmetic(Op.MAXIMUM, in[0], in[1], Math::max));
        k.put(Op.MINIMUM, (a, in) -> arithmetic(Op.MINIMUM, in[0], in[1], Math::min));
        k.put(Op.EQ, (a, in) -> predicate(Op.EQ, in[0], in[1], (x, y) -> x == y ? 1 : 0));
        k.put(Op.NE, (a, in) -> predicate(Op.NE, in[0], in[1], (x, y) -> x != y ? 1 : 0));
        k.put(Op.LT, (a, in) -> predicate(Op.LT, in[0], in[1], (x, y) -> x < y ? 1 : 0));
        k.put(Op.LE, (a, in) -> predicate(Op.LE, in[0], in[1], (x, y) -> x <= y ? 1 : 0));
        k.put(Op.GT, (a, in) -> predicate(Op.GT, in[0], in[1], (x, y) -> x > y ? 1 : 0));
        k.put(Op.GE, (a, in) -> predicate(Op.GE, in[0], in[1], (x, y) -> x >= y ? 1 : 0));
        k.put(Op.LOGICAL_AND, (a, in) -> predicate(Op.LOGICAL_AND, in[0], in[1], (x, y) -> x != 0 && y != 0 ? 1 : 0));
        k.put(Op.LOGICAL_OR, (a, in) -> predicate(Op.LOGICAL_OR, in[0], in[1], (x, y) -> x != 0 || y != 0 ? 1 : 0));

        k.put(Op.WHERE, RefElementwise::where);
        k.put(Op.MASKED_FILL, RefElementwise::maskedFill);
    }

    // ------------------------------------------------------------------ unary

    /** f of every element, the input first rounded to the result dtype. */
    private static RefTensor map(RefTensor x, DType out, DoubleUnaryOperator f) {
        RefTensor r = RefTensor.zeros(out, x.shape());
        for (int i = 0; i < x.numel(); i++) r.data()[i] = Reference.round(f.applyAsDouble(x.data()[i]), out);
        return r;
    }

    /** Floating functions: same floating dtype, F32 for integer and BOOL inputs. */
    private static RefTensor floating(RefTensor x, DoubleUnaryOperator f) {
        DType out = x.dtype().isFloatingPoint() ? x.dtype() : DType.F32;
        return map(x.roundTo(out), out, f);
    }

    /** neg, abs, relu keep the dtype; they are not defined on BOOL. */
    private static RefTensor intKeeping(Op op, RefTensor x, DoubleUnaryOperator f) {
        if (x.dtype() == DType.BOOL) throw new IllegalArgumentException(op.opName() + ": not defined for bool input");
        return map(x, x.dtype(), f);
    }

    /** min(max(x, lo), hi), an open (NaN) bound skipped; integers with a fractional bound give F32. */
    private static RefTensor clamp(Attrs a, RefTensor... in) {
        double lo = a.d("min"), hi = a.d("max");
        RefTensor x = in[0];
        if (x.dtype() == DType.BOOL) throw new IllegalArgumentException("clamp: not defined for bool input");
        boolean fractional = (!Double.isNaN(lo) && !Double.isInfinite(lo) && lo != Math.floor(lo))
                || (!Double.isNaN(hi) && !Double.isInfinite(hi) && hi != Math.floor(hi));
        DType out = x.dtype().isFloatingPoint() || !fractional ? x.dtype() : DType.F32;
        return map(x, out, v -> {
            double r = v;
            if (!Double.isNaN(lo)) r = Math.max(r, lo);
            if (!Double.isNaN(hi)) r = Math.min(r, hi);
            return r;
        });
    }

    /**
     * The standard normal CDF, Phi(x) = erfc(-x / sqrt 2) / 2, with erfc(z) = 2/sqrt(pi) times the
     * integral of exp(-t^2) from z to z + 6 (the rest is below 1e-15 of it) by Simpson's rule.
     */
    static double normalCdf(double x) {
        double z = Math.abs(x) / Math.sqrt(2);
        int n = 2000;
        double h = 6.0 / n, sum = 0;
        for (int i = 0; i <= n; i++) {
            double t = z + i * h;
            double w = i == 0 || i == n ? 1 : i % 2 == 1 ? 4 : 2;
            sum += w * Math.exp(-t * t);
        }
        double erfc = 2 / Math.sqrt(Math.PI) * sum * h / 3;
        return x < 0 ? erfc / 2 : 1 - erfc / 2;
    }

    // ------------------------------------------------------------------ binary

    /** Add, sub, mul, div, pow, maximum, minimum in promote(a, b) (F32 for div of integers). */
    private static RefTensor arithmetic(Op op, RefTensor a, RefTensor b, DoubleBinaryOperator f) {
        DType promoted = DType.promote(a.dtype(), b.dtype());
        if (op == Op.SUB && promoted == DType.BOOL) throw new IllegalArgumentException("sub: not defined for two bool tensors");
        DType out = op == Op.DIV && !promoted.isFloatingPoint() ? DType.F32 : promoted;
        DoubleBinaryOperator g = f;
        if (op == Op.POW && !promoted.isFloatingPoint()) {
            g = (x, y) -> {
                if (y < 0) throw new IllegalArgumentException("pow: integer base to the negative power " + (long) y);
                return Math.pow(x, y);
            };
        }
        return broadcast(op, a.roundTo(out), b.roundTo(out), out, g);
    }

    /** Comparisons and logical ops: BOOL, compared in promote(a, b). */
    private static RefTensor predicate(Op op, RefTensor a, RefTensor b, DoubleBinaryOperator f) {
        DType promoted = DType.promote(a.dtype(), b.dtype());
        return broadcast(op, a.roundTo(promoted), b.roundTo(promoted), DType.BOOL, f);
    }

    private static RefTensor broadcast(Op op, RefTensor a, RefTensor b, DType out, DoubleBinaryOperator f) {
        RefTensor r = RefTensor.zeros(out, Shapes.broadcast(op.opName(), a.shape(), b.shape()));
        for (int i = 0; i < r.numel(); i++) {
            int[] idx = r.index(i);
            r.data()[i] = Reference.round(f.applyAsDouble(a.getBroadcast(idx), b.getBroadcast(idx)), out);
        }
        return r;
    }

    // ------------------------------------------------------------------ selection

    private static RefTensor where(Attrs attrs, RefTensor... in) {
        RefTensor c = in[0];
        if (c.dtype() != DType.BOOL) throw new IllegalArgumentException("where: condition must be bool, got " + c.dtype());
        DType out = DType.promote(in[1].dtype(), in[2].dtype());
        RefTensor a = in[1].roundTo(out), b = in[2].roundTo(out);
        int[] shape = Shapes.broadcast("where", Shapes.broadcast("where", c.shape(), a.shape()), b.shape());
        RefTensor r = RefTensor.zeros(out, shape);
        for (int i = 0; i < r.numel(); i++) {
            int[] idx = r.index(i);
            r.data()[i] = c.getBroadcast(idx) != 0 ? a.getBroadcast(idx) : b.getBroadcast(idx);
        }
        return r;
    }

    private static RefTensor maskedFill(Attrs attrs, RefTensor... in) {
        RefTensor x = in[0], mask = in[1];
        if (mask.dtype() != DType.BOOL) throw new IllegalArgumentException("masked_fill: mask must be bool, got " + mask.dtype());
        if (!Arrays.equals(Shapes.broadcast("masked_fill", x.shape(), mask.shape()), x.shape())) {
            throw new IllegalArgumentException("masked_fill: mask " + Shapes.str(mask.shape()) + " does not broadcast to "
                    + Shapes.str(x.shape()));
        }
        double fill = Reference.round(attrs.d("value"), x.dtype());
        RefTensor r = RefTensor.zeros(x.dtype(), x.shape());
        for (int i = 0; i < r.numel(); i++) r.data()[i] = mask.getBroadcast(r.index(i)) != 0 ? fill : x.data()[i];
        return r;
    }
}
