package org.ddrl.tensor.cpu;

import java.util.Map;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Kernel;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;

/**
 * The elementwise family: unary ops, binary ops with NumPy broadcasting, where and masked_fill.
 *
 * <p>Dtypes follow PyTorch. Binary ops compute in promote(a, b); comparisons and logical ops give BOOL;
 * div on integers gives F32; floating unary ops on integer or BOOL inputs give F32, while neg, abs, relu
 * and clamp keep integer dtypes. Work happens in the compute type of the result: F32 for F32, BF16 and
 * F16 (widened on load, rounded on store), F64 for F64, and exact long arithmetic for integers and BOOL.
 *
 * <p>No input is copied as a whole: an {@link ElementwisePlan} walks the output and the inputs, broadcast
 * and strided as they are, in runs; each run reads an input in place, as one value, or through a small
 * per-thread gather (see {@link ElementwiseOperand}), and calls the same vector loops a dense input would.
 */
final class ElementwiseKernels {
    private ElementwiseKernels() {}

    private static final Op[] UNARY = {Op.NEG, Op.ABS, Op.SQRT, Op.RSQRT, Op.EXP, Op.LOG, Op.SIN, Op.COS, Op.TANH,
        Op.SIGMOID, Op.RELU, Op.GELU, Op.SILU, Op.SOFTPLUS, Op.CLAMP, Op.LOGICAL_NOT};
    private static final Op[] BINARY = {Op.ADD, Op.SUB, Op.MUL, Op.DIV, Op.POW, Op.MAXIMUM, Op.MINIMUM, Op.EQ, Op.NE,
        Op.LT, Op.LE, Op.GT, Op.GE, Op.LOGICAL_AND, Op.LOGICAL_OR};

    /** Elements per task for loads-and-stores ops, where threads only pay off on large inputs. */
    private static final long CHEAP_GRAIN = 1 << 16;
    /** Elements per task for ops that evaluate a transcendental function per element. */
    private static final long COSTLY_GRAIN = 1 << 13;

    static void register(Map<Op, Kernel> k) {
        for (Op op : UNARY) k.put(op, (a, in) -> unary(op, a, in[0]));
        for (Op op : BINARY) k.put(op, (a, in) -> binary(op, in[0], in[1]));
        k.put(Op.WHERE, (a, in) -> ElementwiseSelect.where(in[0], in[1], in[2]));
        k.put(Op.MASKED_FILL, (a, in) -> ElementwiseSelect.maskedFill(in[0], in[1], a.d("value")));
    }

    // ------------------------------------------------------------------ unary

    private static Tensor unary(Op op, Attrs attrs, Tensor x) {
        if (op == Op.LOGICAL_NOT) return ElementwiseLogical.not(x);
        UnarySpec spec = UnarySpec.of(op, attrs);
        DType out = unaryResultType(spec, x);
        int[] shape = x.shape();
        Tensor res = CpuTensors.empty(out, shape);
        if (res.numel() == 0) return res;
        ElementwisePlan plan = ElementwisePlan.of(shape, res, x);
        // integer loops compute in long and store the result dtype themselves; floating ones compute in F32 or F64
        DType loop = switch (out) {
            case F64 -> DType.F64;
            case I32, I64 -> DType.I64;
            default -> DType.F32;
        };
        ElementwiseOperand o = new ElementwiseOperand(plan, 0, res, loop == DType.I64 ? out : loop, false);
        ElementwiseOperand in = new ElementwiseOperand(plan, 1, x, loop, false);
        int maxRun = o.inPlace(false) && in.inPlace(false) ? ElementwisePlan.DENSE_RUN : ElementwisePlan.SCRATCH_RUN;
        ElementwisePlan.Body body = switch (loop) {
            case F64 -> r -> {
                o.target(r);
                in.load(r, false);
                UnaryF64.run(spec, r.seg[1], r.rel(1), r.seg[0], r.pos[0], r.pos[0] + r.n);
            };
            case I64 -> r -> {
                o.target(r);
                in.load(r, false);
                UnaryLong.run(spec, r.seg[1], r.rel(1), r.seg[0], out, r.pos[0], r.pos[0] + r.n);
            };
            default -> r -> {
                o.target(r);
                in.load(r, false);
                UnaryF32.run(spec, r.seg[1], r.rel(1), r.seg[0], r.pos[0], r.pos[0] + r.n);
                o.store(r);
            };
        };
        plan.forEachRun(grain(op), maxRun, body, in);
        in.done();
        return res;
    }

    /**
     * PyTorch's result dtypes: neg, abs, relu and clamp keep the input's dtype (not defined on BOOL);
     * clamp of integers with a fractional bound is F32 (an open side counts as whole); the floating
     * functions give F32 for integer and BOOL inputs.
     */
    private static DType unaryResultType(UnarySpec spec, Tensor x) {
        DType dt = x.dtype();
        Op op = spec.op();
        switch (op) {
            case NEG, ABS, RELU, CLAMP -> {
                if (dt == DType.BOOL) {
                    throw new IllegalArgumentException(op.opName() + ": not defined for bool input " + CpuTensors.desc(x)
                            + "; cast it to an integer or floating dtype first");
                }
                if (op == Op.CLAMP && dt.isIntegral() && !(whole(spec.p()) && whole(spec.q()))) return DType.F32;
                return dt;
            }
            default -> {
                return dt.isFloatingPoint() ? dt : DType.F32;
            }
        }
    }

