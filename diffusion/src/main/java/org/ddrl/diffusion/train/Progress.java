package org.ddrl.diffusion.train;

import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * What a training run shows while it works: a progress bar with the loss and the throughput on a terminal, and plain
 * lines every {@code logEvery} steps otherwise (a log file has no use for a redrawn bar).
 */
public interface Progress extends AutoCloseable {
    /** Step {@code step} (1-based) is done with this loss, at this many videos per second. */
    void step(long step, double loss, double videosPerSecond);

    /** A line of its own (a checkpoint written, samples scored). */
    void message(String text);

    @Override
    void close();

    /** A bar when the JVM's console is a terminal and {@code out} is System.out, lines otherwise. */
    static Progress create(PrintStream out, String task, long firstStep, long totalSteps, int logEvery) {
        boolean terminal = out == System.out && System.console() != null && System.console().isTerminal();
        return terminal ? new Bar(out, task, firstStep, totalSteps) : new Lines(out, task, firstStep, totalSteps, logEvery);
    }

    /** me.tongfei's progress bar; the loss shown is smoothed over about 20 steps. */
    final class Bar implements Progress {
        private final ProgressBar bar;
        private final PrintStream out;
        private double smoothed = Double.NaN;

        Bar(PrintStream out, String task, long firstStep, long totalSteps) {
            this.out = out;
            this.bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(totalSteps).setStyle(ProgressBarStyle.ASCII)
                    .setConsumer(new ConsoleProgressBarConsumer(out)).setUpdateIntervalMillis(250).setUnit(" steps", 1)
                    .startsFrom(firstStep, java.time.Duration.ZERO).build();
        }

        @Override
        public void step(long step, double loss, double videosPerSecond) {
            smoothed = Double.isNaN(smoothed) ? loss : 0.95 * smoothed + 0.05 * loss;
            bar.stepTo(step);
            bar.setExtraMessage(String.format(Locale.ROOT, " loss %.4f, %.1f videos/s", smoothed, videosPerSecond));
        }

        @Override
        public void message(String text) {
            out.print("\r\033[K");
            out.println(text);
        }

        @Override
        public void close() {
            bar.close();
        }
    }

    /** One line every logEvery steps and at the last: the mean loss since the previous line, throughput and time left. */
    final class Lines implements Progress {
        private final PrintStream out;
        private final String task;
        private final long totalSteps;
        private final int logEvery;
        private final long start = System.nanoTime();
        private final long firstStep;
        private double lossSum;
        private int lossCount;

        Lines(PrintStream out, String task, long firstStep, long totalSteps, int logEvery) {
            this.out = out;
            this.task = task;
            this.firstStep = firstStep;
            this.totalSteps = totalSteps;
            this.logEvery = logEvery;
        }

        @Override
        public void step(long step, double loss, double videosPerSecond) {
            lossSum += loss;
            lossCount++;
            if (step % logEvery != 0 && step != totalSteps) return;
            double elapsed = (System.nanoTime() - start) / 1e9;
            double eta = elapsed / (step - firstStep) * (totalSteps - step);
            out.printf(Locale.ROOT, "%s step %d/%d  loss %.4f  %.1f videos/s  elapsed %s  left %s%n", task, step, totalSteps,
                    lossSum / lossCount, videosPerSecond, duration(elapsed), duration(eta));
            out.flush();
            lossSum = 0;
            lossCount = 0;
        }

        @Override
        public void message(String text) {
            out.println(text);
            out.flush();
        }

        @Override
        public void close() {
            out.flush();
        }
    }

    /** "1m05s", "2h03m". */
    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s < 60) return s + "s";
        if (s < 3600) return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60);
    }
}
