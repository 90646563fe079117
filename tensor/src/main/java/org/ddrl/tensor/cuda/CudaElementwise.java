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
 * The elementwise family on CUDA (elementwise.cu): unary ops, binary ops with NumPy broadcasting, logical
 * ops, where and masked_fill, erf. Inputs are read in place through their strides (broadcast dims have
 * stride 0), whatever their dtype; the kernel converts on load and rounds on store.
 *
 * <p>Dtypes follow the CPU backend (and PyTorch): binary ops compute in promote(a, b), comparisons and
 * logical ops give BOOL, div of integers gives F32; floating unary ops on integer or BOOL inputs give
 * F32, while neg, abs, relu and clamp keep integer dtypes. The compute type is float for F32, BF16 and
 * F16 results, double for F64 and exact 64-bit integers for integer results.
 */
final class CudaElementwise {
    private static final String MODULE = "elementwise";

    private CudaElementwise() {}

    // op codes, mirrored in elementwise.cu
    private static int unaryCode(Op op, boolean tanhGelu) {
        return switch (op) {
            case NEG -> 0;
            case ABS -> 1;
            case SQRT -> 2;
            case RSQRT -> 3;
            case EXP -> 4;
            case LOG -> 5;
            case SIN -> 6;
            case COS -> 7;
            case TANH -> 8;
            case SIGMOID -> 9;
            case RELU -> 10;
            case GELU -> tanhGelu ? 12 : 11;
            case SILU -> 13;
            case SOFTPLUS -> 14;
            case CLAMP -> 15;
            case ERF -> 16;
            default -> throw new IllegalArgumentException(op.opName() + " is not a unary kernel op");
        };
    }

    private static int binaryCode(Op op) {
        return switch (op) {
            case ADD -> 0;
            case SUB -> 1;
            case MUL -> 2;
            case DIV -> 3;
            case POW -> 4;
            case MAXIMUM -> 5;
            case MINIMUM -> 6;
            case EQ -> 7;
            case NE -> 8;
            case LT -> 9;
            case LE -> 10;
            case GT -> 11;
            case GE -> 12;
            default -> throw new IllegalArgumentException(op.opName() + " is not a binary kernel op");
        };
    }

    private static final int L_AND = 0, L_OR = 1, L_NOT = 2;

    private static final Op[] UNARY = {Op.NEG, Op.ABS, Op.SQRT, Op.RSQRT, Op.EXP, Op.LOG, Op.SIN, Op.COS, Op.TANH,
        Op.SIGMOID, Op.RELU, Op.GELU, Op.SILU, Op.SOFTPLUS, Op.CLAMP, Op.ERF};
    private static final Op[] BINARY = {Op.ADD, Op.SUB, Op.MUL, Op.DIV, Op.POW, Op.MAXIMUM, Op.MINIMUM, Op.EQ, Op.NE,
        Op.LT, Op.LE, Op.GT, Op.GE};

    static void register(Map<Op, Kernel> k, CudaBackend b) {
        for (Op op : UNARY) k.put(op, (a, in) -> unary(b, op, a, in[0]));
        for (Op op : BINARY) k.put(op, (a, in) -> binary(b, op, in[0], in[1]));
        k.put(Op.LOGICAL_NOT, (a, in) -> logical(b, L_NOT, in[0], in[0], in[0].shape()));
        k.put(Op.LOGICAL_AND, (a, in) -> logical(b, L_AND, in[0], in[1], broadcast(Op.LOGICAL_AND, in[0], in[1])));
        k.put(Op.LOGICAL_OR, (a, in) -> logical(b, L_OR, in[0], in[1], broadcast(Op.LOGICAL_OR, in[0], in[1])));
        k.put(Op.WHERE, (a, in) -> where(b, in[0], in[1], in[2]));
        k.put(Op.MASKED_FILL, (a, in) -> maskedFill(b, in[0], in[1], a.d("value")));
    }

    private static int[] broadcast(Op op, Tensor x, Tensor y) {
        return Shapes.broadcast(op.opName(), x.shape(), y.shape());
    }

    /** The kernel of a compute type: "f32", "f64" or "i64". */
    private static String suffix(DType compute) {
        return switch (compute) {
            case F64 -> "f64";
            case I64 -> "i64";
            default -> "f32";
        };
    }

