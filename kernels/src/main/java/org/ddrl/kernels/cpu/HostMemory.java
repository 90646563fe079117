package org.ddrl.kernels.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Off-heap host memory, 64-byte aligned (a cache line, and a full AVX-512 vector), with a caching
 * allocator in front of the operating system.
 *
 * <p>Why a cache: a fresh block costs a malloc, a memset, a page fault per 4 KiB page on first touch and
 * an munmap on free, which for a 64 MB elementwise output is more than the op itself. Freed blocks are
 * kept in size-class bins ({@link HostBlockCache}) and handed out again, so a training loop that makes
 * the same temporaries every step stops touching the OS after its first step.
 *
 * <p>Why reuse stays safe: a tensor checks that its storage is live before every op, so a tensor whose scope
 * closed fails with a message naming the op instead of reading the next owner's data. A raw segment kept past
 * its block's free is not checked by default. With {@code ddrl.cpu.guard=true} (the test suite sets it) every
 * hand-out is a fresh view of the memory bound to its own shared arena, and freeing a block closes that arena
 * before the memory goes back to the cache, so a stale segment throws on access too. It is off by default
 * because closing a shared arena is a handshake with every Java thread run by the VM thread (about 10
 * microseconds and two context switches), and a training step of a small model frees thousands of blocks:
 * that was a sixth of its system time and most of its context switches. A Cleaner frees blocks that become
 * unreachable without being freed.
 *
 * <p>{@link #allocate} returns zeroed memory; {@link #allocateUninitialized} may return the previous
 * owner's bytes and is for outputs that a kernel overwrites completely. With the system property
 * {@code ddrl.cpu.poison=true} uninitialized blocks are filled with 0xFF bytes (NaN as floats, -1 as
 * integers), so a kernel that wrongly relies on zero-fill fails its tests instead of passing by luck.
 *
 * <p>The cache is bounded by {@code ddrl.cpu.cacheBytes} (default 1 GiB; 0 disables caching), emptied by
 * {@link #emptyCache()} and, before giving up, when the OS refuses an allocation.
 */
public final class HostMemory {
    public static final long ALIGNMENT = 64;
    private static final Cleaner CLEANER = Cleaner.create();
    private static final HostBlockCache CACHE = new HostBlockCache(
            Long.getLong("ddrl.cpu.cacheBytes", 1L << 30));
    private static volatile boolean poison = Boolean.getBoolean("ddrl.cpu.poison");
    private static volatile boolean guard = Boolean.getBoolean("ddrl.cpu.guard");

    private HostMemory() {}

    /** A live block of memory. {@link #free()} is idempotent; the Cleaner calls it if the block is dropped. */
    public static final class Block {
        private final MemorySegment segment;
        private Cleaner.Cleanable cleanable;

        private Block(MemorySegment segment) {
            this.segment = segment;
        }

        public MemorySegment segment() {
            return segment;
        }

        public void free() {
            cleanable.clean();
        }
    }

    /**
     * Must not reference the Block, or the Block would never become unreachable. {@code view} is the hand-out's own
     * arena when guarded, else null.
     */
    private record Freer(Arena view, HostBlockCache.Chunk chunk, long bytes, AtomicBoolean done) implements Runnable {
        @Override
        public void run() {
            if (done.compareAndSet(false, true)) {
                // Invalidate every segment of this hand-out first: only then may the memory be handed out again.
                if (view != null) view.close();
                CACHE.release(chunk, bytes);
            }
        }
    }

    /** Allocates {@code bytes} zeroed bytes. The caller keeps the Block reachable while it uses the segment. */
    public static Block allocate(long bytes) {
        return allocate(bytes, true);
    }

    /**
     * Allocates {@code bytes} bytes whose content is unspecified (a reused block keeps its previous
     * owner's bytes). Only for memory the caller overwrites completely before reading it.
     */
    public static Block allocateUninitialized(long bytes) {
        return allocate(bytes, false);
    }

    private static Block allocate(long bytes, boolean zero) {
        if (bytes < 0) throw new IllegalArgumentException("HostMemory.allocate: negative size " + bytes);
        HostBlockCache.Chunk chunk = CACHE.acquire(bytes);
        Arena view = guard ? Arena.ofShared() : null;
        MemorySegment seg = view != null ? chunk.memory().reinterpret(bytes, view, null) : chunk.memory().asSlice(0, bytes);
        if (chunk.reused()) {
            if (zero) seg.fill((byte) 0);
            else if (poison) seg.fill((byte) 0xFF);
        } else if (!zero && poison) {
            seg.fill((byte) 0xFF);
        }
        Block b = new Block(seg);
        b.cleanable = CLEANER.register(b, new Freer(view, chunk, bytes, new AtomicBoolean()));
        return b;
    }

    /** Bytes currently handed out (live blocks, at their requested sizes); what leak checks compare. */
    public static long allocatedBytes() {
        return CACHE.allocated();
    }

    /** The most bytes handed out at once since start or since {@link #resetPeak()}. */
    public static long peakBytes() {
        return CACHE.peak();
    }

    public static void resetPeak() {
        CACHE.resetPeak();
    }

    /** Bytes held from the OS: live blocks at their size-class capacity plus the cache. */
    public static long reservedBytes() {
        return CACHE.reserved();
    }

    /** Bytes of freed blocks kept for reuse. */
    public static long cachedBytes() {
        return CACHE.cached();
    }

    /** Gives every cached block back to the OS; live blocks are untouched. */
    public static void emptyCache() {
        CACHE.empty();
    }

    /** The cache bound in bytes ({@code ddrl.cpu.cacheBytes}). */
    public static long cacheLimit() {
        return CACHE.limit();
    }

    /** Changes the cache bound; trims the cache to it at once. 0 turns caching off. */
    public static void setCacheLimit(long bytes) {
        CACHE.setLimit(bytes);
    }

    /** Whether uninitialized blocks are filled with 0xFF ({@code ddrl.cpu.poison}). */
    public static boolean poison() {
        return poison;
    }

    /** Turns poisoning of uninitialized blocks on or off (tests that check zero-fill audits use it). */
    public static void setPoison(boolean on) {
        poison = on;
    }

    /** Whether each hand-out gets its own arena, closed when it is freed ({@code ddrl.cpu.guard}). */
    public static boolean guard() {
        return guard;
    }

    /**
     * Turns the per-block arena on or off for later allocations (blocks handed out before keep their mode).
     * With it on, a segment used after its block was freed throws IllegalStateException.
     */
    public static void setGuard(boolean on) {
        guard = on;
    }

    /** A consistent snapshot of the counters. */
    public static HostMemoryStats stats() {
        return CACHE.stats();
    }
}
