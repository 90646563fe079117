package org.ddrl.tensor;

import java.lang.foreign.MemorySegment;

/** A device's memory and kernels. One instance per device. */
public interface Backend {
    Device device();

    /** New storage of {@code bytes} bytes, zero-filled, adopted by the current {@link Scope}. */
    Storage allocate(long bytes);

    /** Copies {@code bytes} bytes from host memory into {@code dst} at {@code dstOffset} bytes. */
    void copyFromHost(MemorySegment src, Storage dst, long dstOffset, long bytes);

    /** Copies {@code bytes} bytes from {@code src} at {@code srcOffset} bytes into host memory. */
    void copyToHost(Storage src, long srcOffset, MemorySegment dst, long bytes);

    /** Waits until every op queued on this device has finished (a no-op for the synchronous CPU). */
    default void synchronize() {}

    /** The kernel for {@code op}, or null when this backend has none. */
    Kernel kernel(Op op);
}
