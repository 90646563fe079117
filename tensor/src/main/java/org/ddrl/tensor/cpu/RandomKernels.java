package org.ddrl.tensor.cpu;

import java.lang.foreign.MemorySegment;
import java.util.Map;
import org.ddrl.kernels.cpu.HalfFloats;
import org.ddrl.kernels.cpu.Parallel;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Kernel;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Philox;

/**
 * rand_uniform, rand_normal and rand_int: the stream layout of {@link Philox}, parallel over counter
 * blocks. Every element is a function of (seed, offset, its index) alone, so the thread count never
 * changes a result.
 */
final class RandomKernels {
    private RandomKernels() {}

    private static final long MASK = 0xFFFF_FFFFL;
    private static final double TWO_PI = 2 * Math.PI;
    /** Counter blocks per task: a few hundred microseconds of Philox (or Box-Muller) work. */
    private static final long GRAIN = 2048;

    static void register(Map<Op, Kernel> k) {
        k.put(Op.RAND_UNIFORM, RandomKernels::uniform);
        k.put(Op.RAND_NORMAL, RandomKernels::normal);
        k.put(Op.RAND_INT, RandomKernels::randint);
    }

    private static Tensor uniform(Attrs a, Tensor... in) {
        DType dt = a.dtype("dtype");
        double low = a.d("low"), high = a.d("high");
        RandomChecks.uniform(dt, low, high);
        Tensor out = output("rand_uniform", a, dt);
        MemorySegment s = CpuTensors.seg(out);
        long n = out.numel(), seed = a.l("seed"), offset = a.l("offset");
        int bits = Philox.uniformBits(dt);
        double scale = Math.scalb(1.0, -bits), range = high - low, lowStored = stored(dt, low);
        boolean wide = dt == DType.F64;
        int shift = 32 - bits;
        Parallel.forRange(Philox.uniformBlocks(dt, n), GRAIN, (lo, hi) -> {
            int[] w = new int[4];
            for (long b = lo; b < hi; b++) {
                Philox.streamBlock(seed, offset + b, w, 0);
                if (wide) {
                    long e = 2 * b;
                    for (int j = 0; j < 2 && e + j < n; j++) {
                        long draw = (w[2 * j] & MASK) | (long) w[2 * j + 1] << 32;
                        store(s, dt, e + j, high, lowStored, low + range * ((draw >>> 11) * scale));
                    }
                } else {
                    long e = 4 * b;
                    for (int j = 0; j < 4 && e + j < n; j++) {
                        store(s, dt, e + j, high, lowStored, low + range * ((w[j] >>> shift) * scale));
                    }
                }
            }
        });
        return out;
    }

    /** Stores x rounded to dt, or low when rounding carried it up to high. */
    private static void store(MemorySegment s, DType dt, long i, double high, double lowStored, double x) {
        double v = stored(dt, x);
        Elements.setD(s, dt, i, v >= high ? lowStored : v);
    }

    /** x as a store to dt rounds it (dt floating). */
    private static double stored(DType dt, double x) {
        return switch (dt) {
            case F64 -> x;
            case F32 -> (float) x;
            case BF16 -> HalfFloats.bf16ToFloat(HalfFloats.floatToBf16((float) x));
            case F16 -> HalfFloats.f16ToFloat(HalfFloats.floatToF16((float) x));
            default -> throw new IllegalStateException(dt.toString());
        };
    }

    private static Tensor normal(Attrs a, Tensor... in) {
        DType dt = a.dtype("dtype");
        double mean = a.d("mean"), std = a.d("std");
        RandomChecks.normal(dt, mean, std);
        Tensor out = output("rand_normal", a, dt);
        MemorySegment s = CpuTensors.seg(out);
        long n = out.numel(), seed = a.l("seed"), offset = a.l("offset");
        boolean wide = dt == DType.F64;
        Parallel.forRange(Philox.normalBlocks(dt, n), GRAIN, (lo, hi) -> {
            int[] w = new int[4];
            for (long b = lo; b < hi; b++) {
                Philox.streamBlock(seed, offset + b, w, 0);
                if (wide) {
                    long d1 = ((w[0] & MASK) | (long) w[1] << 32) >>> 11;
                    long d2 = ((w[2] & MASK) | (long) w[3] << 32) >>> 11;
                    boxMuller(s, dt, 2 * b, n, mean, std, (d1 + 1) * 0x1p-53, d2 * 0x1p-53);
                } else {
                    boxMuller(s, dt, 4 * b, n, mean, std, ((w[0] & MASK) + 1) * 0x1p-32, (w[1] & MASK) * 0x1p-32);
                    boxMuller(s, dt, 4 * b + 2, n, mean, std, ((w[2] & MASK) + 1) * 0x1p-32, (w[3] & MASK) * 0x1p-32);
                }
            }
        });
        return out;
    }

    /** Elements e (cosine) and e + 1 (sine) from one Box-Muller pair, those of them below n. */
    private static void boxMuller(MemorySegment s, DType dt, long e, long n, double mean, double std, double u1, double u2) {
        if (e >= n) return;
        double r = Math.sqrt(-2 * StrictMath.log(u1));
        double t = TWO_PI * u2;
        Elements.setD(s, dt, e, mean + std * (r * StrictMath.cos(t)));
        if (e + 1 < n) Elements.setD(s, dt, e + 1, mean + std * (r * StrictMath.sin(t)));
    }

    private static Tensor randint(Attrs a, Tensor... in) {
        DType dt = a.dtype("dtype");
        long low = a.l("low"), high = a.l("high");
        RandomChecks.randint(dt, low, high);
        Tensor out = output("rand_int", a, dt);
        MemorySegment s = CpuTensors.seg(out);
        long n = out.numel(), seed = a.l("seed"), offset = a.l("offset"), range = high - low;
        Parallel.forRange(Philox.randintBlocks(n), GRAIN, (lo, hi) -> {
            int[] w = new int[4];
            for (long b = lo; b < hi; b++) {
                Philox.streamBlock(seed, offset + b, w, 0);
                long e = 2 * b;
                for (int j = 0; j < 2 && e + j < n; j++) {
                    long draw = (w[2 * j] & MASK) | (long) w[2 * j + 1] << 32;
                    Elements.setL(s, dt, e + j, low + Math.unsignedMultiplyHigh(draw, range));
                }
            }
        });
        return out;
    }

    private static Tensor output(String op, Attrs a, DType dt) {
        int[] shape = a.ints("shape");
        Shapes.checkShape(op, shape);
        if (a.l("offset") < 0) throw new IllegalArgumentException(op + ": negative counter offset " + a.l("offset"));
        return CpuTensors.empty(dt, shape);
    }
}