    private static boolean whole(double v) {
        return Double.isInfinite(v) || v == Math.rint(v);
    }

    // ------------------------------------------------------------------ binary

    private static Tensor binary(Op op, Tensor a, Tensor b) {
        int[] shape = Shapes.broadcast(op.opName(), a.shape(), b.shape());
        DType promoted = DType.promote(a.dtype(), b.dtype());
        if (op == Op.SUB && promoted == DType.BOOL) {
            throw new IllegalArgumentException("sub: subtracting bool tensors is not defined (" + CpuTensors.desc(a) + " - "
                    + CpuTensors.desc(b) + "); use logical ops, or cast to an integer dtype first");
        }
        if (op == Op.LOGICAL_AND || op == Op.LOGICAL_OR) return ElementwiseLogical.andOr(op, a, b, shape);
        boolean cmp = isComparison(op);
        boolean intDiv = op == Op.DIV && !promoted.isFloatingPoint();
        DType compute = intDiv ? DType.F32 : promoted.computeType();
        DType out = cmp ? DType.BOOL : intDiv ? DType.F32 : promoted;
        Tensor res = CpuTensors.empty(out, shape);
        if (res.numel() == 0) return res;
        ElementwisePlan plan = ElementwisePlan.of(shape, res, a, b);
        // comparisons store BOOL bytes and integer loops the result dtype themselves; the rest write the compute dtype
        DType written = cmp || compute == DType.I64 ? out : compute;
        ElementwiseOperand o = new ElementwiseOperand(plan, 0, res, written, false);
        // pow keeps its x * x shortcut for a true scalar exponent 2 only, as before broadcasting ran in place
        ElementwiseOperand x = new ElementwiseOperand(plan, 1, a, compute, true);
        ElementwiseOperand y = new ElementwiseOperand(plan, 2, b, compute, op != Op.POW || b.numel() == 1);
        // the loops take at most one scalar: with both inputs constant along the run, the first is repeated in scratch
        boolean ys = y.scalarRuns(), xs = !ys && x.scalarRuns();
        int maxRun = o.inPlace(false) && x.inPlace(xs) && y.inPlace(ys) ? ElementwisePlan.DENSE_RUN : ElementwisePlan.SCRATCH_RUN;
        ElementwisePlan.Body body = switch (compute) {
            case F64 -> r -> {
                o.target(r);
                x.load(r, xs);
                y.load(r, ys);
                if (cmp) {
                    BinaryF64.compare(op, r.seg[1], r.rel(1), xs, r.seg[2], r.rel(2), ys, r.seg[0], r.pos[0], r.pos[0] + r.n);
                } else {
                    BinaryF64.arith(op, r.seg[1], r.rel(1), xs, r.seg[2], r.rel(2), ys, r.seg[0], r.pos[0], r.pos[0] + r.n);
                }
            };
            case I64 -> {
                String what = CpuTensors.desc(a) + " and " + CpuTensors.desc(b);
                yield r -> {
                    o.target(r);
                    x.load(r, xs);
                    y.load(r, ys);
                    if (cmp) {
                        BinaryLong.compare(op, r.seg[1], r.rel(1), xs, r.seg[2], r.rel(2), ys, r.seg[0], r.pos[0], r.pos[0] + r.n);
                    } else {
                        BinaryLong.arith(op, r.seg[1], r.rel(1), xs, r.seg[2], r.rel(2), ys, r.seg[0], out, r.pos[0], r.pos[0] + r.n,
                                what);
                    }
                };
            }
            default -> r -> {
                o.target(r);
                x.load(r, xs);
                y.load(r, ys);
                if (cmp) {
                    BinaryF32.compare(op, r.seg[1], r.rel(1), xs, r.seg[2], r.rel(2), ys, r.seg[0], r.pos[0], r.pos[0] + r.n);
                } else {
                    BinaryF32.arith(op, r.seg[1], r.rel(1), xs, r.seg[2], r.rel(2), ys, r.seg[0], r.pos[0], r.pos[0] + r.n);
                    o.store(r);
                }
            };
        };
        plan.forEachRun(grain(op), maxRun, body, x, y);
        x.done();
        y.done();
        return res;
    }

    private static boolean isComparison(Op op) {
        return switch (op) {
            case EQ, NE, LT, LE, GT, GE -> true;
            default -> false;
        };
    }

    /** The scalar comparison the vector loops agree with (IEEE: NaN compares unequal to everything). */
    static boolean compare(Op op, double x, double y) {
        return switch (op) {
            case EQ -> x == y;
            case NE -> x != y;
            case LT -> x < y;
            case LE -> x <= y;
            case GT -> x > y;
            case GE -> x >= y;
            default -> throw new IllegalStateException(op.opName() + " is not a comparison");
        };
    }

    // ------------------------------------------------------------------ shared

    private static long grain(Op op) {
        return switch (op) {
            case NEG, ABS, RELU, CLAMP, ADD, SUB, MUL, DIV, MAXIMUM, MINIMUM, EQ, NE, LT, LE, GT, GE -> CHEAP_GRAIN;
            default -> COSTLY_GRAIN;
        };
    }
}
