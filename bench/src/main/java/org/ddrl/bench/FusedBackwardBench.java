package org.ddrl.bench;

import java.util.concurrent.TimeUnit;
import org.ddrl.tensor.ActivationGrads;
import org.ddrl.tensor.NormGrads;
import org.ddrl.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The gradients of an MLP activation ([4096, 2048], tanh-form GELU) and of a layer norm with weight and bias
 * ([4096, 512]): the chains of elementwise ops and reductions the derivative rules used to build
 * ({@code *Composite}) against the fused ops they call now ({@code *Fused}). Each call returns all the
 * gradients the rule returns; results are freed when the call's scope closes, as in the other benchmarks.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class FusedBackwardBench extends PoolThreads {
    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

    private Tensor ax, ag, nx, ng, nw;

    @Setup
    public void setUp() {
        ax = Inputs.uniform(1, 4096, 2048).mul(3);
        ag = Inputs.uniform(2, 4096, 2048);
        nx = Inputs.uniform(3, 4096, 512);
        ng = Inputs.uniform(4, 4096, 512);
        nw = Inputs.uniform(5, 512).add(1);
    }

    @Benchmark
    public Tensor geluTanhComposite() {
        try (var scope = org.ddrl.tensor.Scope.open()) {
            Tensor x = ax, x2 = x.mul(x);
            Tensor t = x.add(x2.mul(x).mul(0.044715)).mul(SQRT_2_OVER_PI).tanh();
            Tensor du = x2.mul(3 * 0.044715).add(1).mul(SQRT_2_OVER_PI);
            Tensor d = t.add(1).mul(0.5).add(x.mul(0.5).mul(t.mul(t).rsub(1)).mul(du));
            return ag.mul(d);
        }
    }

    @Benchmark
    public Tensor geluTanhFused() {
        try (var scope = org.ddrl.tensor.Scope.open()) {
            return ActivationGrads.gelu(ag, ax, "tanh");
        }
    }

    @Benchmark
    public Tensor[] layerNormComposite() {
        try (var scope = org.ddrl.tensor.Scope.open()) {
            int[] dims = {1};
            Tensor x = nx, g = ng;
            Tensor rstd = x.var(dims, 0, true).add(1e-5).rsqrt();
            Tensor xhat = x.sub(x.mean(dims, true)).mul(rstd);
            Tensor gh = g.mul(nw);
            Tensor gx = gh.sub(gh.mean(dims, true)).sub(xhat.mul(gh.mul(xhat).mean(dims, true))).mul(rstd);
            // the engine then sums the [4096, 512] weight and bias gradients over the rows
            Tensor gw = g.mul(xhat).sum(0), gb = g.sum(0);
            return new Tensor[] {gx, gw, gb};
        }
    }

    @Benchmark
    public Tensor[] layerNormFused() {
        try (var scope = org.ddrl.tensor.Scope.open()) {
            NormGrads d = NormGrads.layerNorm(ng, nx, nw, 1, 1e-5, true, true, true);
            return new Tensor[] {d.input(), d.weight(), d.bias()};
        }
    }
}
