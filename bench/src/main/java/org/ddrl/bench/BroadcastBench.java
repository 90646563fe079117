package org.ddrl.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.ddrl.tensor.Tensor;

/**
 * Elementwise ops whose inputs are not plain same-shape arrays, at the small shapes of a DiT training
 * step: a linear layer's bias add, adaLN's modulation with per-video scale and shift, an add with a
 * transposed operand, zeroing a gradient, and making a transposed view contiguous. These are where a
 * kernel that first copies its inputs to dense same-shape arrays spends more on the copies than on the op.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class BroadcastBench extends PoolThreads {
    private Tensor x, bias, h, scale, shift, a, bt, grad;

    @Setup
    public void setUp() {
        x = Inputs.uniform(1, 4096, 512);
        bias = Inputs.uniform(2, 512);
        h = Inputs.uniform(3, 16, 64, 128);
        scale = Inputs.uniform(4, 16, 1, 128);
        shift = Inputs.uniform(5, 16, 1, 128);
        a = Inputs.uniform(6, 2048, 512);
        bt = Inputs.uniform(7, 512, 2048).transpose(0, 1);
        grad = Inputs.uniform(8, 4096, 512);
    }

    /** [4096, 512] + [512]. */
    @Benchmark
    public Tensor biasAdd() {
        try (var scope = org.ddrl.tensor.Scope.open()) {
            return x.add(bias);
        }
    }

    /** [16, 64, 128] * (1 + [16, 1, 128]) + [16, 1, 128]: three ops. */
    @Benchmark
    public Tensor adaLnModulate() {
        try (var scope = org.ddrl.tensor.Scope.open()) {
            return h.mul(scale.add(1)).add(shift);
        }
    }

    /** [2048, 512] + the transpose of a [512, 2048]. */
    @Benchmark
    public Tensor transposedAdd() {
        try (var scope = org.ddrl.tensor.Scope.open()) {
            return a.add(bt);
        }
    }

    /** Zeroing a [4096, 512] gradient in place. */
    @Benchmark
    public Tensor zero() {
        return grad.zero();
    }

    /** The transpose of a [512, 2048] made contiguous. */
    @Benchmark
    public Tensor contiguousTranspose() {
        try (var scope = org.ddrl.tensor.Scope.open()) {
            return bt.contiguous();
        }
    }
}
