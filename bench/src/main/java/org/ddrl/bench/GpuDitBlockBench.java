package org.ddrl.bench;

import java.util.concurrent.TimeUnit;
import org.ddrl.autodiff.nn.AdaLNModulation;
import org.ddrl.autodiff.nn.FeedForward;
import org.ddrl.autodiff.nn.LayerNorm;
import org.ddrl.autodiff.nn.Module;
import org.ddrl.autodiff.nn.MultiheadAttention;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.cuda.CudaBackend;
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
 * One DiT block, forward and backward, on the GPU: adaLN-modulated self-attention and GELU MLP with gates,
 * as the video DiT's blocks (without their cross-attention and RoPE), on tokens [B, N, width] given as
 * "BxNxWIDTHxHEADS". Default: DiT-XL width (1152, 16 heads, MLP 4x) over 2 x 1024 tokens, F32 and BF16.
 * A step is forward, loss = mean(y^2), backward, then the gradients are zeroed, and waits for the device.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class GpuDitBlockBench {
    @Param({"cuda"})
    public String device;

    @Param({"2x1024x1152x16"})
    public String shape;

    @Param({"f32", "bf16"})
    public String dtype;

    private CudaBackend backend;
    private Block block;
    private Tensor x, c;

    /** norm1 -> modulate -> self-attention -> gate, norm3 -> modulate -> MLP -> gate, each added to the residual. */
    static final class Block extends Module {
        private final LayerNorm norm1, norm3;
        private final MultiheadAttention attn;
        private final FeedForward mlp;
        private final AdaLNModulation adaLN;

        Block(int width, int heads, Generator gen) {
            norm1 = registerModule("norm1", new LayerNorm(new int[] {width}, 1e-6, false, false));
            attn = registerModule("attn", new MultiheadAttention(width, heads, gen));
            norm3 = registerModule("norm3", new LayerNorm(new int[] {width}, 1e-6, false, false));
            mlp = registerModule("mlp", new FeedForward(width, 4 * width, FeedForward.Activation.GELU_TANH, true, gen));
            adaLN = registerModule("adaLN_modulation", new AdaLNModulation(width, width, 6));
        }

        Tensor forward(Tensor x, Tensor c) {
            Tensor[] m = adaLN.chunks(c);
            Tensor h = AdaLNModulation.modulate(norm1.forward(x), m[0], m[1]);
            x = x.add(AdaLNModulation.gate(attn.forward(h), m[2]));
            h = AdaLNModulation.modulate(norm3.forward(x), m[3], m[4]);
            return x.add(AdaLNModulation.gate(mlp.forward(h), m[5]));
        }

        @Override
        public Tensor forward(Tensor... inputs) {
            return forward(inputs[0], inputs[1]);
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        backend = GpuDevice.open(device);
        String[] s = shape.split("x");
        int b = Integer.parseInt(s[0]), n = Integer.parseInt(s[1]), width = Integer.parseInt(s[2]), heads = Integer.parseInt(s[3]);
        DType dt = DType.valueOf(dtype.toUpperCase());
        Device d = backend.device();
        Generator gen = new Generator(7);
        block = new Block(width, heads, gen);
        block.to(dt);
        block.to(d);
        x = Inputs.uniform(1, b, n, width).to(dt).to(d);
        c = Inputs.uniform(2, b, width).to(dt).to(d);
        backend.synchronize();
    }

    @Benchmark
    public double forwardBackward() {
        try (org.ddrl.tensor.Scope step = org.ddrl.tensor.Scope.open()) {
            Tensor y = block.forward(x, c);
            Tensor loss = y.to(DType.F32).mul(y.to(DType.F32)).mean();
            loss.backward();
            block.zeroGrad();
            backend.synchronize();
            return loss.item();
        }
    }
}
