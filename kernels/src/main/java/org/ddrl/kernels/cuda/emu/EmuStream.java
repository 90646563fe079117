package org.ddrl.kernels.cuda.emu;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.ddrl.kernels.cuda.CudaException;
import org.ddrl.kernels.cuda.CudaStream;

/**
 * A stream: one thread runs its work in order, asynchronously to the host, as the GPU runs a stream's
 * work. After a failure the stream skips its remaining work until the failure is reported by a
 * synchronizing call, so that nothing runs on the results of a failed kernel; it is usable again after.
 */
final class EmuStream implements CudaStream {
    /** Work on a stream: {@code skip} releases what {@code run} would have used when it does not run. */
    interface Work {
        void run();

        default void skip() {}

        /** Events complete even on a failed stream, so that timing code does not wait forever. */
        default boolean runsAfterFailure() {
            return false;
        }
    }

    final EmulatedCudaDevice device;
    private final long id;
    private final ExecutorService executor;
    /** Completes when everything enqueued so far has run; replaced under the device's lock. */
    CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);
    private CudaException failure;

    EmuStream(EmulatedCudaDevice device, long id) {
        this.device = device;
        this.id = id;
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "cudaemu-stream-" + id);
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public long handle() {
        return id;
    }

    /** Runs {@code work} on this stream's thread once {@code after} has completed. */
    CompletableFuture<Void> enqueue(CompletableFuture<?> after, Work work) {
        CompletableFuture<Void> f = after.thenRunAsync(() -> execute(work), executor);
        tail = f;
        return f;
    }

    private void execute(Work work) {
        boolean failed;
        synchronized (this) {
            failed = failure != null;
        }
        if (failed && !work.runsAfterFailure()) {
            work.skip();
            return;
        }
        try {
            work.run();
        } catch (CudaException e) {
            fail(e);
        } catch (RuntimeException e) {
            fail(new CudaException("work on an emulated stream failed: " + e));
        }
    }

    private synchronized void fail(CudaException e) {
        if (failure == null) failure = e;
    }

    /** The failure not yet reported, cleared: the stream runs work again from now on. */
    synchronized CudaException takeFailure() {
        CudaException e = failure;
        failure = null;
        return e;
    }

    void shutdown() {
        executor.shutdown();
    }
}
