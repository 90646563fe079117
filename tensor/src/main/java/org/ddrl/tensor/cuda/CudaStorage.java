package org.ddrl.tensor.cuda;

import java.lang.ref.Cleaner;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Storage;

/**
 * Device storage: one block from the backend's {@link CachingAllocator}. Releasing it (when its Scope
 * closes, or through the Cleaner when the garbage collector owns it) returns the block to the cache.
 */
public final class CudaStorage extends Storage {
    private static final Cleaner CLEANER = Cleaner.create();

    private final long pointer;
    private final Cleaner.Cleanable cleanable;

    CudaStorage(Device device, long bytes, CachingAllocator allocator, CachingAllocator.Block block) {
        super(device, bytes);
        this.pointer = block.pointer();
        this.cleanable = CLEANER.register(this, new Return(allocator, block));
    }

    /** The device address of the first byte (0 for an empty storage). Valid until release. */
    public long pointer() {
        checkLive("CudaStorage.pointer");
        return pointer;
    }

    @Override
    protected void free() {
        cleanable.clean();
    }

    /** Gives the block back; must not reference the storage, or it would never become unreachable. */
    private record Return(CachingAllocator allocator, CachingAllocator.Block block) implements Runnable {
        @Override
        public void run() {
            allocator.free(block);
        }
    }
}
