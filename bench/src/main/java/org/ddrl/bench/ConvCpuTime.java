package org.ddrl.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.ddrl.kernels.cpu.Gemm;
import org.ddrl.kernels.cpu.Parallel;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Dispatch;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Scope;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.cpu.CpuTensors;

/**
 * conv3d forward and both gradients (F32, stride 1, padding 1) against sgemm on the GEMM of the same
 * size: each pass's GFLOP/s and its efficiency, ours conv / ours sgemm. Two references are printed. The
 * first is the issue's: sgemm [M, K] x [K, N] with M = out channels, K = in channels x k^3,
 * N = batch x frames x H x W, one reference per shape. The second is the GEMM each pass would be with
 * its operands already unfolded and laid out for it, as one call:
 * <pre>
 *   forward          [O, C k^3] x [C k^3, N P]   (the shape)
 *   backward input   [C k^3, O] x [O, N P]
 *   backward weight  [O, N P] x [N P, C k^3]
 * </pre>
 * All are 2 O C k^3 N P flops. A whole-shape GEMM streams operands of tens of MB through memory while
 * the conv works block by block in cache, so a pass can beat its reference (efficiency over 100%).
 *
 * <p>With one thread (the default) the calls run inline and are timed by the calling thread's CPU time,
 * so time spent descheduled on a busy machine does not count. With {@code --threads 2} the pool runs the
 * work and the wall clock is used: only meaningful on a quiet machine.
 *
 * <p>Usage: {@code java --add-modules jdk.incubator.vector -cp benchmarks.jar org.ddrl.bench.ConvCpuTime
 * [--threads T] [--calls N] [--pass forward|backward_input|backward_weight] [shapes N,C,O,D,H,W ...]}.
 * Default shapes: Conv3dBench's [2, 32, 8, 32, 32] 32 -> 32, and the tiny UNet's ResBlock convolutions
 * [16, 16, 8, 16, 16] 16 -> 16 and [16, 32, 8, 8, 8] 32 -> 32 (base_channels 16, channel_mults [1, 2],
 * 8x16x16 videos, batch 16); kernel 3. Prints per pass: shape, best ms, median ms, GFLOP/s of the best,
 * the sgemm GFLOP/s and the efficiency against it, the pass's own sgemm GFLOP/s and the efficiency
 * against that.
 */
public final class ConvCpuTime {
    private static final int K = 3;

    private ConvCpuTime() {}

    public static void main(String[] args) {
        int threads = 1, calls = 15;
        String only = null;
        List<String> shapes = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--calls" -> calls = Integer.parseInt(args[++i]);
                case "--pass" -> only = args[++i];
                default -> shapes.add(args[i]);
            }
        }
        if (shapes.isEmpty()) shapes = List.of("2,32,32,8,32,32", "16,16,16,8,16,16", "16,32,32,8,8,8");
        Parallel.setThreads(threads);
        Clock clock = threads == 1 ? new Clock(true) : new Clock(false);
        System.out.printf("# threads %d, clock %s%n", threads, threads == 1 ? "thread cpu" : "wall");
        System.out.println("# pass\tshape\tbest ms\tmedian ms\tGFLOP/s\tsgemm O x Ck^3 x NP\tefficiency\tsgemm own layout\tefficiency");
        for (String s : shapes) {
            int[] d = Arrays.stream(s.split(",")).mapToInt(Integer::parseInt).toArray();
            run(clock, calls, only, d[0], d[1], d[2], d[3], d[4], d[5]);
        }
    }

    private static void run(Clock clock, int calls, String only, int n, int c, int o, int d, int h, int w) {
        int kk = c * K * K * K;
        int np = n * d * h * w;
        double flops = 2.0 * o * kk * np;
        Tensor x = Inputs.uniform(1, n, c, d, h, w);
        Tensor wt = Inputs.uniform(2, o, c, K, K, K);
        Tensor gy = Inputs.uniform(3, n, o, d, h, w);
        int[] one = {1, 1, 1};
        Attrs conv = Attrs.of("stride", one, "padding", one, "dilation", one, "groups", 1);
        String shape = String.format("x[%d,%d,%d,%d,%d] %d->%d k%d", n, c, d, h, w, c, o, K);
        double ref = sgemm(clock, calls, o, kk, np);

        if (only == null || only.equals("forward")) {
            double[] ms = time(clock, calls, flops, () -> Dispatch.call(Op.CONV3D, conv, x, wt, null));
            print("forward", shape, ms, flops, ref, ref);
        }
        if (only == null || only.equals("backward_input")) {
            double[] ms = time(clock, calls, flops,
                    () -> Dispatch.call(Op.CONV3D_BACKWARD_INPUT, conv.with("inputShape", x.shape()), gy, wt));
            print("backward_input", shape, ms, flops, ref, sgemm(clock, calls, kk, o, np));
        }
        if (only == null || only.equals("backward_weight")) {
            double[] ms = time(clock, calls, flops,
                    () -> Dispatch.call(Op.CONV3D_BACKWARD_WEIGHT, conv.with("weightShape", wt.shape()), x, gy));
            print("backward_weight", shape, ms, flops, ref, sgemm(clock, calls, o, np, kk));
        }
    }

    private static void print(String pass, String shape, double[] ms, double flops, double ref, double own) {
        double gf = flops / (ms[0] * 1e-3) / 1e9;
        System.out.printf(java.util.Locale.ROOT, "%s\t%s\t%.3f\t%.3f\t%.1f\t%.1f\t%.0f%%\t%.1f\t%.0f%%%n", pass, shape,
                ms[0], ms[1], gf, ref, 100 * gf / ref, own, 100 * gf / own);
    }

    /** sgemm [m, k] x [k, n], row-major, into a preallocated C: GFLOP/s of the best call. */
    private static double sgemm(Clock clock, int calls, int m, int k, int n) {
        Tensor a = Inputs.uniform(4, m, k), b = Inputs.uniform(5, k, n), c = Tensor.empty(DType.F32, Device.CPU, m, n);
        double flops = 2.0 * m * n * k;
        double best = time(clock, calls, flops, () -> {
            Gemm.sgemm(m, n, k, 1f, CpuTensors.seg(a), 0, k, 1, CpuTensors.seg(b), 0, n, 1, 0f, CpuTensors.seg(c), 0, n);
            return c;
        })[0];
        return flops / (best * 1e-3) / 1e9;
    }

    /** Best and median ms of {@code calls} timed calls, after a warm-up of about 20 GFLOP (at least 30 calls, at most 200). */
    private static double[] time(Clock clock, int calls, double flops, Supplier<Tensor> body) {
        double warm = 0;
        for (int i = 0; i < 30 || warm < 2e10; i++) {
            call(body);
            warm += flops;
            if (i >= 200) break;
        }
        double[] ms = new double[calls];
        for (int i = 0; i < calls; i++) {
            long t0 = clock.now();
            call(body);
            ms[i] = (clock.now() - t0) * 1e-6;
        }
        Arrays.sort(ms);
        return new double[] {ms[0], ms[calls / 2]};
    }

    private static void call(Supplier<Tensor> body) {
        try (var scope = Scope.open()) {
            body.get();
        }
    }

    private record Clock(boolean cpu) {
        private static final ThreadMXBean BEAN = ManagementFactory.getThreadMXBean();

        long now() {
            return cpu ? BEAN.getCurrentThreadCpuTime() : System.nanoTime();
        }
    }
}
