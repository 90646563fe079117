package org.ddrl.bench;

import java.util.function.Supplier;

/**
 * {@link TrainingStepBench}'s two training steps timed outside JMH, by the wall clock or by CPU time ({@link StepTiming#now}),
 * printing the lines {@link TorchTrainingStep} prints so that
 * bench/scripts/training_vs_pytorch.sh can set them side by side. CPU time is the fairer measure on a
 * machine that other work keeps busy: time spent descheduled does not count (contention for caches and
 * memory still does).
 *
 * <p>Usage: {@code TrainingStepCpuTime [--threads N] [--warmup W] [--iterations I] [--clock wall|cpu]}.
 */
public final class TrainingStepCpuTime {
    private TrainingStepCpuTime() {}

    public static void main(String[] args) {
        int threads = 1, warmup = 10, iterations = 30;
        boolean cpuClock = true;
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) throw new IllegalArgumentException("TrainingStepCpuTime: " + args[i] + " needs a value");
            String v = args[i + 1];
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(v);
                case "--warmup" -> warmup = Integer.parseInt(v);
                case "--iterations" -> iterations = Integer.parseInt(v);
                case "--clock" -> {
                    if (!v.equals("wall") && !v.equals("cpu")) {
                        throw new IllegalArgumentException("TrainingStepCpuTime: --clock must be wall or cpu, got " + v);
                    }
                    cpuClock = v.equals("cpu");
                }
                default -> throw new IllegalArgumentException("TrainingStepCpuTime: unknown argument " + args[i]
                        + " (expected --threads, --warmup, --iterations, --clock)");
            }
        }
        if (threads < 1 || warmup < 0 || iterations < 1) {
            throw new IllegalArgumentException("TrainingStepCpuTime: need threads >= 1, warmup >= 0, iterations >= 1; got "
                    + threads + ", " + warmup + ", " + iterations);
        }
        System.out.println("# ddrl, threads " + threads + ", warmup " + warmup + ", iterations " + iterations + ", "
                + (cpuClock ? (threads == 1 ? "CPU time of the calling thread" : "CPU time of the process") : "wall clock"));
        TrainingStepBench bench = new TrainingStepBench();
        TrainingStepBench.Mlp mlp = new TrainingStepBench.Mlp();
        mlp.threads = threads;
        mlp.setup();
        StepTiming.report("mlp", threads, time(() -> bench.mlpForwardBackward(mlp), warmup, iterations, cpuClock, threads));
        TrainingStepBench.Attention attn = new TrainingStepBench.Attention();
        attn.threads = threads;
        attn.setup();
        StepTiming.report("attention", threads, time(() -> bench.attentionForwardBackward(attn), warmup, iterations, cpuClock, threads));
    }

    private static double[] time(Supplier<Double> step, int warmup, int iterations, boolean cpuClock, int threads) {
        for (int i = 0; i < warmup; i++) step.get();
        double[] ms = new double[iterations];
        for (int i = 0; i < iterations; i++) {
            long t0 = StepTiming.now(cpuClock, threads);
            double loss = step.get();
            ms[i] = (StepTiming.now(cpuClock, threads) - t0) / 1e6;
            if (!Double.isFinite(loss)) throw new IllegalStateException("TrainingStepCpuTime: loss is not finite");
        }
        return ms;
    }
}
