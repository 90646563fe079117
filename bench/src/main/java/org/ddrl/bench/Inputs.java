package org.ddrl.bench;

import java.util.SplittableRandom;
import org.ddrl.tensor.Tensor;

/** Benchmark inputs: F32 values uniform in [-1, 1), filled on the Java side so no random-op kernel is timed or needed. */
final class Inputs {
    private Inputs() {}

    static Tensor uniform(long seed, int... shape) {
        long n = 1;
        for (int d : shape) n *= d;
        float[] v = new float[Math.toIntExact(n)];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextDouble() * 2 - 1);
        return Tensor.of(v, shape);
    }
}
