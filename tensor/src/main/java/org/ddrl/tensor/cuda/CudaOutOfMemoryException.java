package org.ddrl.tensor.cuda;

/**
 * A device allocation failed even after the allocator returned its whole cache to the device. The
 * message gives the sizes involved, so the reader can tell a too-large request from a leak (allocated
 * growing from step to step) or from fragmentation (reserved far above allocated).
 */
public final class CudaOutOfMemoryException extends RuntimeException {
    private final long requested;

    CudaOutOfMemoryException(long requested, long sizeClass, long allocated, long reserved, long peak, long limit, String device,
                             Throwable cause) {
        super("CUDA out of memory on " + device + ": tried to allocate " + size(requested) + " (a block of " + size(sizeClass) + "); "
                + size(allocated) + " allocated to live tensors, " + size(reserved) + " reserved from the device, peak " + size(peak)
                + (limit == Long.MAX_VALUE ? "" : ", reserve limit " + size(limit))
                + (cause == null ? "" : "; the device said: " + cause.getMessage())
                + ". Free tensors earlier (close Scopes), use smaller batches, or lower precision", cause);
        this.requested = requested;
    }

    /** The bytes the failed allocation asked for. */
    public long requested() {
        return requested;
    }

    private static String size(long bytes) {
        return bytes < (1 << 20) ? bytes + " bytes" : String.format(java.util.Locale.ROOT, "%.2f MiB", bytes / 1048576.0);
    }
}
