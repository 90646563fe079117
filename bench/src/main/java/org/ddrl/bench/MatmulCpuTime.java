package org.ddrl.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.ddrl.kernels.cpu.Gemm;
import org.ddrl.kernels.cpu.Parallel;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.cpu.CpuTensors;

/**
 * Single-threaded sgemm timed by the calling thread's CPU time rather than the wall clock, for a machine
 * that other work keeps busy: time spent descheduled does not count, so the figure stays close to an idle
 * machine's (cache and memory-bandwidth contention still count). Compare with
 * {@code numpy_peers.py --threads 1 --clock cpu}, which times NumPy the same way.
 *
 * <p>Usage: {@code java --add-modules jdk.incubator.vector -cp benchmarks.jar org.ddrl.bench.MatmulCpuTime
 * [calls per shape, default 30] [shapes m x k x n ...]}. Prints: shape, best ms, median ms, GFLOP/s of the best.
 */
public final class MatmulCpuTime {
    private MatmulCpuTime() {}

    public static void main(String[] args) {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        String[] shapes = args.length > 1 ? java.util.Arrays.copyOfRange(args, 1, args.length)
                : new String[] {"1024x1024x1024", "4096x512x512", "4096x512x2048", "2048x256x768"};
        Parallel.setThreads(1);
        ThreadMXBean clock = ManagementFactory.getThreadMXBean();
        for (String shape : shapes) {
            String[] d = shape.split("x");
            int m = Integer.parseInt(d[0]), k = Integer.parseInt(d[1]), n = Integer.parseInt(d[2]);
            Tensor a = Inputs.uniform(1, m, k), b = Inputs.uniform(2, k, n), c = Tensor.empty(DType.F32, Device.CPU, m, n);
            // Warm-up: enough calls for C2 to compile the kernel and the packing loops.
            long warmupFlops = 0;
            while (warmupFlops < 40_000_000_000L) {
                sgemm(m, n, k, a, b, c);
                warmupFlops += 2L * m * n * k;
            }
            double[] ms = new double[calls];
            for (int i = 0; i < calls; i++) {
                long t0 = clock.getCurrentThreadCpuTime();
                sgemm(m, n, k, a, b, c);
                ms[i] = (clock.getCurrentThreadCpuTime() - t0) * 1e-6;
            }
            java.util.Arrays.sort(ms);
            System.out.printf("matmul %s\t%.3f\t%.3f\t%.1f\tGFLOP/s%n", shape, ms[0], ms[calls / 2], 2.0 * m * n * k / (ms[0] * 1e-3) / 1e9);
        }
    }

    private static void sgemm(int m, int n, int k, Tensor a, Tensor b, Tensor c) {
        Gemm.sgemm(m, n, k, 1f, CpuTensors.seg(a), 0, k, 1, CpuTensors.seg(b), 0, n, 1, 0f, CpuTensors.seg(c), 0, n);
    }
}
