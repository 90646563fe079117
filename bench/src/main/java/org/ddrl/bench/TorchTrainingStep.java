package org.ddrl.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;

/**
 * The PyTorch peer of {@link TrainingStepBench}: the same two training steps (forward, loss, backward)
 * run by libtorch 2.7.1 on the CPU through DJL 0.36.0, timed here so one script can print both.
 *
 * <ul>
 *   <li>mlp: x [1024, 512] -> Linear(512, 2048) -> GELU (erf form) -> Linear(2048, 512), loss mean(y^2).</li>
 *   <li>attention: x [8, 256, 256] -> separate q, k, v projections Linear(256, 256), 4 heads of 64,
 *       softmax(q k^T / 8) v, heads merged, out projection Linear(256, 256), loss mean(y^2). The attention
 *       is spelled out as matmul, softmax, matmul (DJL exposes no scaled_dot_product_attention), which is
 *       the work our SDPA kernel does too.</li>
 * </ul>
 * Both use biases and F32; gradients are zeroed in place after each step, as the JMH benchmark does.
 * Every intermediate of a step lives in a sub-manager closed at the end of the step.
 *
 * <p>Usage: {@code TorchTrainingStep [--threads N] [--warmup W] [--iterations I] [--workload mlp|attention|all]
 * [--clock wall|cpu]}. Prints one tab-separated line per workload: {@code name threads best_ms mean_ms median_ms}.
 * {@code --clock cpu} times by CPU time (see {@link StepTiming#now}) rather than the wall clock, for a machine that other
 * work keeps busy; {@link TrainingStepCpuTime} times ours the same way. Run it with
 * {@code -Dai.djl.offline=true} and the pytorch-native-cpu jar on the class path: nothing is downloaded.
 * libtorch fixes its thread pools when the engine starts, so one JVM measures one thread count.
 */
public final class TorchTrainingStep {
    private TorchTrainingStep() {}

    /** One training step's fixed state: inputs and parameters. */
    private interface Workload extends AutoCloseable {
        void step(Engine engine);

        @Override
        void close();
    }

