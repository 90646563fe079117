package org.ddrl.bench;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.ddrl.kernels.cpu.Parallel;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The whole tiny pre-training step ({@link TinyDitStep}: forward, flow-matching loss, backward, clipping, AdamW, EMA)
 * at 1 and 2 pool threads, in milliseconds per step. After each iteration it also prints the process's CPU time per
 * step (user + system, every thread), which says how much of the second core the step keeps busy and stays
 * meaningful on a shared machine where the wall clock does not. Launched with the CLI's collector
 * ({@code -XX:+UseParallelGC}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-XX:+UseParallelGC"})
public class TinyDitStepBench {

    @State(Scope.Benchmark)
    public static class Step {
        @Param({"1", "2"})
        int threads;

        TinyDitStep step;
        long steps;
        long cpu0;
        long wall0;

        @Setup(Level.Trial)
        public void setup() {
            Parallel.setThreads(threads);
            step = new TinyDitStep();
        }

        @Setup(Level.Iteration)
        public void startIteration() {
            steps = 0;
            cpu0 = processCpuNanos();
            wall0 = System.nanoTime();
        }

        @TearDown(Level.Iteration)
        public void endIteration() {
            double cpuMs = (processCpuNanos() - cpu0) / 1e6 / Math.max(1, steps);
            double wallMs = (System.nanoTime() - wall0) / 1e6 / Math.max(1, steps);
            System.out.printf(Locale.ROOT, "  [%d steps: %.1f ms CPU per step (%.0f%% of one core), %.1f ms wall]%n",
                    steps, cpuMs, 100 * cpuMs / wallMs, wallMs);
        }

        @TearDown(Level.Trial)
        public void close() {
            step.close();
        }
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    @Benchmark
    public double step(Step s) {
        s.steps++;
        double loss = s.step.step();
        if (!Double.isFinite(loss)) throw new IllegalStateException("TinyDitStepBench: the loss is not finite: " + loss);
        return loss;
    }
}
