package org.ddrl.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.ddrl.kernels.cuda.CudaStream;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Scope;
import org.ddrl.tensor.Storage;
import org.junit.jupiter.api.Test;

/** The caching allocator and the backend's storages on a fake device (host memory, no kernels). */
class CachingAllocatorTest {
    private static final long KIB = 1024, MIB = 1024 * KIB;

    @Test
    void sizeClassesRoundTo512BytesThenToQuartersOfAPowerOfTwo() {
        assertEquals(0, CachingAllocator.sizeClass(0));
        assertEquals(512, CachingAllocator.sizeClass(1));
        assertEquals(512, CachingAllocator.sizeClass(512));
        assertEquals(1024, CachingAllocator.sizeClass(513));
        assertEquals(MIB - 512, CachingAllocator.sizeClass(MIB - 600));
        assertEquals(MIB, CachingAllocator.sizeClass(MIB));
        assertEquals(MIB + MIB / 4, CachingAllocator.sizeClass(MIB + 1));
        assertEquals(3 * MIB, CachingAllocator.sizeClass(3 * MIB));
        assertEquals(3 * MIB + MIB / 2, CachingAllocator.sizeClass(3 * MIB + 1));
        for (long n = 1; n < (1L << 40); n = n * 3 + 7) {
            long c = CachingAllocator.sizeClass(n);
            assertTrue(c >= n && c <= (n < MIB ? n + 511 : n + n / 4), n + " -> " + c);
        }
        assertThrows(IllegalArgumentException.class, () -> CachingAllocator.sizeClass(-1));
    }

    @Test
    void aFreedBlockServesTheNextRequestOfItsClassWithoutTheDevice() {
        FakeCudaDevice dev = new FakeCudaDevice(MIB);
        CachingAllocator a = new CachingAllocator(dev, Long.MAX_VALUE);
        CudaStream s = dev.defaultStream();
        CachingAllocator.Block b1 = a.allocate(1000, s);
        assertEquals(new MemoryStats(1024, 1024, 1024), a.stats());
        a.free(b1);
        assertEquals(new MemoryStats(0, 1024, 1024), a.stats());
        assertEquals(1024, a.stats().cached());
        CachingAllocator.Block b2 = a.allocate(900, s);
        assertEquals(b1.pointer(), b2.pointer());
        assertEquals(1, dev.mallocs);
        // another class, or another stream, does not take the cached block
        CachingAllocator.Block other = a.allocate(2000, s);
        a.free(b2);
        CachingAllocator.Block elsewhere = a.allocate(1000, dev.createStream());
        assertNotEquals(b1.pointer(), other.pointer());
        assertNotEquals(b1.pointer(), elsewhere.pointer());
        assertEquals(3, dev.mallocs);
        assertEquals(new MemoryStats(2048 + 1024, 1024 + 2048 + 1024, 2048 + 1024), a.stats());
    }

    @Test
    void peakTracksTheMostAllocatedAtOnceAndCanBeReset() {
        FakeCudaDevice dev = new FakeCudaDevice(MIB);
        CachingAllocator a = new CachingAllocator(dev, Long.MAX_VALUE);
        CudaStream s = dev.defaultStream();
        CachingAllocator.Block x = a.allocate(4096, s), y = a.allocate(4096, s);
        a.free(x);
        a.free(y);
        assertEquals(8192, a.stats().peak());
        a.resetPeak();
        assertEquals(0, a.stats().peak());
        a.allocate(512, s);
        assertEquals(512, a.stats().peak());
    }

    @Test
    void emptyCacheReturnsOnlyFreeBlocksToTheDevice() {
        FakeCudaDevice dev = new FakeCudaDevice(MIB);
        CachingAllocator a = new CachingAllocator(dev, Long.MAX_VALUE);
        CudaStream s = dev.defaultStream();
        CachingAllocator.Block live = a.allocate(512, s), dead = a.allocate(1024, s);
        a.free(dead);
        a.emptyCache();
        assertEquals(1, dev.frees);
        assertEquals(512, dev.used());
        assertEquals(new MemoryStats(512, 512, 1536), a.stats());
        a.free(live);
    }

    @Test
    void outOfMemoryFreesTheCacheAndRetriesOnce() {
        FakeCudaDevice dev = new FakeCudaDevice(4 * KIB);
        CachingAllocator a = new CachingAllocator(dev, Long.MAX_VALUE);
        CudaStream s = dev.defaultStream();
        CachingAllocator.Block keep = a.allocate(2048, s);
        a.free(a.allocate(2048, s)); // the device is full: 2 KiB live, 2 KiB cached
        CachingAllocator.Block big = a.allocate(1536, s); // another class: succeeds only once the cache is emptied
        assertEquals(1, dev.frees);
        assertEquals(new MemoryStats(2048 + 1536, 2048 + 1536, 4096), a.stats());
        a.free(big);
        a.free(keep);
    }

