package org.ddrl.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.function.Supplier;
import org.ddrl.kernels.cpu.Parallel;
import org.ddrl.tensor.Scope;
import org.ddrl.tensor.Tensor;

/**
 * The single-threaded STREAM kernels and the streaming ops of {@link ElementwiseBench}, {@link ReductionBench}
 * and {@link SoftmaxBench}, timed by the calling thread's CPU time (user + system, so page faults count)
 * rather than the wall clock: on a machine that other work keeps busy, time spent descheduled does not
 * count. Memory-bandwidth contention from the other work still does. Compare with
 * {@code numpy_peers.py --threads 1 --clock cpu --only add,exp,sum,softmax,stream}, which prints the same lines.
 *
 * <p>Usage: {@code java --add-modules jdk.incubator.vector -cp benchmarks.jar org.ddrl.bench.ElementwiseCpuTime
 * [calls per workload, default 20]}. Prints: name, best ms, median ms, GB/s of the best, unit.
 */
public final class ElementwiseCpuTime {
    private static final int N = ElementwiseBench.N;

    private ElementwiseCpuTime() {}

    public static void main(String[] args) {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        Parallel.setThreads(1);
        StreamBench stream = new StreamBench();
        stream.allocate();
        try {
            time("stream copy 16M", calls, 2L * 4 * N, stream::copy);
            time("stream scale 16M", calls, 2L * 4 * N, stream::scale);
            time("stream add 16M", calls, 3L * 4 * N, stream::add);
            time("stream triad 16M", calls, 3L * 4 * N, stream::triad);
        } finally {
            stream.free();
        }
        Tensor x = Inputs.uniform(1, N), y = Inputs.uniform(2, N), s = Inputs.uniform(1, 4096, 1024);
        time("add 16M", calls, 3L * 4 * N, () -> x.add(y));
        time("exp 16M", calls, 2L * 4 * N, x::exp);
        time("sum 16M", calls, 4L * N, x::sum);
        time("softmax 4096x1024", calls, 2L * 4 * 4096 * 1024, () -> s.softmax(-1));
    }

    /** Each call in its own scope, so its output goes back to the allocator as in a training step. */
    private static void time(String name, int calls, long bytes, Supplier<?> op) {
        ThreadMXBean clock = ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 10; i++) call(op);
        double[] ms = new double[calls];
        for (int i = 0; i < calls; i++) {
            long t0 = clock.getCurrentThreadCpuTime();
            call(op);
            ms[i] = (clock.getCurrentThreadCpuTime() - t0) * 1e-6;
        }
        Arrays.sort(ms);
        System.out.printf(java.util.Locale.ROOT, "%s\t%.3f\t%.3f\t%.1f\tGB/s%n", name, ms[0], ms[calls / 2], bytes / (ms[0] * 1e-3) / 1e9);
    }

    private static void call(Supplier<?> op) {
        try (Scope scope = Scope.open()) {
            op.get();
        }
    }
}
