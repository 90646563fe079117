package org.ddrl.tensor.cpu;

import java.lang.foreign.MemorySegment;
import java.util.Map;
import org.ddrl.kernels.cpu.Parallel;
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
 * <p>Each input is turned into dense memory of the compute type (no copy when it already is) or, when it
 * has one element, kept as a scalar; then a loop over [lo, hi) ranges runs on the shared pool.
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
        long n = res.numel();
        if (n == 0) return res;
        long grain = grain(op);
        MemorySegment y = CpuTensors.seg(res);
        switch (out) {
            case F64 -> {
                ElementwiseOperand src = ElementwiseOperand.of(x, DType.F64, shape);
                Parallel.forRange(n, grain, (lo, hi) -> UnaryF64.run(spec, src.seg(), src.off(), y, lo, hi));
                src.done();
            }
            case I32, I64 -> {
                ElementwiseOperand src = ElementwiseOperand.of(x, DType.I64, shape);
                Parallel.forRange(n, grain, (lo, hi) -> UnaryLong.run(spec, src.seg(), src.off(), y, out, lo, hi));
                src.done();
            }
            default -> {
                ElementwiseOperand src = ElementwiseOperand.of(x, DType.F32, shape);
                // a half-precision result is computed into F32 first, in the input's temporary F32 copy when it has one
                Tensor f = out == DType.F32 ? res : src.temporary() ? src.tensor() : CpuTensors.empty(DType.F32, shape);
                MemorySegment fy = CpuTensors.seg(f);
                Parallel.forRange(n, grain, (lo, hi) -> UnaryF32.run(spec, src.seg(), src.off(), fy, lo, hi));
                finishF32(f, res);
                src.done();
            }
        }
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
        long n = res.numel();
        if (n == 0) return res;
        long grain = grain(op);
        ElementwiseOperand x = ElementwiseOperand.of(a, compute, shape), y = ElementwiseOperand.of(b, compute, shape);
        MemorySegment o = CpuTensors.seg(res);
        switch (compute) {
            case F64 -> Parallel.forRange(n, grain, (lo, hi) -> {
                if (cmp) BinaryF64.compare(op, x, y, o, lo, hi);
                else BinaryF64.arith(op, x, y, o, lo, hi);
            });
            case I64 -> {
                String what = CpuTensors.desc(a) + " and " + CpuTensors.desc(b);
                Parallel.forRange(n, grain, (lo, hi) -> {
                    if (cmp) BinaryLong.compare(op, x, y, o, lo, hi);
                    else BinaryLong.arith(op, x, y, o, out, lo, hi, what);
                });
            }
            default -> {
                if (cmp) {
                    Parallel.forRange(n, grain, (lo, hi) -> BinaryF32.compare(op, x, y, o, lo, hi));
                } else {
                    // as in unary: a half-precision result goes through F32, in a temporary input copy when there is one
                    Tensor f = out == DType.F32 ? res
                            : x.temporary() && !x.scalar() ? x.tensor()
                            : y.temporary() && !y.scalar() ? y.tensor() : CpuTensors.empty(DType.F32, shape);
                    MemorySegment fo = CpuTensors.seg(f);
                    Parallel.forRange(n, grain, (lo, hi) -> BinaryF32.arith(op, x, y, fo, lo, hi));
                    finishF32(f, res);
                }
            }
        }
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

    /** Rounds an F32 intermediate into a half-precision result (nothing to do when the result is F32 itself). */
    private static void finishF32(Tensor f, Tensor res) {
        if (f == res) return;
        CpuTensors.copyCast(f, res);
        f.storage().release();
    }
}
