package org.ddrl.bench;

import org.ddrl.kernels.cpu.Parallel;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The pool size every benchmark runs with, as a JMH parameter: 1 compares with single-threaded NumPy
 * (OPENBLAS_NUM_THREADS=1), 2 with both cores of the reference machine.
 */
@State(Scope.Benchmark)
public abstract class PoolThreads {
    @Param({"1", "2"})
    public int threads;

    @Setup
    public void setPoolThreads() {
        Parallel.setThreads(threads);
    }
}
