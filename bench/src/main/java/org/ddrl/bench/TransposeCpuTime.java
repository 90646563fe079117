package org.ddrl.bench;

import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Supplier;
import org.ddrl.kernels.cpu.Parallel;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Scope;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.cpu.CpuTensors;

/**
 * Copies that read a transposed view, single-threaded and timed by the calling thread's CPU time (see
 * {@link ElementwiseCpuTime}), next to the plain copies and adds that move the same bytes, which are their
 * ceiling: {@link BroadcastBench}'s {@code contiguousTranspose} ([512, 2048] transposed to a dense
 * [2048, 512]) and {@code transposedAdd} ([2048, 512] + [512, 2048]^T), the same transpose in F64 and BF16,
 * a transpose with a dtype change (F32 to BF16, the cast path), a permute of the last two dims of a
 * [16, 256, 128] batch, and the STREAM copy of 64 MiB arrays.
 *
 * <p>Usage: {@code java --add-modules jdk.incubator.vector -cp benchmarks.jar org.ddrl.bench.TransposeCpuTime
 * [calls per workload, default 30]}. Prints: name, best ms, median ms, GB/s of the best (bytes read and
 * written once each), and the share of the same-size dense copy's (or add's) GB/s.
 */
public final class TransposeCpuTime {
    private TransposeCpuTime() {}

    public static void main(String[] args) {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        Parallel.setThreads(1);
        StreamBench stream = new StreamBench();
        stream.allocate();
        try {
            time("stream copy 16M", calls, 2L * 4 * StreamBench.N, 0, stream::copy);
        } finally {
            stream.free();
        }
        int rows = 2048, cols = 512;
        long n = (long) rows * cols;
        Tensor a = Inputs.uniform(6, rows, cols), b = Inputs.uniform(7, rows, cols), bt = Inputs.uniform(7, cols, rows).transpose(0, 1);
        Tensor dense = Tensor.empty(DType.F32, a.device(), rows, cols);
        double copy = time("dense copy f32[2048,512]", calls, 8 * n, 0, () -> {
            MemorySegment.copy(CpuTensors.seg(a), 0, CpuTensors.seg(dense), 0, 4 * n);
            return dense;
        });
        time("contiguous f32[512,2048]^T", calls, 8 * n, copy, bt::contiguous);
        Tensor bt64 = Inputs.uniform(7, cols, rows).to(DType.F64).transpose(0, 1);
        Tensor bt16 = Inputs.uniform(7, cols, rows).to(DType.BF16).transpose(0, 1);
        time("contiguous f64[512,2048]^T", calls, 16 * n, copy, bt64::contiguous);
        time("contiguous bf16[512,2048]^T", calls, 4 * n, copy, bt16::contiguous);
        time("to bf16 of f32[512,2048]^T", calls, 6 * n, copy, () -> bt.to(DType.BF16));
        Tensor batch = Inputs.uniform(8, 16, 256, 128).transpose(1, 2);
        time("contiguous f32[16,256,128].transpose(1,2)", calls, 8 * n, copy, batch::contiguous);
        double add = time("dense add f32[2048,512]", calls, 12 * n, 0, () -> a.add(b));
        time("add f32[2048,512] + [512,2048]^T", calls, 12 * n, add, () -> a.add(bt));
    }

    /** GB/s of the best of {@code calls} calls, each in its own scope; prints it with its share of {@code ceiling} GB/s. */
    private static double time(String name, int calls, long bytes, double ceiling, Supplier<?> op) {
        ThreadMXBean clock = ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 20; i++) call(op);
        double[] ms = new double[calls];
        for (int i = 0; i < calls; i++) {
            long t0 = clock.getCurrentThreadCpuTime();
            call(op);
            ms[i] = (clock.getCurrentThreadCpuTime() - t0) * 1e-6;
        }
        Arrays.sort(ms);
        double gbs = bytes / (ms[0] * 1e-3) / 1e9;
        System.out.printf(Locale.ROOT, "%s\t%.3f\t%.3f\t%.1f\tGB/s%s%n", name, ms[0], ms[calls / 2], gbs,
                ceiling > 0 ? String.format(Locale.ROOT, "\t%.0f%% of dense", 100 * gbs / ceiling) : "");
        return gbs;
    }

    private static void call(Supplier<?> op) {
        try (Scope scope = Scope.open()) {
            op.get();
        }
    }
}
