package org.ddrl.bench;

import java.util.concurrent.TimeUnit;
import org.ddrl.autodiff.nn.AdaLNModulation;
import org.ddrl.autodiff.nn.FeedForward;
import org.ddrl.autodiff.nn.Fusion;
import org.ddrl.autodiff.nn.LayerNorm;
import org.ddrl.autodiff.nn.Module;
import org.ddrl.autodiff.nn.MultiheadAttention;
import org.ddrl.autodiff.nn.Rope3d;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One video DiT block, forward and backward, on the CPU, with its forward chains fused ({@code fused=true}:
 * norm + adaLN modulate, gated residuals, bias + GELU as one op each) or composite ({@code fused=false},
 * the {@link Fusion} setting). The block is the diffusion model's DiTBlock, built from the same public
 * layers in the same order: adaLN-modulated self-attention with 3D RoPE, cross-attention to padded text
 * through an ordinary LayerNorm, adaLN-modulated tanh-GELU MLP (4x), two gated residuals. Shapes
 * "BxNxWIDTH" with 4 heads and text [B, 6, 64]: {@code 16x64x128} is the tiny pre-training model's block
 * (64 tokens on an 8x8 grid), {@code 16x256x256} a wider one on 16x16. A step is forward, sum(y * v),
 * backward, then the gradients are zeroed; ms per step.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class DitBlockFusionBench extends PoolThreads {
    @Param({"16x64x128", "16x256x256"})
    public String shape;

    @Param({"false", "true"})
    public boolean fused;

    private Block block;
    private Tensor x, c, text, padding, v;
    private MultiheadAttention.RopeInput rope;

    /** DiTBlock's layers and forward (diffusion's model package keeps the class itself private). */
    static final class Block extends Module {
        private final LayerNorm norm1, norm2, norm3;
        private final MultiheadAttention attn, crossAttn;
        private final FeedForward mlp;
        private final AdaLNModulation adaLN;

        Block(int width, int heads, int textDim, Generator gen) {
            norm1 = registerModule("norm1", new LayerNorm(new int[] {width}, 1e-6, false, false));
            attn = registerModule("attn", new MultiheadAttention(width, heads, gen));
            norm2 = registerModule("norm2", new LayerNorm(new int[] {width}, 1e-6, true, true));
            crossAttn = registerModule("cross_attn", new MultiheadAttention(width, heads, textDim, textDim, true, gen));
            norm3 = registerModule("norm3", new LayerNorm(new int[] {width}, 1e-6, false, false));
            mlp = registerModule("mlp", new FeedForward(width, 4 * width, FeedForward.Activation.GELU_TANH, true, gen));
            adaLN = registerModule("adaLN_modulation", new AdaLNModulation(width, width, 6));
        }

        Tensor forward(Tensor x, Tensor c, Tensor text, Tensor textPadding, MultiheadAttention.RopeInput rope) {
            Tensor[] m = adaLN.chunks(c);
            Tensor h = AdaLNModulation.modulate(norm1, x, m[0], m[1]);
            x = AdaLNModulation.gatedResidual(x, attn.forward(h, h, h, null, null, false, rope), m[2]);
            Tensor q = norm2.forward(x);
            x = x.add(crossAttn.forward(q, text, text, null, textPadding, false, null));
            h = AdaLNModulation.modulate(norm3, x, m[3], m[4]);
            return AdaLNModulation.gatedResidual(x, mlp.forward(h), m[5]);
        }
    }

    @Setup
    public void setUp() {
        String[] p = shape.split("x");
        int b = Integer.parseInt(p[0]), n = Integer.parseInt(p[1]), width = Integer.parseInt(p[2]), heads = 4, textDim = 64;
        int side = (int) Math.round(Math.sqrt(n));
        block = new Block(width, heads, textDim, new Generator(1));
        // random modulation instead of adaLN-Zero's zeros, so that every branch carries values
        try (var g = org.ddrl.tensor.GradMode.noGrad()) {
            int seed = 10;
            for (Tensor t : block.parameters()) t.copyFrom(Inputs.uniform(seed++, t.shape()).mul(0.1));
        }
        x = Inputs.uniform(2, b, n, width);
        c = Inputs.uniform(3, b, width);
        text = Inputs.uniform(4, b, 6, textDim);
        v = Inputs.uniform(5, b, n, width);
        padding = Inputs.uniform(6, b, 6).gt(0.5);
        Rope3d r = new Rope3d(width / heads, 10000);
        rope = new MultiheadAttention.RopeInput(r, r.tables(1, side, side));
        Fusion.setEnabled(fused);
    }

    @Benchmark
    public Tensor forwardBackward() {
        try (var scope = org.ddrl.tensor.Scope.open()) {
            Tensor y = block.forward(x, c, text, padding, rope);
            y.mul(v).sum().backward();
            Tensor probe = block.adaLN.parameters().get(1).grad();
            block.zeroGrad();
            return probe;
        }
    }
}
