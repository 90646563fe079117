package org.ddrl.kernels.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The raw memory behind {@link HostMemory}: blocks of OS memory binned by size class, reused last in,
 * first out (the most recently freed block is the one most likely still in cache). Requests are rounded
 * up to a size class so a block freed by one tensor fits the next tensor of about the same size: to 64
 * bytes up to 1 KiB, above that to an eighth of the power of two below the size (at most 12.5% slack).
 *
 * <p>When a freed block does not fit under the limit, the blocks cached longest ago are given back to the
 * OS to make room (least recently freed first), so sizes that stopped recurring (an initialisation phase,
 * a different batch shape) make way for those a loop keeps asking for.
 *
 * <p>One lock guards the bins and counters. An allocation takes it twice (acquire, release) for a few
 * hundred nanoseconds, against the microseconds that creating and closing the block's arena costs, so a
 * finer scheme would not show. The OS calls (allocate, free) run outside the lock.
 */
final class HostBlockCache {
    /** Raw memory with its own arena; closing the arena gives the memory back to the OS. */
    static final class Chunk {
        private final Arena arena;
        private final MemorySegment memory;
        private final long capacity;
        /** Whether the current hand-out got this chunk from the cache (its bytes are stale, not zero). */
        private boolean reused;
        /** Neighbours in the cache's release order while cached; null otherwise. */
        private Chunk older;
        private Chunk newer;

        private Chunk(Arena arena, MemorySegment memory, long capacity) {
            this.arena = arena;
            this.memory = memory;
            this.capacity = capacity;
        }

        MemorySegment memory() {
            return memory;
        }

        long capacity() {
            return capacity;
        }

        boolean reused() {
            return reused;
        }
    }

    private final Map<Long, ArrayDeque<Chunk>> bins = new HashMap<>();
    /** Every cached chunk in release order; within a bin the same order holds, oldest at the bin's front. */
    private Chunk oldest;
    private Chunk newest;
    private long limit;
    private long allocated;
    private long reserved;
    private long cached;
    private long peak;
    private long hits;
    private long misses;

    HostBlockCache(long limit) {
        if (limit < 0) throw new IllegalArgumentException("ddrl.cpu.cacheBytes: negative cache limit " + limit);
        this.limit = limit;
    }

    /** The capacity a request of {@code bytes} is served with. */
    static long sizeClass(long bytes) {
        if (bytes <= 1024) return Math.max(64, (bytes + 63) & ~63L);
        long step = Long.highestOneBit(bytes) >>> 3;
        return (bytes + step - 1) / step * step;
    }

    /** A chunk of at least {@code bytes}, from the cache when one of its size class is there. */
    Chunk acquire(long bytes) {
        long cap = sizeClass(bytes);
        synchronized (this) {
            ArrayDeque<Chunk> bin = bins.get(cap);
            Chunk c = bin == null ? null : bin.pollLast();
            if (c != null) {
                unlink(c);
                cached -= cap;
                hits++;
                handOut(bytes);
                c.reused = true;
                return c;
            }
            misses++;
        }
        Chunk c = allocateFromOs(bytes, cap);
        synchronized (this) {
            reserved += cap;
            handOut(bytes);
        }
        return c;
    }

    private void handOut(long bytes) {
        allocated += bytes;
        if (allocated > peak) peak = allocated;
    }

    private Chunk allocateFromOs(long bytes, long cap) {
        for (int attempt = 0; ; attempt++) {
            Arena arena = Arena.ofShared();
            try {
                // Arena.allocate zero-fills, so a fresh chunk needs no clearing by HostMemory.allocate.
                return new Chunk(arena, arena.allocate(cap, HostMemory.ALIGNMENT), cap);
            } catch (OutOfMemoryError | IllegalArgumentException e) {
                arena.close();
                if (attempt == 0 && cached() > 0) {
                    empty();
                    continue;
                }
                throw new IllegalStateException("HostMemory.allocate: cannot allocate " + bytes + " bytes off-heap ("
                        + allocated() + " bytes allocated, " + reserved() + " reserved after emptying the cache): "
                        + e.getMessage(), e);
            }
        }
    }

    /**
     * Takes back a chunk whose hand-out of {@code bytes} ended and caches it, first giving the oldest cached
     * chunks back to the OS if it would not fit under the limit; a chunk larger than the limit goes back itself.
     */
    void release(Chunk c, long bytes) {
        List<Chunk> freed = new ArrayList<>();
        synchronized (this) {
            allocated -= bytes;
            if (c.capacity > limit) {
                reserved -= c.capacity;
                freed.add(c);
            } else {
                evictOldest(limit - c.capacity, freed);
                cached += c.capacity;
                c.reused = false;
                bins.computeIfAbsent(c.capacity, k -> new ArrayDeque<>()).addLast(c);
                linkNewest(c);
            }
        }
        for (Chunk f : freed) f.arena.close();
    }

    /** Frees every cached chunk. */
    void empty() {
        trimTo(0);
    }

    /** Frees cached chunks, oldest first, until at most {@code target} bytes stay cached. */
    private void trimTo(long target) {
        List<Chunk> freed = new ArrayList<>();
        synchronized (this) {
            evictOldest(target, freed);
        }
        for (Chunk c : freed) c.arena.close();
    }

    /** Under the lock: takes the oldest cached chunks out until at most {@code target} bytes stay cached. */
    private void evictOldest(long target, List<Chunk> freed) {
        while (cached > target && oldest != null) {
            Chunk c = oldest;
            ArrayDeque<Chunk> bin = bins.get(c.capacity);
            Chunk first = bin.pollFirst();
            if (first != c) throw new IllegalStateException("HostBlockCache: release order broken in bin " + c.capacity);
            if (bin.isEmpty()) bins.remove(c.capacity);
            unlink(c);
            cached -= c.capacity;
            reserved -= c.capacity;
            freed.add(c);
        }
    }

    private void linkNewest(Chunk c) {
        c.older = newest;
        c.newer = null;
        if (newest != null) newest.newer = c;
        else oldest = c;
        newest = c;
    }

    private void unlink(Chunk c) {
        if (c.older != null) c.older.newer = c.newer;
        else oldest = c.newer;
        if (c.newer != null) c.newer.older = c.older;
        else newest = c.older;
        c.older = null;
        c.newer = null;
    }

    synchronized long allocated() {
        return allocated;
    }

    synchronized long reserved() {
        return reserved;
    }

    synchronized long cached() {
        return cached;
    }

    synchronized long peak() {
        return peak;
    }

    synchronized void resetPeak() {
        peak = allocated;
    }

    synchronized long limit() {
        return limit;
    }

    void setLimit(long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("HostMemory.setCacheLimit: negative limit " + bytes);
        synchronized (this) {
            limit = bytes;
        }
        trimTo(bytes);
    }

    synchronized HostMemoryStats stats() {
        return new HostMemoryStats(allocated, reserved, cached, peak, limit, hits, misses);
    }
}
