package org.ddrl.tensor.cpu;

import org.ddrl.kernels.cpu.HostMemory;

/**
 * Working memory for the conv and attention kernels (im2col columns, attention score rows): one block
 * cached per thread, so a model that calls these ops over and over does not allocate each time.
 *
 * <p>The memory is native and shared-arena because the GEMM may read it from other pool threads and with
 * vector loads. A block is checked out while in use: a nested call on the same thread (a pool thread that
 * helps with other work while it waits) finds the cache empty and gets a block of its own.
 */
final class ConvScratch {
    /** Blocks larger than this are freed after use rather than cached, so idle threads do not pin much memory. */
    private static final long MAX_CACHED = 64L << 20;
    /** Smallest block, so a run of small calls with slowly growing sizes does not reallocate each time. */
    private static final long MIN_BLOCK = 64L << 10;

    private static final ThreadLocal<HostMemory.Block> CACHE = new ThreadLocal<>();

    private ConvScratch() {}

    /** A block of at least {@code bytes} bytes (contents unspecified); give it back with {@link #release}. */
    static HostMemory.Block take(long bytes) {
        HostMemory.Block b = CACHE.get();
        if (b != null) {
            CACHE.remove();
            if (b.segment().byteSize() >= bytes) return b;
            b.free();
        }
        return HostMemory.allocate(Math.max(MIN_BLOCK, (bytes + 4095) & ~4095L));
    }

    static void release(HostMemory.Block b) {
        if (b.segment().byteSize() > MAX_CACHED || CACHE.get() != null) {
            b.free();
        } else {
            CACHE.set(b);
        }
    }
}
