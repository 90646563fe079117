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

/**
 * A video-diffusion-sized 3x3x3 convolution: x [2, 32, 8, 32, 32], w [32, 32, 3, 3, 3], padding 1.
 * 2 * N * O * D * H * W * C * 27 = 3.6 GFLOP per call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class Conv3dBench extends PoolThreads {
    private Tensor x, w;

    @Setup
    public void setUp() {
        x = Inputs.uniform(1, 2, 32, 8, 32, 32);
        w = Inputs.uniform(2, 32, 32, 3, 3, 3);
    }

    @Benchmark
    public Tensor conv3d() {
        try (var scope = org.ddrl.tensor.Scope.open()) {
            return Functional.conv3d(x, w, null, new int[] {1}, new int[] {1}, new int[] {1}, 1);
        }
    }
}
