package org.ddrl.tensor.cuda;

import java.util.Map;
import org.ddrl.kernels.cpu.HalfFloats;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Kernel;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Philox;

/**
 * rand_uniform, rand_normal and rand_int (random.cu): the Philox stream layout of {@link Philox}, so the
 * same seed and offset give the CPU's tensors: bit for bit for uniform and randint; for normal, CUDA's
 * F64 log, sin and cos may differ from StrictMath's in the last bit of the double, which changes an F32
 * or half result only when that double lies within a rounding of a tie (practically never), and an F64
 * result by an ulp.
 */
final class CudaRandom {
    private static final String MODULE = "random";

    private CudaRandom() {}

    static void register(Map<Op, Kernel> k, CudaBackend b) {
        k.put(Op.RAND_UNIFORM, (a, in) -> uniform(b, a));
        k.put(Op.RAND_NORMAL, (a, in) -> normal(b, a));
        k.put(Op.RAND_INT, (a, in) -> randint(b, a));
    }

    private static Tensor uniform(CudaBackend b, Attrs a) {
        DType dt = a.dtype("dtype");
        double low = a.d("low"), high = a.d("high");
        if (!dt.isFloatingPoint()) throw new IllegalArgumentException("rand_uniform: needs a floating dtype, got " + dt);
        if (!(low < high) || !Double.isFinite(low) || !Double.isFinite(high) || !Double.isFinite(high - low)) {
            throw new IllegalArgumentException("rand_uniform: need finite low < high with a finite high - low, got [" + low + ", "
                    + high + ")");
        }
        Tensor out = output(b, "rand_uniform", a, dt);
        long n = out.numel();
        if (n > 0) {
            Launch.of(b, MODULE, "ddrl_rand_uniform").elements(Philox.uniformBlocks(dt, n)).i64(n).ptr(out).i32(ViewDesc.code(dt))
                    .i64(a.l("seed")).i64(a.l("offset")).f64(low).f64(high).f64(stored(dt, low)).i32(Philox.uniformBits(dt)).run();
        }
        return out;
    }

    /** x as storing it to the floating dtype dt rounds it. */
    private static double stored(DType dt, double x) {
        return switch (dt) {
            case F64 -> x;
            case F32 -> (float) x;
            case BF16 -> HalfFloats.bf16ToFloat(HalfFloats.floatToBf16((float) x));
            case F16 -> HalfFloats.f16ToFloat(HalfFloats.floatToF16((float) x));
            default -> throw new IllegalStateException(dt.toString());
        };
    }

    private static Tensor normal(CudaBackend b, Attrs a) {
        DType dt = a.dtype("dtype");
        double mean = a.d("mean"), std = a.d("std");
        if (!dt.isFloatingPoint()) throw new IllegalArgumentException("rand_normal: needs a floating dtype, got " + dt);
        if (!Double.isFinite(mean) || !(std >= 0) || !Double.isFinite(std)) {
            throw new IllegalArgumentException("rand_normal: need a finite mean and a finite std >= 0, got mean " + mean + " std " + std);
        }
        Tensor out = output(b, "rand_normal", a, dt);
        long n = out.numel();
        if (n > 0) {
            Launch.of(b, MODULE, "ddrl_rand_normal").elements(Philox.normalBlocks(dt, n)).i64(n).ptr(out).i32(ViewDesc.code(dt))
                    .i64(a.l("seed")).i64(a.l("offset")).f64(mean).f64(std).run();
        }
        return out;
    }

    private static Tensor randint(CudaBackend b, Attrs a) {
        DType dt = a.dtype("dtype");
        long low = a.l("low"), high = a.l("high");
        checkIntRange(dt, low, high);
        Tensor out = output(b, "rand_int", a, dt);
        long n = out.numel();
        if (n > 0) {
            Launch.of(b, MODULE, "ddrl_rand_int").elements(Philox.randintBlocks(n)).i64(n).ptr(out).i32(ViewDesc.code(dt))
                    .i64(a.l("seed")).i64(a.l("offset")).i64(low).i64(high - low).run();
        }
        return out;
    }

    /** low < high, and every integer in [low, high) exact in dt. */
    private static void checkIntRange(DType dt, long low, long high) {
        if (low >= high) throw new IllegalArgumentException("rand_int: need low < high, got [" + low + ", " + high + ")");
        // the exact integers of dt: its range, or for floats those up to 2^(significand bits)
        long max = switch (dt) {
            case I64 -> Long.MAX_VALUE;
            case I32 -> Integer.MAX_VALUE;
            case BOOL -> 1;
            case F64 -> 1L << 53;
            case F32 -> 1L << 24;
            case F16 -> 1L << 11;
            case BF16 -> 1L << 8;
        };
        long min = switch (dt) {
            case I64 -> Long.MIN_VALUE;
            case I32 -> Integer.MIN_VALUE;
            case BOOL -> 0;
            default -> -max;
        };
        if (low < min || high - 1 > max) {
            throw new IllegalArgumentException("rand_int: [" + low + ", " + high + ") does not fit " + dt.name().toLowerCase()
                    + ", whose exact integers run from " + min + " to " + max);
        }
    }

    private static Tensor output(CudaBackend b, String op, Attrs a, DType dt) {
        int[] shape = a.ints("shape");
        Shapes.checkShape(op, shape);
        if (a.l("offset") < 0) throw new IllegalArgumentException(op + ": negative counter offset " + a.l("offset"));
        return b.empty(dt, shape);
    }
}
