package org.ddrl.bench;

import java.util.concurrent.TimeUnit;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Functional;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.cuda.CudaBackend;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Scaled dot-product attention forward on the GPU (the flash-style kernel of attention.cu): q, k, v
 * [B, H, T, E] given as "BxHxTxE", non-causal, no mask, in F32 and BF16. Every call waits for the device.
 * TFLOP/s = 4 B H T^2 E / time (the two products; the softmax is not counted).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class GpuAttentionBench {
    @Param({"cuda"})
    public String device;

    @Param({"2x16x2048x64", "4x16x1024x72"})
    public String shape;

    @Param({"f32", "bf16"})
    public String dtype;

    private CudaBackend backend;
    private Tensor q, k, v;

    @Setup(Level.Trial)
    public void setUp() {
        backend = GpuDevice.open(device);
        String[] s = shape.split("x");
        int[] dims = {Integer.parseInt(s[0]), Integer.parseInt(s[1]), Integer.parseInt(s[2]), Integer.parseInt(s[3])};
        DType dt = DType.valueOf(dtype.toUpperCase());
        Device d = backend.device();
        q = Inputs.uniform(1, dims).to(dt).to(d);
        k = Inputs.uniform(2, dims).to(dt).to(d);
        v = Inputs.uniform(3, dims).to(dt).to(d);
        backend.synchronize();
    }

    @Benchmark
    public Tensor sdpa() {
        try (org.ddrl.tensor.Scope scope = org.ddrl.tensor.Scope.open()) {
            Tensor o = Functional.scaledDotProductAttention(q, k, v);
            backend.synchronize();
            return o;
        }
    }
}
