package org.ddrl.bench;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.ddrl.kernels.cpu.HostMemory;
import org.ddrl.kernels.cpu.Parallel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The STREAM kernels (copy c = a, scale b = s c, add c = a + b, triad a = b + s c) on three 64 MiB
 * arrays of 16M floats, far beyond the caches, as plain vector loops over preallocated off-heap memory
 * split over the pool. They measure the memory bandwidth a Java loop can reach, the ceiling for every
 * elementwise op and reduction of the same size: an elementwise add of 16M floats moves what the STREAM
 * add moves (two arrays read, one written).
 *
 * <p>Bandwidth is counted as STREAM counts it: copy and scale move 2 x 64 MiB per call, add and triad
 * 3 x 64 MiB (the write-allocate read of the destination is not counted). bench/scripts/elementwise_vs_numpy.sh
 * converts the times to GB/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class StreamBench extends PoolThreads {
    static final int N = 1 << 24;
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Elements per task: 1 MiB of each array, so two threads split the range evenly without overhead. */
    private static final long GRAIN = 1 << 18;
    private static final float SCALAR = 3f;

    private HostMemory.Block a, b, c;

    @Setup(Level.Trial)
    public void allocate() {
        a = HostMemory.allocate(4L * N);
        b = HostMemory.allocate(4L * N);
        c = HostMemory.allocate(4L * N);
        // STREAM's initial values; touching every page here keeps page faults out of the timings
        for (long i = 0; i < N; i++) {
            a.segment().setAtIndex(JAVA_FLOAT, i, 1f);
            b.segment().setAtIndex(JAVA_FLOAT, i, 2f);
        }
    }

    @TearDown(Level.Trial)
    public void free() {
        a.free();
        b.free();
        c.free();
    }

    @Benchmark
    public MemorySegment copy() {
        MemorySegment x = a.segment(), z = c.segment();
        Parallel.forRange(N, GRAIN, (lo, hi) -> MemorySegment.copy(x, lo * 4, z, lo * 4, (hi - lo) * 4));
        return z;
    }

    @Benchmark
    public MemorySegment scale() {
        MemorySegment x = c.segment(), z = b.segment();
        Parallel.forRange(N, GRAIN, (lo, hi) -> {
            long i = lo;
            for (long end = lo + S.loopBound(hi - lo); i < end; i += S.length()) {
                FloatVector.fromMemorySegment(S, x, i * 4, ByteOrder.nativeOrder()).mul(SCALAR)
                        .intoMemorySegment(z, i * 4, ByteOrder.nativeOrder());
            }
            for (; i < hi; i++) z.setAtIndex(JAVA_FLOAT, i, SCALAR * x.getAtIndex(JAVA_FLOAT, i));
        });
        return z;
    }

    @Benchmark
    public MemorySegment add() {
        MemorySegment x = a.segment(), y = b.segment(), z = c.segment();
        Parallel.forRange(N, GRAIN, (lo, hi) -> {
            long i = lo;
            for (long end = lo + S.loopBound(hi - lo); i < end; i += S.length()) {
                FloatVector.fromMemorySegment(S, x, i * 4, ByteOrder.nativeOrder())
                        .add(FloatVector.fromMemorySegment(S, y, i * 4, ByteOrder.nativeOrder()))
                        .intoMemorySegment(z, i * 4, ByteOrder.nativeOrder());
            }
            for (; i < hi; i++) z.setAtIndex(JAVA_FLOAT, i, x.getAtIndex(JAVA_FLOAT, i) + y.getAtIndex(JAVA_FLOAT, i));
        });
        return z;
    }

    @Benchmark
    public MemorySegment triad() {
        MemorySegment x = b.segment(), y = c.segment(), z = a.segment();
        FloatVector s = FloatVector.broadcast(S, SCALAR);
        Parallel.forRange(N, GRAIN, (lo, hi) -> {
            long i = lo;
            for (long end = lo + S.loopBound(hi - lo); i < end; i += S.length()) {
                FloatVector.fromMemorySegment(S, y, i * 4, ByteOrder.nativeOrder())
                        .fma(s, FloatVector.fromMemorySegment(S, x, i * 4, ByteOrder.nativeOrder()))
                        .intoMemorySegment(z, i * 4, ByteOrder.nativeOrder());
            }
            for (; i < hi; i++) z.setAtIndex(JAVA_FLOAT, i, Math.fma(SCALAR, y.getAtIndex(JAVA_FLOAT, i), x.getAtIndex(JAVA_FLOAT, i)));
        });
        return z;
    }
}
