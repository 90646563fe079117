package org.ddrl.kernels.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Off-heap host memory, 64-byte aligned (a cache line, and a full AVX-512 vector). Each block has its
 * own shared arena, so freeing is deterministic and a freed block can never be read: access after free
 * throws instead of crashing the JVM. A Cleaner frees blocks that become unreachable without being freed.
 */
public final class HostMemory {
    public static final long ALIGNMENT = 64;
    private static final Cleaner CLEANER = Cleaner.create();
    private static final AtomicLong allocated = new AtomicLong();
    private static final AtomicLong peak = new AtomicLong();

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

    /** Must not reference the Block, or the Block would never become unreachable. */
    private record Freer(Arena arena, long bytes, AtomicBoolean done) implements Runnable {
        @Override
        public void run() {
            if (done.compareAndSet(false, true)) {
                arena.close();
                allocated.addAndGet(-bytes);
            }
        }
    }

    /** Allocates {@code bytes} zeroed bytes. The caller keeps the Block reachable while it uses the segment. */
    public static Block allocate(long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("HostMemory.allocate: negative size " + bytes);
        Arena arena = Arena.ofShared();
        MemorySegment seg;
        try {
            seg = arena.allocate(Math.max(bytes, 1), ALIGNMENT).asSlice(0, bytes);
        } catch (OutOfMemoryError | IllegalArgumentException e) {
            arena.close();
            throw new IllegalStateException("HostMemory.allocate: cannot allocate " + bytes + " bytes off-heap ("
                    + allocated.get() + " bytes already allocated): " + e.getMessage(), e);
        }
        long now = allocated.addAndGet(bytes);
        peak.accumulateAndGet(now, Math::max);
        Block b = new Block(seg);
        b.cleanable = CLEANER.register(b, new Freer(arena, bytes, new AtomicBoolean()));
        return b;
    }

    /** Bytes currently allocated off-heap through this class. */
    public static long allocatedBytes() {
        return allocated.get();
    }

    /** The most bytes allocated at once since start or since {@link #resetPeak()}. */
    public static long peakBytes() {
        return peak.get();
    }

    public static void resetPeak() {
        peak.set(allocated.get());
    }
}
