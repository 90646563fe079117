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

/** Sum of 16M floats (64 MiB): a pure streaming read. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class ReductionBench extends PoolThreads {
    private Tensor x;

    @Setup
    public void setUp() {
        x = Inputs.uniform(1, ElementwiseBench.N);
    }

    @Benchmark
    public Tensor sum() {
        try (var scope = org.ddrl.tensor.Scope.open()) {
            return x.sum();
        }
    }
}
