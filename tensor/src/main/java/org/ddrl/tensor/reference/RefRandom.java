package org.ddrl.tensor.reference;

import java.util.Map;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.rng.Philox;

/**
 * Reference random ops: the stream layout documented in {@link Philox}, element by element, each element
 * computing its own counter block and words from scratch. Slow on purpose; the CPU kernels must match it
 * bit for bit.
 */
final class RefRandom {
    private RefRandom() {}

    static void register(Map<Op, Reference.RefKernel> k) {
        k.put(Op.RAND_UNIFORM, RefRandom::uniform);
        k.put(Op.RAND_NORMAL, RefRandom::normal);
        k.put(Op.RAND_INT, RefRandom::randint);
    }

    /** Draw j of the op's stream: 64 bits for F64, 32 (unsigned, in a long) for the other dtypes. */
    private static long draw(DType dt, long seed, long offset, long j) {
        return dt == DType.F64 ? Philox.draw64(seed, offset, j) : Philox.word(seed, offset, j);
    }

    private static int width(DType dt) {
        return dt == DType.F64 ? 64 : 32;
    }

    private static RefTensor uniform(Attrs a, RefTensor... in) {
        DType dt = a.dtype("dtype");
        double low = a.d("low"), high = a.d("high");
        long seed = a.l("seed"), offset = a.l("offset");
        int m = Philox.uniformBits(dt);
        RefTensor out = RefTensor.zeros(dt, a.ints("shape"));
        for (int i = 0; i < out.numel(); i++) {
            double u = (draw(dt, seed, offset, i) >>> (width(dt) - m)) * Math.pow(2, -m);
            double x = Reference.round(low + (high - low) * u, dt);
            out.data()[i] = x >= high ? Reference.round(low, dt) : x;
        }
        return out;
    }

    private static RefTensor normal(Attrs a, RefTensor... in) {
        DType dt = a.dtype("dtype");
        double mean = a.d("mean"), std = a.d("std");
        long seed = a.l("seed"), offset = a.l("offset");
        int bits = Math.min(width(dt), 53), shift = width(dt) - bits;
        RefTensor out = RefTensor.zeros(dt, a.ints("shape"));
        for (int i = 0; i < out.numel(); i++) {
            long pair = i / 2;
            double u1 = ((draw(dt, seed, offset, 2 * pair) >>> shift) + 1) * Math.pow(2, -bits);
            double u2 = (draw(dt, seed, offset, 2 * pair + 1) >>> shift) * Math.pow(2, -bits);
            double r = Math.sqrt(-2 * StrictMath.log(u1));
            double t = 2 * Math.PI * u2;
            double z = r * (i % 2 == 0 ? StrictMath.cos(t) : StrictMath.sin(t));
            out.data()[i] = Reference.round(mean + std * z, dt);
        }
        return out;
    }

    private static RefTensor randint(Attrs a, RefTensor... in) {
        DType dt = a.dtype("dtype");
        long low = a.l("low"), high = a.l("high");
        long seed = a.l("seed"), offset = a.l("offset");
        RefTensor out = RefTensor.zeros(dt, a.ints("shape"));
        for (int i = 0; i < out.numel(); i++) {
            long x = low + Math.unsignedMultiplyHigh(Philox.draw64(seed, offset, i), high - low);
            out.data()[i] = Reference.round(x, dt);
        }
        return out;
    }
}
