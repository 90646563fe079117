package org.ddrl.tensor.cpu;

import java.lang.foreign.MemorySegment;
import org.ddrl.kernels.cpu.HostMemory;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Storage;

/**
 * Host storage: one 64-byte aligned off-heap block from the caching host allocator. Releasing it hands
 * the block back to the cache; the segment this storage gave out stops working at that moment.
 */
public final class CpuStorage extends Storage {
    private final HostMemory.Block block;

    private CpuStorage(long bytes, boolean zeroed) {
        super(Device.CPU, bytes);
        this.block = zeroed ? HostMemory.allocate(bytes) : HostMemory.allocateUninitialized(bytes);
    }

    /** Zero-filled storage. */
    static CpuStorage zeroed(long bytes) {
        return new CpuStorage(bytes, true);
    }

    /** Storage with unspecified content, for outputs a kernel overwrites completely. */
    static CpuStorage uninitialized(long bytes) {
        return new CpuStorage(bytes, false);
    }

    /** The memory; reading it after release throws IllegalStateException. */
    public MemorySegment segment() {
        return block.segment();
    }

    @Override
    protected void free() {
        block.free();
    }
}
