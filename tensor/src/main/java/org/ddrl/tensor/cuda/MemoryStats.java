package org.ddrl.tensor.cuda;

/**
 * A snapshot of a CUDA backend's memory, in bytes: {@code allocated} in live tensors' blocks (rounded to
 * size classes), {@code reserved} obtained from the device (allocated plus cached free blocks), and
 * {@code peak} the most allocated at once.
 */
public record MemoryStats(long allocated, long reserved, long peak) {
    /** Bytes held in the cache, ready for reuse. */
    public long cached() {
        return reserved - allocated;
    }
}
