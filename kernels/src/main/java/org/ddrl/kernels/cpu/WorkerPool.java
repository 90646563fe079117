package org.ddrl.kernels.cpu;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The threads behind {@link Parallel}: one job at a time, split into a few ranges that the calling thread and
 * the workers claim from a shared counter.
 *
 * <p>Dispatch costs a volatile write and, only for a worker that has gone to sleep, one unpark. The caller
 * claims ranges too and only waits for ranges a worker has already started, so an op never waits for a
 * wake-up: on a loaded machine a descheduled worker simply leaves its range to the caller. After a job a
 * worker spins ({@code ddrl.cpu.spinMicros}, default {@value #DEFAULT_SPIN_MICROS} microseconds, about the
 * gap between two ops of a training step) and then parks, so a busy step keeps it awake and an idle
 * process burns nothing. The caller that waits for a worker's range spins as long, then parks until the
 * worker's last range wakes it.
 *
 * <p>Which thread runs a range never changes the ranges themselves, so results are independent of timing.
 */
final class WorkerPool {
    static final long DEFAULT_SPIN_MICROS = 50;
    private static final long SPIN_NANOS = 1000 * Math.max(0, Long.getLong("ddrl.cpu.spinMicros", DEFAULT_SPIN_MICROS));

    private final int threads;
    private final Worker[] workers;
    /** Held by the thread whose job is running: a second caller, or a range that calls forRange, runs inline. */
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile boolean started;
    private volatile boolean shutdown;
    /** The current job; workers compare it with the last one they took. Null when idle. */
    private volatile Job job;

    WorkerPool(int threads) {
        this.threads = threads;
        this.workers = new Worker[threads - 1];
    }

    int threads() {
        return threads;
    }

    /**
     * Runs body over [0, n) in {@code parts} ranges on this pool and returns true, rethrowing the lowest failing
     * range's exception; returns false without running anything when the pool cannot take the job (the caller is
     * a worker, the pool is busy with another job, or it was shut down): the caller then runs it inline.
     */
    boolean tryRun(long n, int parts, Parallel.RangeBody body) {
        if (shutdown || Thread.currentThread() instanceof Worker || !busy.compareAndSet(false, true)) return false;
        try {
            if (!started) start();
            Job j = new Job(n, parts, body);
            job = j;
            // Workers that are still spinning see the job by themselves; wake sleeping ones, at most one per extra range.
            int wake = parts - 1;
            for (int i = 0; i < workers.length && wake > 0; i++) {
                Worker w = workers[i];
                if (w.parked) {
                    LockSupport.unpark(w);
                    wake--;
                }
            }
            j.work();
            j.awaitDone();
            j.rethrow();
            return true;
        } finally {
            job = null;
            busy.set(false);
        }
    }

    private synchronized void start() {
        if (started) return;
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(this, i);
            workers[i].start();
        }
        started = true;
    }

    /** Lets the workers exit once they finish what they hold; a later tryRun declines. */
    synchronized void shutdown() {
        shutdown = true;
        if (!started) return;
        for (Worker w : workers) LockSupport.unpark(w);
    }

    /** One forRange call: its ranges, the claim counter and the per-range failures. */
    private static final class Job {
        private final long n;
        private final long step;
        private final int parts;
        private final Parallel.RangeBody body;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger pending;
        private final Throwable[] errors;
        private volatile Thread waiter;

        Job(long n, int parts, Parallel.RangeBody body) {
            this.n = n;
            this.step = (n + parts - 1) / parts;
            this.parts = (int) ((n + step - 1) / step);
            this.body = body;
            this.pending = new AtomicInteger(this.parts);
            this.errors = new Throwable[this.parts];
        }

        /** Claims and runs ranges until none is left unclaimed. */
        void work() {
            for (int i; (i = next.getAndIncrement()) < parts; ) {
                long lo = i * step;
                try {
                    body.run(lo, Math.min(n, lo + step));
                } catch (Throwable t) {
                    errors[i] = t;
                }
                if (pending.decrementAndGet() == 0) {
                    Thread w = waiter;
                    if (w != null) LockSupport.unpark(w);
                }
            }
        }

        /** Returns once every range has finished (the caller's own are; the workers' may still run). */
        void awaitDone() {
            long start = System.nanoTime();
            for (int i = 1; pending.get() > 0; i++) {
                if ((i & 63) == 0 && System.nanoTime() - start >= SPIN_NANOS) break;
                Thread.onSpinWait();
            }
            if (pending.get() == 0) return;
            waiter = Thread.currentThread();
            while (pending.get() > 0) LockSupport.park(this);
        }

        /** Rethrows the failure of the lowest failing range as it is. */
        void rethrow() {
            for (Throwable t : errors) {
                if (t == null) continue;
                if (t instanceof RuntimeException e) throw e;
                if (t instanceof Error e) throw e;
                throw new IllegalStateException("Parallel.forRange: a range failed: " + t, t);
            }
        }
    }

    private static final class Worker extends Thread {
        private final WorkerPool pool;
        /** Set while the worker is (about to be) parked: the caller must unpark it. */
        volatile boolean parked;

        Worker(WorkerPool pool, int index) {
            super("ddrl-cpu-" + index);
            this.pool = pool;
            setDaemon(true);
        }

        @Override
        public void run() {
            Job last = null;
            while (true) {
                Job j = awaitJob(last);
                if (j == null) return;
                last = j;
                j.work();
            }
        }

        /** The next job not yet taken, or null at shutdown: spins a few microseconds, then parks. */
        private Job awaitJob(Job last) {
            long start = System.nanoTime();
            for (int i = 1; ; i++) {
                Job j = fresh(last);
                if (j != null || pool.shutdown) return j;
                if ((i & 63) == 0 && System.nanoTime() - start >= SPIN_NANOS) break;
                Thread.onSpinWait();
            }
            // Publish "parked" before the last look, so that a job published meanwhile sees it and unparks us.
            parked = true;
            try {
                while (true) {
                    Job j = fresh(last);
                    if (j != null || pool.shutdown) return j;
                    LockSupport.park(pool);
                }
            } finally {
                parked = false;
            }
        }

        private Job fresh(Job last) {
            Job j = pool.job;
            return j != null && j != last ? j : null;
        }
    }
}
