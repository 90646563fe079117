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

/** Softmax over the last dim of [4096, 1024] floats (16 MiB), as over attention scores. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class SoftmaxBench extends PoolThreads {
    private Tensor x;

    @Setup
    public void setUp() {
        x = Inputs.uniform(1, 4096, 1024);
    }

    @Benchmark
    public Tensor softmax() {
        try (var scope = org.ddrl.tensor.Scope.open()) {
            return x.softmax(-1);
        }
    }
}