    public static void main(String[] args) {
        int threads = 1, warmup = 10, iterations = 30;
        String workload = "all";
        boolean cpuClock = false;
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(need(args[i], v));
                case "--warmup" -> warmup = Integer.parseInt(need(args[i], v));
                case "--iterations" -> iterations = Integer.parseInt(need(args[i], v));
                case "--workload" -> workload = need(args[i], v);
                case "--clock" -> {
                    if (!List.of("wall", "cpu").contains(need(args[i], v))) {
                        throw new IllegalArgumentException("TorchTrainingStep: --clock must be wall or cpu, got " + v);
                    }
                    cpuClock = v.equals("cpu");
                }
                default -> throw new IllegalArgumentException("TorchTrainingStep: unknown argument " + args[i]
                        + " (expected --threads, --warmup, --iterations, --workload, --clock)");
            }
            i++;
        }
        if (threads < 1 || warmup < 0 || iterations < 1) {
            throw new IllegalArgumentException("TorchTrainingStep: need threads >= 1, warmup >= 0, iterations >= 1; got "
                    + threads + ", " + warmup + ", " + iterations);
        }
        if (!List.of("mlp", "attention", "all").contains(workload)) {
            throw new IllegalArgumentException("TorchTrainingStep: --workload must be mlp, attention or all, got " + workload);
        }
        // Never reach for the network: the native library must come from the class path.
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        Engine engine = Engine.getEngine("PyTorch");
        JniUtils.setNumThreads(threads);
        if (JniUtils.getNumThreads() != threads) {
            throw new IllegalStateException("TorchTrainingStep: libtorch runs " + JniUtils.getNumThreads()
                    + " intra-op threads, asked for " + threads);
        }
        System.out.println("# " + engine.getEngineName() + " " + engine.getVersion() + ", intra-op threads "
                + JniUtils.getNumThreads() + ", warmup " + warmup + ", iterations " + iterations + ", "
                + (cpuClock ? (threads == 1 ? "CPU time of the calling thread" : "CPU time of the process") : "wall clock"));
        try (NDManager root = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            root.getEngine().setRandomSeed(1);
            if (!workload.equals("attention")) {
                try (Workload w = new Mlp(root)) {
                    StepTiming.report("mlp", threads, time(w, engine, warmup, iterations, cpuClock, threads));
                }
            }
            if (!workload.equals("mlp")) {
                try (Workload w = new Attention(root)) {
                    StepTiming.report("attention", threads, time(w, engine, warmup, iterations, cpuClock, threads));
                }
            }
        }
    }

    private static String need(String flag, String value) {
        if (value == null) throw new IllegalArgumentException("TorchTrainingStep: " + flag + " needs a value");
        return value;
    }

    private static double[] time(Workload w, Engine engine, int warmup, int iterations, boolean cpuClock, int threads) {
        for (int i = 0; i < warmup; i++) w.step(engine);
        double[] ms = new double[iterations];
        for (int i = 0; i < iterations; i++) {
            long t0 = StepTiming.now(cpuClock, threads);
            w.step(engine);
            ms[i] = (StepTiming.now(cpuClock, threads) - t0) / 1e6;
        }
        return ms;
    }

    /** A Linear layer's parameters in PyTorch's layout (weight [out, in]) and its default init. */
    private record Dense(NDArray weight, NDArray bias) {
        static Dense of(NDManager m, int in, int out) {
            float bound = (float) (1 / Math.sqrt(in));
            Dense d = new Dense(m.randomUniform(-bound, bound, new Shape(out, in)), m.randomUniform(-bound, bound, new Shape(out)));
            d.weight.setRequiresGradient(true);
            d.bias.setRequiresGradient(true);
            return d;
        }

        NDArray apply(NDArray x) {
            return Linear.linear(x, weight, bias).singletonOrThrow();
        }
    }

    /** Shared step logic: temporaries in a sub-manager, backward, gradients zeroed in place. */
    private abstract static class Base implements Workload {
        final NDManager root;
        final List<NDArray> fixed = new ArrayList<>();
        final List<NDArray> params = new ArrayList<>();

        Base(NDManager root) {
            this.root = root;
        }

        Dense dense(int in, int out) {
            Dense d = Dense.of(root, in, out);
            params.add(d.weight());
            params.add(d.bias());
            fixed.add(d.weight());
            fixed.add(d.bias());
            return d;
        }

        abstract NDArray loss();

        @Override
        public void step(Engine engine) {
            try (NDManager step = root.newSubManager()) {
                // results attach to their first operand's manager: lend the fixed arrays to the step's
                for (NDArray a : fixed) a.tempAttach(step);
                try (GradientCollector gc = engine.newGradientCollector()) {
                    NDArray loss = loss();
                    gc.backward(loss);
                    if (!Float.isFinite(loss.getFloat())) throw new IllegalStateException("TorchTrainingStep: loss is not finite");
                }
                for (NDArray p : params) {
                    NDArray g = p.getGradient();
                    g.subi(g);
                }
            }
        }

        @Override
        public void close() {
            for (NDArray a : fixed) a.close();
        }
    }

    private static final class Mlp extends Base {
        private final NDArray x;
        private final Dense fc1;
        private final Dense fc2;

        Mlp(NDManager root) {
            super(root);
            x = root.randomNormal(new Shape(1024, 512));
            fixed.add(x);
            fc1 = dense(512, 2048);
            fc2 = dense(2048, 512);
        }

        @Override
        NDArray loss() {
            NDArray y = fc2.apply(Activation.gelu(fc1.apply(x)));
            return y.mul(y).mean();
        }
    }

    private static final class Attention extends Base {
        private static final int N = 8, T = 256, D = 256, H = 4, DH = D / H;
        private final NDArray x;
        private final Dense q;
        private final Dense k;
        private final Dense v;
        private final Dense out;

        Attention(NDManager root) {
            super(root);
            x = root.randomNormal(new Shape(N, T, D));
            fixed.add(x);
            q = dense(D, D);
            k = dense(D, D);
            v = dense(D, D);
            out = dense(D, D);
        }

        /** [N, T, D] to [N, H, T, DH]. */
        private static NDArray heads(NDArray t) {
            return t.reshape(N, T, H, DH).transpose(0, 2, 1, 3);
        }

        @Override
        NDArray loss() {
            NDArray qh = heads(q.apply(x)), kh = heads(k.apply(x)), vh = heads(v.apply(x));
            NDArray scores = qh.matMul(kh.transpose(0, 1, 3, 2)).mul(1 / Math.sqrt(DH));
            NDArray o = scores.softmax(-1).matMul(vh);
            NDArray y = out.apply(o.transpose(0, 2, 1, 3).reshape(N, T, D));
            return y.mul(y).mean();
        }
    }
}
