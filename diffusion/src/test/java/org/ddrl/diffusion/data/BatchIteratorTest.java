package org.ddrl.diffusion.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.ddrl.tensor.Tensor;
import org.junit.jupiter.api.Test;

class BatchIteratorTest {
    /** A small dataset whose videos encode their index, which counts batch calls and can be made to fail or wait. */
    private static final class Counting implements Dataset {
        final int size;
        final AtomicInteger batches = new AtomicInteger();
        volatile int failAt = -1;

        Counting(int size) {
            this.size = size;
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public int[] videoShape() {
            return new int[] {3, 1, 1, 1};
        }

        @Override
        public Sample get(int index) {
            if (index == failAt) throw new IllegalStateException("video " + index + " is corrupt");
            return new Sample(Tensor.full(index, org.ddrl.tensor.DType.F32, 3, 1, 1, 1), "video " + index, null);
        }

        @Override
        public Batch batch(int[] indices) {
            batches.incrementAndGet();
            return Dataset.super.batch(indices);
        }
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
            Thread.sleep(5);
        }
    }

    @Test
    void everyIndexOncePerEpochInASeededOrder() {
        Counting ds = new Counting(10);
        List<List<Integer>> epochs = new ArrayList<>(List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>()));
        List<Integer> sizes = new ArrayList<>();
        try (BatchIterator it = new BatchIterator(ds, 4, 3, 7)) {
            assertEquals(3, it.batchesPerEpoch());
            while (it.hasNext()) {
                try (Batch b = it.next()) {
                    sizes.add(b.size());
                    float[] values = b.videos().toFloatArray();
                    for (int i = 0; i < b.size(); i++) {
                        int index = b.indices()[i];
                        epochs.get(b.epoch()).add(index);
                        assertEquals(index, values[3 * i], "the video is the dataset's video at that index");
                        assertEquals("video " + index, b.captions().get(i));
                    }
                }
            }
        }
        assertEquals(List.of(4, 4, 2, 4, 4, 2, 4, 4, 2), sizes);
        for (List<Integer> epoch : epochs) assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), epoch.stream().sorted().toList());
        assertFalse(epochs.get(0).equals(epochs.get(1)), "each epoch is shuffled anew");
        try (BatchIterator again = new BatchIterator(ds, 4, 3, 7); BatchIterator other = new BatchIterator(ds, 4, 3, 8)) {
            assertArrayEquals(epochs.get(0).stream().mapToInt(Integer::intValue).toArray(), again.order(0));
            assertFalse(Arrays.equals(again.order(0), other.order(0)), "another seed, another order");
        }
    }

    @Test
    void dropLastAndNoShuffle() {
        Counting ds = new Counting(10);
        List<int[]> seen = new ArrayList<>();
        try (BatchIterator it = new BatchIterator(ds, 4, 1, 0, false, true, 1)) {
            it.forEachRemaining(b -> {
                seen.add(b.indices());
                b.close();
            });
        }
        assertEquals(2, seen.size());
        assertArrayEquals(new int[] {0, 1, 2, 3}, seen.get(0));
        assertArrayEquals(new int[] {4, 5, 6, 7}, seen.get(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new BatchIterator(ds, 11, 1, 0, true, true, 2));
        assertTrue(e.getMessage().contains("10 videos") && e.getMessage().contains("full batch of 11"), e.getMessage());
    }

    @Test
    void theProducerRunsAheadOfTheConsumer() throws InterruptedException {
        Counting ds = new Counting(40);
        try (BatchIterator it = new BatchIterator(ds, 4, 1, 1, true, false, 2)) {
            Batch first = it.next();
            // While the consumer holds batch 1, the queue fills with 2 more and a 4th is built and waits for room.
            waitUntil(() -> ds.batches.get() == 4, "the producer has built 4 batches");
            Thread.sleep(50);
            assertEquals(4, ds.batches.get(), "the queue is bounded: nothing is built beyond it");
            first.close();
            int n = 1;
            while (it.hasNext()) {
                it.next().close();
                n++;
            }
            assertEquals(10, n);
        }
    }

    @Test
    void producerErrorsReachTheConsumer() {
        Counting ds = new Counting(12);
        ds.failAt = 5;
        List<Integer> before = new ArrayList<>();
        try (BatchIterator it = new BatchIterator(ds, 3, 1, 0, false, false, 2)) {
            RuntimeException e = assertThrows(RuntimeException.class, () -> {
                while (it.hasNext()) {
                    try (Batch b = it.next()) {
                        before.add(b.indices()[0]);
                    }
                }
            });
            assertTrue(e.getMessage().contains("video 5 is corrupt") && e.getMessage().contains("[3, 4, 5]"), e.getMessage());
            assertTrue(e.getCause() instanceof IllegalStateException);
            assertFalse(it.hasNext(), "the iteration ends at the error");
        }
        assertEquals(List.of(0), before, "batches before the failure arrive first");
    }

    @Test
    void closeStopsTheProducerEarly() throws InterruptedException {
        Counting ds = new Counting(1000);
        BatchIterator it = new BatchIterator(ds, 2, BatchIterator.FOREVER, 3);
        it.next().close();
        waitUntil(() -> ds.batches.get() >= 3, "prefetching has started");
        it.close();
        int built = ds.batches.get();
        Thread.sleep(50);
        assertEquals(built, ds.batches.get(), "nothing is built after close");
        assertFalse(it.hasNext());
        assertTrue(Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().equals("batch-prefetch") && t.isAlive()), "the thread is gone");
    }

    @Test
    void badArgumentsAreRefused() {
        Counting ds = new Counting(4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new BatchIterator(ds, 0, 1, 0));
        assertTrue(e.getMessage().contains("batch size 0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BatchIterator(new Counting(0), 1, 1, 0));
    }
}
