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

/** Elementwise ops on 16M floats (64 MiB per operand, far beyond cache): add reads two and writes one, exp reads one and writes one. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class ElementwiseBench extends PoolThreads {
    static final int N = 1 << 24;
    private Tensor x, y;

    @Setup
    public void setUp() {
        x = Inputs.uniform(1, N);
        y = Inputs.uniform(2, N);
    }

    @Benchmark
    public Tensor add() {
        try (var scope = org.ddrl.tensor.Scope.open()) {
            return x.add(y);
        }
    }

    @Benchmark
    public Tensor exp() {
        try (var scope = org.ddrl.tensor.Scope.open()) {
            return x.exp();
        }
    }
}
