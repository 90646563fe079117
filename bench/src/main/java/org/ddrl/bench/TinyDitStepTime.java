package org.ddrl.bench;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import org.ddrl.kernels.cpu.HostMemory;
import org.ddrl.kernels.cpu.HostMemoryStats;
import org.ddrl.kernels.cpu.Parallel;

/**
 * {@link TinyDitStepBench}'s step outside JMH, for profiling and for busy machines: warm-up steps, then timed steps,
 * printing the wall time and the process's CPU time (user + system, every thread) per step, the garbage
 * collections during the timed steps, and how many host blocks per step came from the caching allocator and how
 * many from the OS. Run it under {@code /usr/bin/time -v} for page faults and context switches,
 * or with {@code -XX:StartFlightRecording} for a profile.
 *
 * <p>Usage: {@code TinyDitStepTime [--threads N] [--warmup W] [--steps S]}.
 */
public final class TinyDitStepTime {
    private TinyDitStepTime() {}

    public static void main(String[] args) {
        int threads = 2, warmup = 20, steps = 100;
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) throw new IllegalArgumentException("TinyDitStepTime: " + args[i] + " needs a value");
            int v = Integer.parseInt(args[i + 1]);
            switch (args[i]) {
                case "--threads" -> threads = v;
                case "--warmup" -> warmup = v;
                case "--steps" -> steps = v;
                default -> throw new IllegalArgumentException("TinyDitStepTime: unknown argument " + args[i]
                        + " (expected --threads, --warmup, --steps)");
            }
        }
        if (threads < 1 || warmup < 0 || steps < 1) {
            throw new IllegalArgumentException("TinyDitStepTime: need threads >= 1, warmup >= 0, steps >= 1; got "
                    + threads + ", " + warmup + ", " + steps);
        }
        Parallel.setThreads(threads);
        try (TinyDitStep step = new TinyDitStep()) {
            for (int i = 0; i < warmup; i++) step.step();
            HostMemoryStats mem0 = HostMemory.stats();
            long gc0 = gcCount(), cpu0 = TinyDitStepBench.processCpuNanos(), wall0 = System.nanoTime();
            double loss = 0;
            for (int i = 0; i < steps; i++) loss += step.step();
            double wallMs = (System.nanoTime() - wall0) / 1e6 / steps;
            double cpuMs = (TinyDitStepBench.processCpuNanos() - cpu0) / 1e6 / steps;
            System.out.printf(Locale.ROOT, "tiny DiT step, %d threads, %,d parameters: %.1f ms wall, %.1f ms CPU per step (%.0f%% of one core),"
                            + " %d GCs in %d steps, mean loss %.4f%n",
                    threads, step.parameters(), wallMs, cpuMs, 100 * cpuMs / wallMs, gcCount() - gc0, steps, loss / steps);
            HostMemoryStats mem = HostMemory.stats();
            System.out.printf(Locale.ROOT, "host blocks per step: %.0f from the cache, %.1f from the OS; %.1f MB live at most%n",
                    (mem.hits() - mem0.hits()) / (double) steps, (mem.misses() - mem0.misses()) / (double) steps, mem.peak() / 1e6);
        }
    }

    private static long gcCount() {
        long n = 0;
        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) n += Math.max(0, gc.getCollectionCount());
        return n;
    }
}
