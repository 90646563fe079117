package org.ddrl.kernels.cpu;

/**
 * The one thread pool every CPU kernel runs on. Its size comes from the system property
 * {@code ddrl.threads} (default: available processors) and can be changed with {@link #setThreads}.
 * Work is split into contiguous ranges; ranges smaller than the grain run on the calling thread.
 *
 * <p>Why not a ForkJoinPool: a training step of a small model is thousands of ops of tens of microseconds,
 * and a ForkJoin worker parks between them, so every op paid a wake-up (a futex call and a context switch,
 * several microseconds, far more on a loaded machine) and the caller then blocked in join. Here
 * ({@link WorkerPool}) the caller publishes the ranges and runs them itself as long as any is unclaimed, so
 * a worker that is slow to wake never delays an op; workers spin for a few microseconds after each op
 * before they park, so back-to-back ops find them awake, and an idle pool burns no CPU.
 */
public final class Parallel {
    private static volatile WorkerPool pool = new WorkerPool(defaultThreads());

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

    public static int threads() {
        return pool.threads();
    }

    /** Sets the number of worker threads for all later kernels. */
    public static synchronized void setThreads(int threads) {
        if (threads < 1) throw new IllegalArgumentException("Parallel.setThreads: need at least 1 thread, got " + threads);
        if (threads == pool.threads()) return;
        WorkerPool old = pool;
        pool = new WorkerPool(threads);
        // A job still running on the old pool completes: its caller finishes whatever the exiting workers leave.
        old.shutdown();
    }

    /**
     * Runs body over [0, n) split into at most {@code threads()} ranges of at least {@code grain}
     * indices each. Runs inline when one range suffices, when called from a range of another forRange
     * (on a worker or on the calling thread), or while another thread has the pool busy.
     *
     * <p>The ranges depend only on n, grain and the thread count, never on which thread runs them, so a
     * kernel that reduces per range gives the same bits every time. When ranges throw, the exception of
     * the lowest failing range is rethrown as it is (an Error before a RuntimeException of a higher range
     * is not reordered: lowest range wins).
     */
    public static void forRange(long n, long grain, RangeBody body) {
        if (n <= 0) return;
        WorkerPool p = pool;
        int threads = p.threads();
        long chunks = Math.min(threads, Math.max(1, n / Math.max(1, grain)));
        if (chunks <= 1 || !p.tryRun(n, (int) chunks, body)) body.run(0, n);
    }
}
