package org.ddrl.kernels.cpu;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The caching host allocator: size classes, reuse without zero-fill, zero-fill where asked, stale
 * segments that throw instead of seeing the next owner's data (with the guard), the cache bound, and the counters.
 * Sizes are odd multiples of a page so that no other allocation of this JVM shares their bins.
 */
class HostMemoryTest {
    private static final long ODD = 3 * 4096 + 448;

    @Test
    void sizeClassesBoundTheSlack() {
        assertEquals(64, HostBlockCache.sizeClass(0));
        assertEquals(64, HostBlockCache.sizeClass(1));
        assertEquals(128, HostBlockCache.sizeClass(65));
        assertEquals(1024, HostBlockCache.sizeClass(1024));
        // above 1 KiB: steps of an eighth of the power of two below, so 1025 goes to 1152
        assertEquals(1152, HostBlockCache.sizeClass(1025));
        assertEquals(64L << 20, HostBlockCache.sizeClass(64L << 20));
        assertEquals(72L << 20, HostBlockCache.sizeClass((64L << 20) + 1));
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < 10_000; i++) {
            long b = rnd.nextLong(1, 1L << 34);
            long c = HostBlockCache.sizeClass(b);
            assertTrue(c >= b && c % 64 == 0, "class " + c + " of " + b);
            if (b > 1024) assertTrue(c <= b + b / 8, "class " + c + " of " + b + " wastes more than 12.5%");
            assertEquals(c, HostBlockCache.sizeClass(c), "a class is its own class");
        }
    }

    @Test
    void guardedFreedBlockIsReusedAndItsOldSegmentThrows() {
        boolean was = HostMemory.guard();
        HostMemory.setGuard(true);
        try {
            HostMemory.Block a = HostMemory.allocateUninitialized(ODD);
            MemorySegment old = a.segment();
            long address = old.address();
            assertEquals(0, address % HostMemory.ALIGNMENT, "64-byte aligned");
            old.fill((byte) 0x5A);
            HostMemoryStats before = HostMemory.stats();
            a.free();
            a.free(); // idempotent
            assertThrows(IllegalStateException.class, () -> old.get(JAVA_BYTE, 0), "a freed block is unreadable");
            HostMemory.Block b = HostMemory.allocateUninitialized(ODD);
            try {
                HostMemoryStats after = HostMemory.stats();
                assertEquals(address, b.segment().address(), "the freed block of the same size class comes back");
                assertEquals(before.hits() + 1, after.hits());
                assertEquals(before.misses(), after.misses());
                assertEquals(ODD, b.segment().byteSize());
                if (!HostMemory.poison()) assertEquals((byte) 0x5A, b.segment().get(JAVA_BYTE, ODD - 1), "uninitialized: not cleared");
                assertThrows(IllegalStateException.class, () -> old.set(JAVA_BYTE, 0, (byte) 1),
                        "the previous owner's segment stays dead while the memory has a new owner");
            } finally {
                b.free();
            }
        } finally {
            HostMemory.setGuard(was);
        }
    }

    /** Without the guard the hand-out is a plain slice of the cached memory: same reuse, same sizes, no arena. */
    @Test
    void unguardedFreedBlockIsReusedWithTheSameContract() {
        boolean was = HostMemory.guard();
        HostMemory.setGuard(false);
        try {
            HostMemory.Block a = HostMemory.allocateUninitialized(ODD + 5 * 4096);
            long address = a.segment().address();
            assertEquals(0, address % HostMemory.ALIGNMENT, "64-byte aligned");
            a.segment().fill((byte) 0x33);
            HostMemoryStats before = HostMemory.stats();
            a.free();
            a.free(); // idempotent: counted once
            assertEquals(before.allocated() - (ODD + 5 * 4096), HostMemory.stats().allocated());
            HostMemory.Block b = HostMemory.allocate(ODD + 5 * 4096);
            try {
                assertEquals(address, b.segment().address(), "the freed block comes back");
                assertEquals(ODD + 5 * 4096, b.segment().byteSize(), "the hand-out has the requested size, not the class");
                assertEquals(before.hits() + 1, HostMemory.stats().hits());
                for (long i = 0; i < b.segment().byteSize(); i += 8) assertEquals(0L, b.segment().get(JAVA_LONG, i), "zeroed byte " + i);
                assertThrows(IndexOutOfBoundsException.class, () -> b.segment().get(JAVA_BYTE, ODD + 5 * 4096));
            } finally {
                b.free();
            }
        } finally {
            HostMemory.setGuard(was);
        }
    }

    @Test
    void allocateZeroFillsReusedMemory() {
        HostMemory.Block a = HostMemory.allocateUninitialized(ODD + 4096);
        long address = a.segment().address();
        a.segment().fill((byte) 0x7F);
        a.free();
        HostMemory.Block b = HostMemory.allocate(ODD + 4096);
        try {
            assertEquals(address, b.segment().address());
            for (long i = 0; i < b.segment().byteSize(); i += 8) assertEquals(0L, b.segment().get(JAVA_LONG, i), "byte " + i);
        } finally {
            b.free();
        }
    }

    @Test
    void poisonMarksUninitializedMemory() {
        boolean was = HostMemory.poison();
        HostMemory.setPoison(true);
        try {
            HostMemory.Block b = HostMemory.allocateUninitialized(ODD + 2 * 4096);
            try {
                assertTrue(Float.isNaN(b.segment().get(JAVA_FLOAT, 0)));
                assertEquals(-1L, b.segment().get(JAVA_LONG, b.segment().byteSize() - 8));
            } finally {
                b.free();
            }
            HostMemory.Block z = HostMemory.allocate(ODD + 2 * 4096);
            try {
                assertEquals(0L, z.segment().get(JAVA_LONG, 0), "zeroed blocks are never poisoned");
            } finally {
                z.free();
            }
        } finally {
            HostMemory.setPoison(was);
        }
    }

    @Test
    void countersSeparateAllocatedFromReserved() {
        long size = ODD + 3 * 4096;
        HostMemory.Block warm = HostMemory.allocateUninitialized(size);
        warm.free(); // now one block of this class sits in the cache
        HostMemoryStats s0 = HostMemory.stats();
        HostMemory.Block b = HostMemory.allocateUninitialized(size);
        HostMemoryStats s1 = HostMemory.stats();
        assertEquals(s0.allocated() + size, s1.allocated(), "allocated counts the requested bytes");
        assertEquals(s0.reserved(), s1.reserved(), "a cache hit takes nothing new from the OS");
        assertEquals(s0.cached() - HostBlockCache.sizeClass(size), s1.cached());
        assertTrue(s1.peak() >= s1.allocated());
        b.free();
        HostMemoryStats s2 = HostMemory.stats();
        assertEquals(s0.allocated(), s2.allocated(), "allocated returns to its baseline");
        assertEquals(s0.cached(), s2.cached(), "the block went back to the cache");
        assertTrue(s2.reserved() >= s2.cached(), "reserved includes the cache");
        assertTrue(s2.toString().contains("cache hits"));
    }

    @Test
    void cacheLimitAndEmptyCacheGiveMemoryBack() {
        long limit = HostMemory.cacheLimit();
        try {
            HostMemory.Block b = HostMemory.allocateUninitialized(ODD + 4 * 4096);
            b.free();
            assertTrue(HostMemory.cachedBytes() > 0);
            HostMemory.emptyCache();
            assertEquals(0, HostMemory.cachedBytes(), "emptyCache frees every cached block");
            HostMemory.setCacheLimit(0);
            long reserved = HostMemory.reservedBytes();
            HostMemory.Block c = HostMemory.allocateUninitialized(ODD + 4 * 4096);
            assertEquals(reserved + HostBlockCache.sizeClass(ODD + 4 * 4096), HostMemory.reservedBytes());
            c.free();
            assertEquals(0, HostMemory.cachedBytes(), "with a zero limit nothing is cached");
            assertEquals(reserved, HostMemory.reservedBytes(), "and a freed block goes straight back to the OS");
            assertThrows(IllegalArgumentException.class, () -> HostMemory.setCacheLimit(-1));
        } finally {
            HostMemory.setCacheLimit(limit);
        }
    }

    /** A cache of its own: when a freed block does not fit, the blocks freed longest ago go, not the new one. */
    @Test
    void fullCacheEvictsTheLeastRecentlyFreed() {
        long a = 4096, b = 8192, c = 12288, d = 16384;
        HostBlockCache cache = new HostBlockCache(c + d);
        HostBlockCache.Chunk ca = cache.acquire(a), cb = cache.acquire(b), cc = cache.acquire(c), cd = cache.acquire(d);
        cache.release(ca, a);
        cache.release(cb, b);
        cache.release(cc, c);
        assertEquals(a + b + c, cache.cached());
        cache.release(cd, d); // needs room for 16 KiB: a, then b go (oldest first), c stays
        assertEquals(c + d, cache.cached());
        assertEquals(c + d, cache.reserved(), "evicted chunks went back to the OS");
        HostMemoryStats s0 = cache.stats();
        HostBlockCache.Chunk again = cache.acquire(c);
        assertTrue(again.reused());
        assertEquals(s0.hits() + 1, cache.stats().hits());
        HostBlockCache.Chunk gone = cache.acquire(a);
        assertFalse(gone.reused(), "the oldest block was evicted");
        assertEquals(s0.misses() + 1, cache.stats().misses());
        cache.release(again, c);
        cache.release(gone, a);
        // a block bigger than the whole limit is never cached
        HostBlockCache.Chunk huge = cache.acquire(1 << 20);
        long reserved = cache.reserved();
        cache.release(huge, 1 << 20);
        assertEquals(reserved - (1 << 20), cache.reserved());
        cache.empty();
        assertEquals(0, cache.cached());
        assertEquals(0, cache.reserved());
        assertEquals(0, cache.allocated());
    }

    @Test
    void negativeSizeIsRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> HostMemory.allocate(-3));
        assertTrue(e.getMessage().contains("HostMemory.allocate") && e.getMessage().contains("-3"), e.getMessage());
    }

    /** Threads allocate, stamp, check and free blocks of a few shared classes; no block is ever handed to two owners. */
    @Test
    void concurrentUseNeverSharesABlock() throws Exception {
        long base = HostMemory.allocatedBytes();
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long stamp = 0x1111_1111_1111_1111L * (t + 1);
                int seed = t;
                done.add(pool.submit(() -> {
                    SplittableRandom rnd = new SplittableRandom(seed);
                    List<HostMemory.Block> live = new ArrayList<>();
                    for (int i = 0; i < 2000; i++) {
                        if (live.size() < 8 && rnd.nextBoolean()) {
                            HostMemory.Block b = HostMemory.allocateUninitialized(ODD + 64L * rnd.nextInt(4));
                            b.segment().set(JAVA_LONG, 0, stamp);
                            b.segment().set(JAVA_LONG, b.segment().byteSize() - 8, stamp);
                            live.add(b);
                        } else if (!live.isEmpty()) {
                            HostMemory.Block b = live.remove(rnd.nextInt(live.size()));
                            assertEquals(stamp, b.segment().get(JAVA_LONG, 0), "another owner wrote into this block");
                            assertEquals(stamp, b.segment().get(JAVA_LONG, b.segment().byteSize() - 8));
                            b.free();
                        }
                    }
                    for (HostMemory.Block b : live) b.free();
                    return null;
                }));
            }
            for (Future<?> f : done) f.get();
        } finally {
            pool.shutdown();
        }
        assertEquals(base, HostMemory.allocatedBytes(), "every block was returned");
    }

    @Test
    void distinctLiveBlocksNeverOverlap() {
        HostMemory.Block a = HostMemory.allocateUninitialized(ODD), b = HostMemory.allocateUninitialized(ODD);
        try {
            long ea = a.segment().address(), eb = b.segment().address();
            assertNotEquals(ea, eb);
            assertFalse(ea < eb + ODD && eb < ea + ODD, "live blocks overlap");
        } finally {
            a.free();
            b.free();
        }
    }
}
