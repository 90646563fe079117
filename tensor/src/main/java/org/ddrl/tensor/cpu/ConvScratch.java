package org.ddrl.tensor.cpu;

import org.ddrl.kernels.cpu.HostMemory;

/**
 * Working memory for the conv and attention kernels (im2col columns, partial sums, attention score rows):
 * up to two blocks cached per thread (a kernel may hold a buffer of partial sums on the calling thread
 * while that thread also unfolds columns as one of the pool's workers), so a model that calls these ops
 * over and over does not allocate each time.
 *
 * <p>The memory is native and shared-arena because the GEMM may read it from other pool threads and with
 * vector loads. A block is checked out while in use: a nested call on the same thread (a pool thread that
 * helps with other work while it waits) finds fewer cached blocks and may get one of its own.
 */
final class ConvScratch {
    /** Blocks larger than this are freed after use rather than cached, so idle threads do not pin much memory. */
    private static final long MAX_CACHED = 64L << 20;
    /** Smallest block, so a run of small calls with slowly growing sizes does not reallocate each time. */
    private static final long MIN_BLOCK = 64L << 10;
    private static final int SLOTS = 2;

    private static final ThreadLocal<HostMemory.Block[]> CACHE = ThreadLocal.withInitial(() -> new HostMemory.Block[SLOTS]);

    private ConvScratch() {}

    /** A block of at least {@code bytes} bytes (contents unspecified); give it back with {@link #release}. */
    static HostMemory.Block take(long bytes) {
        HostMemory.Block[] cache = CACHE.get();
        // the smallest cached block that fits; failing that, with every slot full, the smallest one makes way
        int fit = -1, small = -1, held = 0;
        for (int i = 0; i < SLOTS; i++) {
            HostMemory.Block b = cache[i];
            if (b == null) continue;
            held++;
            long size = b.segment().byteSize();
            if (size >= bytes && (fit < 0 || size < cache[fit].segment().byteSize())) fit = i;
            if (small < 0 || size < cache[small].segment().byteSize()) small = i;
        }
        if (fit >= 0) {
            HostMemory.Block b = cache[fit];
            cache[fit] = null;
            return b;
        }
        if (held == SLOTS) {
            cache[small].free();
            cache[small] = null;
        }
        return HostMemory.allocate(Math.max(MIN_BLOCK, (bytes + 4095) & ~4095L));
    }

    static void release(HostMemory.Block b) {
        HostMemory.Block[] cache = CACHE.get();
        if (b.segment().byteSize() <= MAX_CACHED) {
            for (int i = 0; i < SLOTS; i++) {
                if (cache[i] == null) {
                    cache[i] = b;
                    return;
                }
            }
        }
        b.free();
    }
}
