package org.ddrl.tensor.rng;

/**
 * An explicit source of randomness: a Philox 4x32-10 key (the seed) and a counter position. Each random
 * op reserves a range of counters, so results depend only on the seed and the order of calls, never on
 * the device or the thread count. See {@link Philox} for the stream layout.
 */
public final class Generator {
    private final long seed;
    private long offset;

    public Generator(long seed) {
        this.seed = seed;
    }

    public long seed() {
        return seed;
    }

    /** The next counter this generator will hand out. */
    public synchronized long offset() {
        return offset;
    }

    /** Moves to counter {@code offset}, e.g. when restoring a checkpoint. */
    public synchronized void setOffset(long offset) {
        if (offset < 0) throw new IllegalArgumentException("Generator.setOffset: negative offset " + offset);
        this.offset = offset;
    }

    /** Reserves {@code blocks} Philox counters (each gives four 32-bit words) and returns the first. */
    public synchronized long reserve(long blocks) {
        if (blocks < 0) throw new IllegalArgumentException("Generator.reserve: negative count " + blocks);
        long first = offset;
        offset = Math.addExact(offset, blocks);
        return first;
    }

    @Override
    public String toString() {
        return "Generator(seed=" + seed + ", offset=" + offset() + ")";
    }
}
