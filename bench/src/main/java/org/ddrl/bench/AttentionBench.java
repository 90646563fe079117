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
import org.ddrl.tensor.Functional;
import org.ddrl.tensor.Tensor;

/** Scaled dot-product attention, q, k, v [8, 4, 256, 64] (batch 8, 4 heads, 256 tokens, head dim 64), no mask. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class AttentionBench extends PoolThreads {
    private Tensor q, k, v;

    @Setup
    public void setUp() {
        q = Inputs.uniform(1, 8, 4, 256, 64);
        k = Inputs.uniform(2, 8, 4, 256, 64);
        v = Inputs.uniform(3, 8, 4, 256, 64);
    }

    @Benchmark
    public Tensor attention() {
        try (var scope = org.ddrl.tensor.Scope.open()) {
            return Functional.scaledDotProductAttention(q, k, v);
        }
    }
}