    @Test
    void outOfMemoryAfterTheRetryReportsTheSizes() {
        FakeCudaDevice dev = new FakeCudaDevice(4 * KIB);
        CachingAllocator a = new CachingAllocator(dev, Long.MAX_VALUE);
        CudaStream s = dev.defaultStream();
        a.allocate(3000, s);
        CudaOutOfMemoryException e = assertThrows(CudaOutOfMemoryException.class, () -> a.allocate(2000, s));
        assertEquals(2000, e.requested());
        String m = e.getMessage();
        assertTrue(m.contains("on fake device: tried to allocate 2000 bytes (a block of 2048 bytes)"), m);
        assertTrue(m.contains("3072 bytes allocated to live tensors, 3072 bytes reserved from the device, peak 3072 bytes"), m);
        assertTrue(m.contains("CUDA_ERROR_OUT_OF_MEMORY"), m);
        // the failed request changed nothing
        assertEquals(new MemoryStats(3072, 3072, 3072), a.stats());
    }

    @Test
    void aReserveLimitActsLikeASmallerDevice() {
        FakeCudaDevice dev = new FakeCudaDevice(MIB);
        CachingAllocator a = new CachingAllocator(dev, 8 * KIB);
        CudaStream s = dev.defaultStream();
        a.free(a.allocate(6 * KIB, s));
        CachingAllocator.Block b = a.allocate(4 * KIB, s); // fits only after the cached 6 KiB went back
        assertEquals(1, dev.frees);
        String m = assertThrows(CudaOutOfMemoryException.class, () -> a.allocate(5 * KIB, s)).getMessage();
        assertTrue(m.contains("reserve limit 8192 bytes"), m);
        a.free(b);
        assertThrows(IllegalArgumentException.class, () -> new CachingAllocator(dev, 0));
    }

    @Test
    void zeroBytesNeedNoDeviceMemory() {
        FakeCudaDevice dev = new FakeCudaDevice(KIB);
        CachingAllocator a = new CachingAllocator(dev, Long.MAX_VALUE);
        CachingAllocator.Block b = a.allocate(0, dev.defaultStream());
        assertEquals(0, b.pointer());
        a.free(b);
        assertEquals(0, dev.mallocs);
        assertEquals(new MemoryStats(0, 0, 0), a.stats());
    }

    @Test
    void closingAScopeReturnsItsStoragesToTheCache() {
        FakeCudaDevice dev = new FakeCudaDevice(MIB);
        CudaBackend backend = new CudaBackend(new Device(Device.Kind.CUDA_EMU, 7), dev);
        long first;
        try (Scope scope = Scope.open()) {
            Storage s = backend.allocate(3000);
            first = ((CudaStorage) s).pointer();
            assertEquals(1, scope.size());
            assertEquals(3072, backend.memoryStats().allocated());
        }
        assertEquals(new MemoryStats(0, 3072, 3072), backend.memoryStats());
        try (Scope scope = Scope.open()) {
            Storage s = backend.allocate(2900);
            assertEquals(first, ((CudaStorage) s).pointer(), "the block came back from the cache");
            s.release();
            s.release(); // idempotent: the block is in the cache once
            assertEquals(0, backend.memoryStats().allocated());
        }
        assertEquals(1, dev.mallocs);
        backend.emptyCache();
        assertEquals(0, dev.used());
    }

    @Test
    void newStorageIsZeroFilledEvenWhenItsBlockWasUsedBefore() {
        FakeCudaDevice dev = new FakeCudaDevice(MIB);
        CudaBackend backend = new CudaBackend(new Device(Device.Kind.CUDA_EMU, 7), dev);
        try (Arena arena = Arena.ofConfined(); Scope scope = Scope.open()) {
            MemorySegment ones = arena.allocate(64).fill((byte) 1);
            Storage used = backend.allocate(64);
            backend.copyFromHost(ones, used, 0, 64);
            used.release();
            Storage fresh = backend.allocate(64);
            MemorySegment back = arena.allocate(64);
            backend.copyToHost(fresh, 0, back, 64);
            for (int i = 0; i < 64; i++) assertEquals(0, back.get(ValueLayout.JAVA_BYTE, i));
            assertEquals(1, dev.mallocs);
        }
    }

    @Test
    void usingAReleasedStorageNamesTheProblem() {
        FakeCudaDevice dev = new FakeCudaDevice(MIB);
        CudaBackend backend = new CudaBackend(new Device(Device.Kind.CUDA_EMU, 7), dev);
        CudaStorage s = (CudaStorage) backend.allocate(16);
        s.release();
        IllegalStateException e = assertThrows(IllegalStateException.class, s::pointer);
        assertTrue(e.getMessage().contains("released") && e.getMessage().contains("cuda-emu:7"), e.getMessage());
    }
}
