package org.ddrl.kernels.cpu;

/**
 * The host allocator's counters at one moment, in bytes. {@code allocated} counts live blocks at their
 * requested sizes (what a leak check compares); {@code reserved} is what the process holds from the OS,
 * live blocks at their size-class capacity plus {@code cached}; {@code peak} is the most {@code allocated}
 * since start or the last reset. {@code hits} and {@code misses} count allocations served from the cache
 * and from the OS.
 */
public record HostMemoryStats(long allocated, long reserved, long cached, long peak, long limit, long hits, long misses) {
    @Override
    public String toString() {
        return String.format("host memory: allocated %.1f MB, reserved %.1f MB (cached %.1f MB of at most %.1f MB), "
                        + "peak %.1f MB, %d cache hits, %d misses",
                allocated / 1e6, reserved / 1e6, cached / 1e6, limit / 1e6, peak / 1e6, hits, misses);
    }
}
