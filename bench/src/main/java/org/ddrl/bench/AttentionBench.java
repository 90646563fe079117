package org.ddrl.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.ddrl.tensor.Functional;
import org.ddrl.tensor.Tensor;

/**
 * Scaled dot-product attention: {@link #attention} on q, k, v [8, 4, 256, 64] (batch 8, 4 heads, 256 tokens,
 * head dim 64), no mask; {@link #ditForward} and {@link #ditForwardBackward} on the self-attention of one
 * video DiT block, forward alone and forward plus the gradients of q, k and v through autodiff (the
 * difference is the backward).
 */
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

    /**
     * The DiT's self-attention for 16-frame 32x32 videos (the data preset "standard"): "default" is the
     * pretrain config's model (2x4x4 patches: 8 x 8 x 8 = 512 tokens, width 128 in 4 heads of 32, batch 16),
     * "tiny" is DiTConfig.tiny() (1x4x4 patches: 16 x 8 x 8 = 1024 tokens, width 64 in 4 heads of 16).
     */
    @State(Scope.Benchmark)
    public static class DitLayer {
        @Param({"default", "tiny"})
        public String dit;

        Tensor q, k, v, gradOut;

        @Setup
        public void setUp() {
            int tokens = dit.equals("tiny") ? 1024 : 512, headDim = dit.equals("tiny") ? 16 : 32;
            q = Inputs.uniform(4, 16, 4, tokens, headDim).requiresGrad(true);
            k = Inputs.uniform(5, 16, 4, tokens, headDim).requiresGrad(true);
            v = Inputs.uniform(6, 16, 4, tokens, headDim).requiresGrad(true);
            gradOut = Inputs.uniform(7, 16, 4, tokens, headDim);
        }
    }

    @Benchmark
    public Tensor attention() {
        try (var scope = org.ddrl.tensor.Scope.open()) {
            return Functional.scaledDotProductAttention(q, k, v);
        }
    }

    @Benchmark
    public Tensor ditForward(DitLayer s) {
        try (var scope = org.ddrl.tensor.Scope.open(); var g = org.ddrl.tensor.GradMode.noGrad()) {
            return Functional.scaledDotProductAttention(s.q, s.k, s.v);
        }
    }

    @Benchmark
    public Tensor ditForwardBackward(DitLayer s) {
        try (var scope = org.ddrl.tensor.Scope.open()) {
            Tensor out = Functional.scaledDotProductAttention(s.q, s.k, s.v);
            out.mul(s.gradOut).sum().backward();
            Tensor g = s.q.grad();
            s.q.zeroGrad();
            s.k.zeroGrad();
            s.v.zeroGrad();
            return g;
        }
    }
}
