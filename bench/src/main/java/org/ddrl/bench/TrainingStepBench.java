package org.ddrl.bench;

import java.util.concurrent.TimeUnit;
import org.ddrl.autodiff.nn.Linear;
import org.ddrl.autodiff.nn.MultiheadAttention;
import org.ddrl.kernels.cpu.Parallel;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;
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
 * One training step (forward, loss, backward) of the two workloads the autodiff issue compares with
 * PyTorch CPU: an MLP (batch 1024, 512 -> 2048 -> 512, GELU) and a multi-head self-attention block
 * (batch 8, 256 tokens, width 256, 4 heads), F32, at 1 and 2 threads. Gradients are zeroed in place
 * between steps, as an optimizer loop does; every temporary of a step is freed when its scope closes.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class TrainingStepBench {

    @State(Scope.Benchmark)
    public static class Mlp {
        @Param({"1", "2"})
        int threads;

        Linear fc1;
        Linear fc2;
        Tensor x;

        @Setup(Level.Trial)
        public void setup() {
            Parallel.setThreads(threads);
            Generator gen = new Generator(1);
            fc1 = new Linear(512, 2048, true, gen);
            fc2 = new Linear(2048, 512, true, gen);
            x = Tensor.randn(gen, DType.F32, Device.CPU, 1024, 512);
        }
    }

    @State(Scope.Benchmark)
    public static class Attention {
        @Param({"1", "2"})
        int threads;

        MultiheadAttention attn;
        Tensor x;

        @Setup(Level.Trial)
        public void setup() {
            Parallel.setThreads(threads);
            Generator gen = new Generator(2);
            attn = new MultiheadAttention(256, 4, gen);
            x = Tensor.randn(gen, DType.F32, Device.CPU, 8, 256, 256);
        }
    }

    @Benchmark
    public double mlpForwardBackward(Mlp s) {
        try (org.ddrl.tensor.Scope step = org.ddrl.tensor.Scope.open()) {
            Tensor y = s.fc2.forward(s.fc1.forward(s.x).gelu());
            Tensor loss = y.mul(y).mean();
            loss.backward();
            double v = loss.item();
            s.fc1.zeroGrad();
            s.fc2.zeroGrad();
            return v;
        }
    }

    @Benchmark
    public double attentionForwardBackward(Attention s) {
        try (org.ddrl.tensor.Scope step = org.ddrl.tensor.Scope.open()) {
            Tensor y = s.attn.forward(s.x);
            Tensor loss = y.mul(y).mean();
            loss.backward();
            double v = loss.item();
            s.attn.zeroGrad();
            return v;
        }
    }
}
