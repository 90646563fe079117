package org.ddrl.diffusion.data;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Batches of a {@link Dataset}, epoch after epoch, built on a background thread while the consumer works on the
 * previous ones. Each epoch visits every index once, in an order shuffled by the seed and the epoch number (the same
 * seed gives the same batches on every run); the last batch of an epoch is smaller unless {@code dropLast}.
 *
 * <p>At most {@code prefetch} finished batches wait in the queue, plus the one being built, so memory stays bounded.
 * An exception thrown while building a batch reaches the consumer from {@link #next()}, wrapped with the epoch and
 * indices and carrying the original message and cause; the iteration ends there. {@link #close()} stops the thread
 * and releases the batches still queued; always close the iterator (try-with-resources), also after an error.
 *
 * <p>Batches are created on the background thread, where no {@link org.ddrl.tensor.Scope} is open: no scope of the
 * consumer owns them. The consumer frees each batch with {@link Batch#close()} when done (or lets the garbage
 * collector do it).
 */
public final class BatchIterator implements Iterator<Batch>, AutoCloseable {
    /** Epoch count for an iterator that never ends. */
    public static final int FOREVER = Integer.MAX_VALUE;
    /** The stream tag of the shuffles, apart from the data's streams. */
    private static final int SHUFFLE_STREAM = 1 << 17;

    private sealed interface Item permits Ready, Failed, End {}

    private record Ready(Batch batch) implements Item {}

    private record Failed(RuntimeException error) implements Item {}

    private record End() implements Item {}

    private final Dataset dataset;
    private final int batchSize;
    private final int epochs;
    private final long seed;
    private final boolean shuffle;
    private final boolean dropLast;
    private final long firstBatch;
    private final BlockingQueue<Item> queue;
    private final Thread producer;
    private Item pending;
    private boolean finished;
    private volatile boolean closed;

    /** Shuffled batches, the last one of an epoch possibly smaller, two batches prefetched. */
    public BatchIterator(Dataset dataset, int batchSize, int epochs, long seed) {
        this(dataset, batchSize, epochs, seed, true, false, 2);
    }

    public BatchIterator(Dataset dataset, int batchSize, int epochs, long seed, boolean shuffle, boolean dropLast, int prefetch) {
        this(dataset, batchSize, epochs, seed, shuffle, dropLast, prefetch, 0);
    }

    /**
     * Starts at batch {@code firstBatch} of the sequence the other constructors give (counted across epochs), without
     * building the batches before it: a resumed training run gets the batches it would have had.
     */
    public BatchIterator(Dataset dataset, int batchSize, int epochs, long seed, boolean shuffle, boolean dropLast, int prefetch,
                         long firstBatch) {
        if (batchSize < 1 || epochs < 1 || prefetch < 1 || firstBatch < 0) {
            throw new IllegalArgumentException("BatchIterator: batch size " + batchSize + ", epochs " + epochs + " and prefetch "
                    + prefetch + " must all be positive, and the first batch " + firstBatch + " not negative");
        }
        if (dataset.size() == 0 || (dropLast && dataset.size() < batchSize)) {
            throw new IllegalArgumentException("BatchIterator: a dataset of " + dataset.size() + " videos gives no "
                    + (dropLast ? "full " : "") + "batch of " + batchSize);
        }
        this.dataset = dataset;
        this.batchSize = batchSize;
        this.epochs = epochs;
        this.seed = seed;
        this.shuffle = shuffle;
        this.dropLast = dropLast;
        this.firstBatch = firstBatch;
        this.queue = new ArrayBlockingQueue<>(prefetch);
        this.producer = Thread.ofPlatform().daemon().name("batch-prefetch").unstarted(this::produce);
        producer.start();
    }

    /** Batches per epoch. */
    public int batchesPerEpoch() {
        int n = dataset.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** The order epoch {@code epoch} visits the indices in. */
    public int[] order(int epoch) {
        int n = dataset.size();
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        if (!shuffle) return order;
        PhiloxStream r = new PhiloxStream(seed, SHUFFLE_STREAM, epoch);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        return order;
    }

    private void produce() {
        int[] indices = null;
        int epoch = (int) Math.min(firstBatch / batchesPerEpoch(), Integer.MAX_VALUE);
        int first = (int) (firstBatch % batchesPerEpoch());
        try {
            for (; epoch < epochs && !closed; epoch++, first = 0) {
                int[] order = order(epoch);
                for (int b = first; b < batchesPerEpoch() && !closed; b++) {
                    indices = Arrays.copyOfRange(order, b * batchSize, Math.min(order.length, (b + 1) * batchSize));
                    Batch built = dataset.batch(indices);
                    Batch batch = new Batch(built.videos(), built.captions(), built.attributes(), indices, epoch);
                    try {
                        queue.put(new Ready(batch));
                    } catch (InterruptedException e) {
                        batch.close();
                        return;
                    }
                }
            }
            queue.put(new End());
        } catch (InterruptedException e) {
            // Closed while waiting for room: nothing more is wanted.
        } catch (Throwable e) {
            RuntimeException failure = new RuntimeException("BatchIterator: building the batch of epoch " + epoch
                    + " with indices " + Arrays.toString(indices) + " failed: " + e, e);
            try {
                queue.put(new Failed(failure));
            } catch (InterruptedException ignored) {
                // Closed: the failure has no one to report to.
            }
        }
    }

    @Override
    public boolean hasNext() {
        if (closed) return false;
        if (pending == null && !finished) {
            try {
                pending = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("BatchIterator: interrupted while waiting for the next batch", e);
            }
            if (pending instanceof End) {
                pending = null;
                finished = true;
            }
        }
        return pending != null;
    }

    /** The next batch; the caller owns it (see the class comment). */
    @Override
    public Batch next() {
        if (!hasNext()) throw new NoSuchElementException("BatchIterator: " + (closed ? "closed" : "no batches left"));
        Item item = pending;
        pending = null;
        if (item instanceof Failed f) {
            finished = true;
            throw f.error();
        }
        return ((Ready) item).batch();
    }

    /** Stops the background thread, waits for it, and releases the batches it had prepared. Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        producer.interrupt();
        boolean interrupted = false;
        while (producer.isAlive()) {
            drain();
            try {
                producer.join(100);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        drain();
        // Wakes a consumer that another thread left waiting in hasNext.
        queue.offer(new End());
        if (pending instanceof Ready r) r.batch().close();
        pending = null;
        if (interrupted) Thread.currentThread().interrupt();
    }

    private void drain() {
        for (Item item; (item = queue.poll()) != null; ) {
            if (item instanceof Ready r) r.batch().close();
        }
    }
}
