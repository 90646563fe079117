package org.ddrl.tensor.cpu;

import java.lang.foreign.MemorySegment;
import org.ddrl.kernels.cpu.HostMemory;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Storage;

/** Host storage: one 64-byte aligned off-heap block. */
public final class CpuStorage extends Storage {
    private final HostMemory.Block block;

    CpuStorage(long bytes) {
        super(Device.CPU, bytes);
        this.block = HostMemory.allocate(bytes);
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