    // ------------------------------------------------------------------ unary

    private static Tensor unary(CudaBackend b, Op op, Attrs attrs, Tensor x) {
        double p = 0, q = 0;
        boolean tanhGelu = false;
        switch (op) {
            case CLAMP -> {
                // an open (NaN) side becomes an infinity, which clamps nothing and lets NaN inputs through
                p = Double.isNaN(attrs.d("min")) ? Double.NEGATIVE_INFINITY : attrs.d("min");
                q = Double.isNaN(attrs.d("max")) ? Double.POSITIVE_INFINITY : attrs.d("max");
            }
            case SOFTPLUS -> {
                p = attrs.d("beta");
                q = attrs.d("threshold");
            }
            case GELU -> {
                String form = attrs.has("approximate") ? attrs.s("approximate") : "none";
                if (!form.equals("none") && !form.equals("tanh")) {
                    throw new IllegalArgumentException("gelu: approximate must be \"none\" or \"tanh\", got \"" + form + "\"");
                }
                tanhGelu = form.equals("tanh");
            }
            default -> { }
        }
        DType out = unaryResultType(op, x, p, q);
        Tensor y = b.empty(out, x.shape());
        long n = y.numel();
        if (n == 0) return y;
        DType compute = out.isFloatingPoint() ? out.computeType() : DType.I64;
        byte[][] v = Views.of(y.shape(), y, x);
        Launch.of(b, MODULE, "ddrl_unary_" + suffix(compute)).elements(n).i32(unaryCode(op, tanhGelu)).i64(n)
                .view(v[0]).ptr(y).view(v[1]).ptr(x).f64(p).f64(q).run();
        return y;
    }

