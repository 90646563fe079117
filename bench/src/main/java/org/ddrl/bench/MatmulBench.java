package org.ddrl.bench;

import java.util.concurrent.TimeUnit;
import org.ddrl.kernels.cpu.Gemm;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.cpu.CpuTensors;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * F32 matrix products [m, k] x [k, n], given as "m x k x n": 1024^3 and the projection shapes of a small
 * transformer (4096 tokens of width 512 through a square projection and an MLP up-projection; 2048 tokens
 * of width 256 through a fused QKV projection). {@code sgemm} times the kernel alone into a preallocated
 * output (what numpy_peers.py times with {@code out=}); {@code matmul} the Tensor op, allocation included.
 * GFLOP/s = 2 m k n / time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class MatmulBench extends PoolThreads {
    @Param({"1024x1024x1024", "4096x512x512", "4096x512x2048", "2048x256x768"})
    public String shape;

    private int m, k, n;
    private Tensor a, b, c;

    @Setup
    public void setUp() {
        String[] d = shape.split("x");
        m = Integer.parseInt(d[0]);
        k = Integer.parseInt(d[1]);
        n = Integer.parseInt(d[2]);
        a = Inputs.uniform(1, m, k);
        b = Inputs.uniform(2, k, n);
        c = Tensor.empty(DType.F32, Device.CPU, m, n);
    }

    @Benchmark
    public Tensor sgemm() {
        Gemm.sgemm(m, n, k, 1f, CpuTensors.seg(a), 0, k, 1, CpuTensors.seg(b), 0, n, 1, 0f, CpuTensors.seg(c), 0, n);
        return c;
    }

    @Benchmark
    public Tensor matmul() {
        try (var scope = org.ddrl.tensor.Scope.open()) {
            return a.matmul(b);
        }
    }
}
