package org.ddrl.bench;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;

/**
 * The clock and the report line shared by {@link TorchTrainingStep} and {@link TrainingStepCpuTime}
 * (kept apart from the first so that ours runs without DJL on the class path).
 */
final class StepTiming {
    private StepTiming() {}

    /**
     * Nanoseconds of wall clock, or of CPU time (user + system). With one thread all the work of a step runs
     * on the calling thread (our pool runs a single range inline; libtorch with one intra-op thread computes,
     * and runs CPU autograd, on the caller), so the caller's CPU time is read: it is exact to the microsecond.
     * With more threads the process's CPU time is read, every thread summed, which the OS counts in 10 ms
     * ticks: only means over many steps are meaningful then.
     */
    static long now(boolean cpuClock, int threads) {
        if (!cpuClock) return System.nanoTime();
        if (threads == 1) return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** One tab-separated line: name, threads, best, mean and median milliseconds. */
    static void report(String name, int threads, double[] ms) {
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        double mean = Arrays.stream(ms).average().orElseThrow();
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        System.out.printf(Locale.ROOT, "%s\t%d\t%.3f\t%.3f\t%.3f%n", name, threads, sorted[0], mean, median);
    }
}
