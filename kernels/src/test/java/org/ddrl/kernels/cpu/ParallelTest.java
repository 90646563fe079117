package org.ddrl.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicLong;
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
}
