package org.ddrl.kernels.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;

/**
 * The one thread pool every CPU kernel runs on. Its size comes from the system property
 * {@code ddrl.threads} (default: available processors) and can be changed with {@link #setThreads}.
 * Work is split into contiguous ranges; ranges smaller than the grain run on the calling thread.
 */
public final class Parallel {
    private static volatile ForkJoinPool pool = newPool(defaultThreads());

    private Parallel() {}

    /** A body that processes indices [lo, hi). */
    @FunctionalInterface
    public interface RangeBody {
        void run(long lo, long hi);
    }

    private static int defaultThreads() {
        String p = System.getProperty("ddrl.threads");
        if (p == null || p.isBlank()) return Runtime.getRuntime().availableProcessors();
        try {
            int n = Integer.parseInt(p.trim());
            if (n < 1) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("system property ddrl.threads must be a positive integer, got '" + p + "'");
        }
    }

    private static ForkJoinPool newPool(int threads) {
        return new ForkJoinPool(threads, p -> {
            var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setName("ddrl-cpu-" + t.getPoolIndex());
            t.setDaemon(true);
            return t;
        }, null, false);
    }

    public static int threads() {
        return pool.getParallelism();
    }

    /** Sets the number of worker threads for all later kernels. */
    public static synchronized void setThreads(int threads) {
        if (threads < 1) throw new IllegalArgumentException("Parallel.setThreads: need at least 1 thread, got " + threads);
        if (threads == pool.getParallelism()) return;
        ForkJoinPool old = pool;
        pool = newPool(threads);
        old.shutdown();
    }

    /**
     * Runs body over [0, n) split into at most {@code threads()} ranges of at least {@code grain}
     * indices each. Runs inline when one range suffices or when already on a pool thread.
     */
    public static void forRange(long n, long grain, RangeBody body) {
        if (n <= 0) return;
        ForkJoinPool p = pool;
        int threads = p.getParallelism();
        long chunks = Math.min(threads, Math.max(1, n / Math.max(1, grain)));
        if (chunks <= 1 || Thread.currentThread() instanceof java.util.concurrent.ForkJoinWorkerThread) {
            body.run(0, n);
            return;
        }
        long step = (n + chunks - 1) / chunks;
        int parts = (int) ((n + step - 1) / step);
        // Exceptions are caught inside each range and rethrown here as they are: a join would hand back a
        // copy made by the pool, and the lowest failing range wins so the reported error is deterministic.
        RuntimeException[] errors = new RuntimeException[parts];
        ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[parts - 1];
        for (int i = 1; i < parts; i++) {
            final int part = i;
            final long a = i * step, b = Math.min(n, a + step);
            tasks[i - 1] = p.submit(new RecursiveAction() {
                @Override
                protected void compute() {
                    try {
                        body.run(a, b);
                    } catch (RuntimeException e) {
                        errors[part] = e;
                    }
                }
            });
        }
        try {
            body.run(0, Math.min(n, step));
        } catch (RuntimeException e) {
            errors[0] = e;
        }
        for (ForkJoinTask<?> task : tasks) task.join();
        for (RuntimeException e : errors) if (e != null) throw e;
    }
}