    /**
     * neg, abs, relu and clamp keep the input's dtype (not defined on BOOL); clamp of integers with a
     * fractional bound gives F32; the floating functions give F32 for integer and BOOL inputs.
     */
    private static DType unaryResultType(Op op, Tensor x, double lo, double hi) {
        DType dt = x.dtype();
        switch (op) {
            case NEG, ABS, RELU, CLAMP -> {
                if (dt == DType.BOOL) {
                    throw new IllegalArgumentException(op.opName() + ": not defined for bool input " + Views.desc(x)
                            + "; cast it to an integer or floating dtype first");
                }
                if (op == Op.CLAMP && dt.isIntegral() && !(whole(lo) && whole(hi))) return DType.F32;
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

    private static Tensor binary(CudaBackend b, Op op, Tensor x, Tensor y) {
        int[] shape = broadcast(op, x, y);
        DType promoted = DType.promote(x.dtype(), y.dtype());
        if (op == Op.SUB && promoted == DType.BOOL) {
            throw new IllegalArgumentException("sub: subtracting bool tensors is not defined (" + Views.desc(x) + " - "
                    + Views.desc(y) + "); use logical ops, or cast to an integer dtype first");
        }
        boolean cmp = switch (op) {
            case EQ, NE, LT, LE, GT, GE -> true;
            default -> false;
        };
        boolean intDiv = op == Op.DIV && !promoted.isFloatingPoint();
        DType compute = intDiv ? DType.F32 : promoted.computeType();
        DType out = cmp ? DType.BOOL : intDiv ? DType.F32 : promoted;
        Tensor res = b.empty(out, shape);
        long n = res.numel();
        if (n == 0) return res;
        byte[][] v = Views.of(shape, res, x, y);
        String kernel = "ddrl_binary_" + suffix(compute);
        if (compute != DType.I64) {
            Launch.of(b, MODULE, kernel).elements(n).i32(binaryCode(op)).i64(n).view(v[0]).ptr(res).view(v[1]).ptr(x)
                    .view(v[2]).ptr(y).run();
        } else if (op != Op.POW) {
            Launch.of(b, MODULE, kernel).elements(n).i32(binaryCode(op)).i64(n).view(v[0]).ptr(res).view(v[1]).ptr(x)
                    .view(v[2]).ptr(y).ptr(0).run();
        } else {
            // only integer pow can fail (a negative exponent), and only it waits for the device to know
            long bad = b.checked(err -> Launch.of(b, MODULE, kernel).elements(n).i32(binaryCode(op)).i64(n).view(v[0]).ptr(res)
                    .view(v[1]).ptr(x).view(v[2]).ptr(y).ptr(err).run());
            if (bad >= 0) {
                int[] at = position(bad, shape);
                throw new IllegalArgumentException("pow: integer base to the negative power " + elementAt(b, y, at)
                        + " (at position " + Arrays.toString(at) + ") is not defined for " + Views.desc(x) + " and " + Views.desc(y)
                        + "; cast to a floating dtype first");
            }
        }
        return res;
    }

    /** The multi-index of row-major position flat in shape. */
    static int[] position(long flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int k = shape.length - 1; k >= 0; k--) {
            idx[k] = (int) (flat % shape[k]);
            flat /= shape[k];
        }
        return idx;
    }

    /** The I32 or I64 element of t at a position of the broadcast shape (of rank at least t's). */
    private static long elementAt(CudaBackend b, Tensor t, int[] at) {
        int[] s = t.shape(), shape = new int[at.length];
        Arrays.fill(shape, 1);
        System.arraycopy(s, 0, shape, at.length - s.length, s.length);
        long[] st = Views.broadcastStrides(t, shape);
        long off = t.offset();
        for (int d = 0; d < at.length; d++) off += at[d] * st[d];
        return b.readLong(t, off);
    }

    // ------------------------------------------------------------------ logical, where, masked_fill

    /** and / or of x and y, or not of x (y then unused); any dtypes, read as "non-zero". */
    private static Tensor logical(CudaBackend b, int code, Tensor x, Tensor y, int[] shape) {
        Tensor res = b.empty(DType.BOOL, shape);
        long n = res.numel();
        if (n == 0) return res;
        byte[][] v = Views.of(shape, res, x, y);
        Launch.of(b, MODULE, "ddrl_logical").elements(n).i32(code).i64(n).view(v[0]).ptr(res).view(v[1]).ptr(x).view(v[2]).ptr(y)
                .run();
        return res;
    }

    /** condition ? x : y, all three broadcast together; the result has dtype promote(x, y). */
    private static Tensor where(CudaBackend b, Tensor cond, Tensor x, Tensor y) {
        if (cond.dtype() != DType.BOOL) {
            throw new IllegalArgumentException("where: condition must be bool, got " + cond.dtype().name().toLowerCase()
                    + " (condition " + Views.desc(cond) + ", a " + Views.desc(x) + ", b " + Views.desc(y) + ")");
        }
        int[] shape = Shapes.broadcast("where", Shapes.broadcast("where", cond.shape(), x.shape()), y.shape());
        Tensor res = b.empty(DType.promote(x.dtype(), y.dtype()), shape);
        long n = res.numel();
        if (n == 0) return res;
        byte[][] v = Views.of(shape, res, cond, x, y);
        Launch.of(b, MODULE, "ddrl_where").elements(n).i64(n).view(v[0]).ptr(res).view(v[1]).ptr(cond).view(v[2]).ptr(x)
                .view(v[3]).ptr(y).run();
        return res;
    }

    /** input with value wherever mask (broadcast to the input's shape) is true; keeps the input's dtype. */
    private static Tensor maskedFill(CudaBackend b, Tensor input, Tensor mask, double value) {
        if (mask.dtype() != DType.BOOL) {
            throw new IllegalArgumentException("masked_fill: mask must be bool, got " + mask.dtype().name().toLowerCase()
                    + " (input " + Views.desc(input) + ", mask " + Views.desc(mask) + ")");
        }
        int[] shape = input.shape();
        int[] joint = Shapes.broadcast("masked_fill", shape, mask.shape());
        if (!Arrays.equals(joint, shape)) {
            throw new IllegalArgumentException("masked_fill: mask of shape " + Shapes.str(mask.shape())
                    + " does not broadcast to the input's shape " + Shapes.str(shape) + " (it would give " + Shapes.str(joint) + ")");
        }
        Tensor res = b.empty(input.dtype(), shape);
        long n = res.numel();
        if (n == 0) return res;
        byte[][] v = Views.of(shape, res, input, mask);
        Launch.of(b, MODULE, "ddrl_masked_fill").elements(n).i64(n).view(v[0]).ptr(res).view(v[1]).ptr(input).view(v[2]).ptr(mask)
                .f64(value).run();
        return res;
    }
}
