package org.ddrl.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;

class ParallelTest {
    @Test
    void coversTheRangeExactlyOnce() {
        long n = 1_000_003;
        AtomicLong sum = new AtomicLong();
        Parallel.forRange(n, 1000, (lo, hi) -> {
            long s = 0;
            for (long i = lo; i < hi; i++) s += i;
            sum.addAndGet(s);
        });
        assertEquals(n * (n - 1) / 2, sum.get());
    }

    @Test
    void rethrowsTheOriginalExceptionOfTheFirstFailingRange() {
        IllegalArgumentException boom = new IllegalArgumentException("bad index 7 in dim 2");
        var e = assertThrows(IllegalArgumentException.class, () -> Parallel.forRange(1 << 20, 1, (lo, hi) -> {
            if (lo > 0) throw boom;
        }));
        if (Parallel.threads() > 1) assertSame(boom, e);
        assertEquals("bad index 7 in dim 2", e.getMessage());
    }

    /** The ranges follow from n, grain and the thread count alone: ceil(n / parts) long, the last one shorter. */
    @Test
    void rangesDependOnlyOnSizeGrainAndThreads() {
        withThreads(4, threads -> {
            for (int rep = 0; rep < 50; rep++) {
                Set<String> ranges = new ConcurrentSkipListSet<>();
                Parallel.forRange(10, 3, (lo, hi) -> ranges.add(lo + "-" + hi));
                // 10 / 3 = 3 ranges of ceil(10 / 3) = 4
                assertEquals(new TreeSet<>(List.of("0-4", "4-8", "8-10")), ranges, "repetition " + rep);
                ranges.clear();
                Parallel.forRange(1001, 1, (lo, hi) -> ranges.add(lo + "-" + hi));
                assertEquals(new TreeSet<>(List.of("0-251", "251-502", "502-753", "753-1001")), ranges);
                ranges.clear();
                Parallel.forRange(5, 3, (lo, hi) -> ranges.add(lo + "-" + hi + " on " + Thread.currentThread().getName()));
                assertEquals(Set.of("0-5 on " + Thread.currentThread().getName()), ranges, "below two grains: one range, inline");
            }
        });
    }

    /** Several ranges fail, the later ones first: the lowest range's exception is the one thrown, an Error included. */
    @Test
    void lowestFailingRangeWinsWhateverTheTiming() {
        withThreads(4, threads -> {
            for (int rep = 0; rep < 20; rep++) {
                var e = assertThrows(IllegalStateException.class, () -> Parallel.forRange(4, 1, (lo, hi) -> {
                    if (lo == 0) return;
                    if (lo == 1) sleep(5); // finishes last
                    throw new IllegalStateException("range " + lo);
                }));
                assertEquals("range 1", e.getMessage());
                var err = assertThrows(AssertionError.class, () -> Parallel.forRange(4, 1, (lo, hi) -> {
                    if (lo == 2) throw new AssertionError("range 2");
                    if (lo == 3) throw new IllegalArgumentException("range 3");
                }));
                assertEquals("range 2", err.getMessage());
            }
        });
    }

    /** A range that calls forRange again (a batched GEMM, say) runs the inner call inline, on whichever thread it is. */
    @Test
    void nestedCallsRunInlineAndCoverEverything() {
        withThreads(3, threads -> {
            int outer = 6, inner = 100_000;
            AtomicLong sum = new AtomicLong();
            Parallel.forRange(outer, 1, (lo, hi) -> {
                for (long o = lo; o < hi; o++) {
                    String thread = Thread.currentThread().getName();
                    long base = o * inner;
                    Parallel.forRange(inner, 1, (a, b) -> {
                        assertEquals(thread, Thread.currentThread().getName(), "inner ranges stay on the outer range's thread");
                        long s = 0;
                        for (long i = a; i < b; i++) s += base + i;
                        sum.addAndGet(s);
                    });
                }
            });
            long n = (long) outer * inner;
            assertEquals(n * (n - 1) / 2, sum.get());
        });
    }

    /** Callers on several threads at once: one gets the pool, the others run inline; every call is complete. */
    @Test
    void concurrentCallersAllComplete() throws Exception {
        withThreads(2, threads -> {
            ExecutorService callers = Executors.newFixedThreadPool(4);
            try {
                List<Future<Long>> results = new ArrayList<>();
                for (int c = 0; c < 4; c++) {
                    long n = 200_000 + c;
                    results.add(callers.submit(() -> {
                        long total = 0;
                        for (int rep = 0; rep < 200; rep++) {
                            AtomicLong sum = new AtomicLong();
                            Parallel.forRange(n, 1000, (lo, hi) -> {
                                long s = 0;
                                for (long i = lo; i < hi; i++) s += i;
                                sum.addAndGet(s);
                            });
                            total += sum.get() == n * (n - 1) / 2 ? 1 : 0;
                        }
                        return total;
                    }));
                }
                for (Future<Long> f : results) assertEquals(200L, f.get());
            } catch (Exception e) {
                throw new AssertionError(e);
            } finally {
                callers.shutdownNow();
            }
        });
    }

    /** Workers spin only briefly after a job: a pool left idle has every worker parked, burning no CPU. */
    @Test
    void idleWorkersPark() {
        withThreads(3, threads -> {
            for (int rep = 0; rep < 100; rep++) Parallel.forRange(1000, 1, (lo, hi) -> { });
            long deadline = System.nanoTime() + 2_000_000_000L;
            List<Thread> workers;
            do {
                sleep(20);
                workers = Thread.getAllStackTraces().keySet().stream()
                        .filter(t -> t.getName().startsWith("ddrl-cpu-") && t.isAlive()).toList();
            } while (System.nanoTime() < deadline && !workers.stream().allMatch(t -> t.getState() == Thread.State.WAITING));
            assertTrue(workers.size() >= 2, "the pool of 3 has 2 workers, found " + workers);
            for (Thread t : workers) assertEquals(Thread.State.WAITING, t.getState(), t.getName() + " still runs while idle");
        });
    }

    /** Changing the thread count retires the old workers and the new pool computes the same. */
    @Test
    void setThreadsRetiresOldWorkers() {
        int saved = Parallel.threads();
        try {
            for (int threads : new int[] {3, 1, 2, 4}) {
                Parallel.setThreads(threads);
                assertEquals(threads, Parallel.threads());
                AtomicLong sum = new AtomicLong();
                Parallel.forRange(100_000, 10, (lo, hi) -> sum.addAndGet((lo + hi - 1) * (hi - lo) / 2));
                assertEquals(100_000L * 99_999 / 2, sum.get());
            }
        } finally {
            Parallel.setThreads(saved);
        }
        assertThrows(IllegalArgumentException.class, () -> Parallel.setThreads(0));
    }

    private static void withThreads(int threads, IntConsumer body) {
        int saved = Parallel.threads();
        Parallel.setThreads(threads);
        try {
            body.accept(threads);
        } finally {
            Parallel.setThreads(saved);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
