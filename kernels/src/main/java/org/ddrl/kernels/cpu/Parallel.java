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
        ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[(int) chunks - 1];
        int t = 0;
        for (long lo = step; lo < n; lo += step) {
            final long a = lo, b = Math.min(n, lo + step);
            tasks[t++] = p.submit(new RecursiveAction() {
                @Override
                protected void compute() {
                    body.run(a, b);
                }
            });
        }
        RuntimeException first = null;
        try {
            body.run(0, Math.min(n, step));
        } catch (RuntimeException e) {
            first = e;
        }
        for (int i = 0; i < t; i++) {
            try {
                tasks[i].join();
            } catch (RuntimeException e) {
                if (first == null) first = e;
            }
        }
        if (first != null) throw first;
    }
}
