package org.ddrl.tensor.cuda;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.ddrl.kernels.cuda.CudaDevice;
import org.ddrl.kernels.cuda.CudaException;
import org.ddrl.kernels.cuda.CudaStream;

/**
 * Device memory for tensors, cached: a freed block goes back to a free list and the next request of the
 * same size class on the same stream takes it, so steady-state training loops stop calling cuMemAlloc
 * and cuMemFree (which synchronize the device) after their first step.
 *
 * <p>Size classes: requests below 1 MiB round up to a multiple of 512 bytes; larger ones to a quarter
 * of their power of two (1 MiB, 1.25 MiB, 1.5 MiB, 1.75 MiB, 2 MiB, 2.5 MiB, ...), so a block is at most
 * a quarter larger than asked. A request is served only by a cached block of exactly its class.
 *
 * <p>Streams: free lists are kept per stream. A block freed on a stream is reused only by work queued
 * on that stream afterwards, which the stream runs in order, so reuse never races with a kernel that
 * still reads the block. (Handing a block to another stream would need an event; nothing does that.)
 *
 * <p>Out of memory: when the device (or the optional {@code limit} on reserved bytes) refuses a request,
 * every cached block is returned to the device and the request is tried once more; if that fails too,
 * a {@link CudaOutOfMemoryException} reports the requested, allocated, reserved and peak bytes.
 *
 * <p>Statistics: allocated bytes are those in live blocks (in size-class units), reserved bytes are
 * those obtained from the device (live plus cached), peak is the most allocated at once.
 *
 * <p>Thread-safe: storages may be released by the Cleaner's thread.
 */
public final class CachingAllocator {
    private static final long SMALL_LIMIT = 1L << 20;
    private static final long SMALL_STEP = 512;
    /** The device's CUresult for a refused allocation. */
    private static final int CUDA_ERROR_OUT_OF_MEMORY = 2;

    /** A block of device memory in one size class, owned by one stream. */
    public record Block(long pointer, long size, CudaStream stream) {}

    private final CudaDevice device;
    private final long limit;
    /** Free blocks: stream, then size class, then pointers. */
    private final Map<CudaStream, TreeMap<Long, ArrayDeque<Long>>> free = new HashMap<>();
    private long allocated;
    private long reserved;
    private long peak;

    /** An allocator that may reserve up to {@code limit} bytes (Long.MAX_VALUE: whatever the device gives). */
    public CachingAllocator(CudaDevice device, long limit) {
        if (limit <= 0) throw new IllegalArgumentException("CachingAllocator: limit must be positive, got " + limit);
        this.device = device;
        this.limit = limit;
    }

    /** The size class of a request: what a block serving it holds. */
    public static long sizeClass(long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("CachingAllocator: negative size " + bytes);
        if (bytes == 0) return 0;
        if (bytes < SMALL_LIMIT) return roundUp(bytes, SMALL_STEP);
        long step = Long.highestOneBit(bytes) / 4;
        return roundUp(bytes, step);
    }

    private static long roundUp(long v, long step) {
        return Math.addExact(v, step - 1) / step * step;
    }

    /** A block of at least {@code bytes} bytes for work on {@code stream}; zero bytes give a null block. */
    public synchronized Block allocate(long bytes, CudaStream stream) {
        long size = sizeClass(bytes);
        if (size == 0) return new Block(0, 0, stream);
        ArrayDeque<Long> cached = freeList(stream, size, false);
        long ptr;
        if (cached != null && !cached.isEmpty()) {
            ptr = cached.pop();
        } else {
            ptr = deviceMalloc(bytes, size);
            reserved += size;
        }
        allocated += size;
        peak = Math.max(peak, allocated);
        return new Block(ptr, size, stream);
    }

    /** Returns a block to the cache of its stream. */
    public synchronized void free(Block b) {
        if (b.size() == 0) return;
        freeList(b.stream(), b.size(), true).push(b.pointer());
        allocated -= b.size();
    }

    /** Returns every cached block to the device (after the device finished all queued work). */
    public synchronized void emptyCache() {
        if (reserved == allocated) return;
        device.synchronize();
        for (TreeMap<Long, ArrayDeque<Long>> bySize : free.values()) {
            for (var e : bySize.entrySet()) {
                for (long p : e.getValue()) {
                    device.free(p);
                    reserved -= e.getKey();
                }
                e.getValue().clear();
            }
        }
    }

    public synchronized MemoryStats stats() {
        return new MemoryStats(allocated, reserved, peak);
    }

    /** Starts a new peak measurement from the bytes allocated now. */
    public synchronized void resetPeak() {
        peak = allocated;
    }

    private ArrayDeque<Long> freeList(CudaStream stream, long size, boolean create) {
        TreeMap<Long, ArrayDeque<Long>> bySize = free.get(stream);
        if (bySize == null) {
            if (!create) return null;
            bySize = new TreeMap<>();
            free.put(stream, bySize);
        }
        return create ? bySize.computeIfAbsent(size, s -> new ArrayDeque<>()) : bySize.get(size);
    }

    /** cuMemAlloc of a size class; on refusal, once more after emptying the cache. */
    private long deviceMalloc(long requested, long size) {
        CudaException refused = null;
        for (int attempt = 0; attempt < 2; attempt++) {
            if (attempt == 1) emptyCache();
            if (reserved + size > limit) continue;
            try {
                return device.malloc(size);
            } catch (CudaException e) {
                if (e.code() != CUDA_ERROR_OUT_OF_MEMORY) throw e;
                refused = e;
            }
        }
        throw new CudaOutOfMemoryException(requested, size, allocated, reserved, peak, limit, device.info().name(), refused);
    }
}
