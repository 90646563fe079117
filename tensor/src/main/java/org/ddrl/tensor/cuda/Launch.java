package org.ddrl.tensor.cuda;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.ddrl.kernels.cuda.CudaFunction;
import org.ddrl.kernels.cuda.Dim3;
import org.ddrl.kernels.cuda.KernelArgs;
import org.ddrl.tensor.Tensor;

/**
 * One kernel launch, built up argument by argument in the kernel's parameter order and run once:
 * {@code Launch.of(b, "copy", "ddrl_copy").elements(n).i64(n).view(dst).ptr(dst)...run()}.
 */
final class Launch {
    /** Threads per block of elementwise kernels. */
    static final int BLOCK = 256;
    /** Most blocks of a grid-stride launch: enough to fill any current GPU several times over. */
    private static final long MAX_BLOCKS = 1L << 16;
    /** Most blocks of a block-per-row launch (rows beyond loop inside the kernel). */
    private static final long MAX_ROW_BLOCKS = 1L << 20;

    private final CudaBackend backend;
    private final CudaFunction function;
    /** The parameters, packed into native memory only in {@link #run}, so a failed build leaks nothing. */
    private final List<Consumer<KernelArgs>> args = new ArrayList<>();
    private Dim3 grid = Dim3.of(1);
    private Dim3 block = Dim3.of(1);

    private Launch(CudaBackend backend, CudaFunction function) {
        this.backend = backend;
        this.function = function;
    }

    static Launch of(CudaBackend b, String module, String kernel) {
        return new Launch(b, b.function(module, kernel));
    }

    /** A grid-stride configuration for n elements (n > 0). */
    Launch elements(long n) {
        block = Dim3.of(BLOCK);
        grid = Dim3.of((int) Math.min(MAX_BLOCKS, (n + BLOCK - 1) / BLOCK));
        return this;
    }

    /** One block per row (looping when there are very many rows), with enough warps for rows of len elements. */
    Launch rows(long rows, long len) {
        block = Dim3.of(rowThreads(len));
        grid = Dim3.of((int) Math.max(1, Math.min(MAX_ROW_BLOCKS, rows)));
        return this;
    }

    /** Whole warps, from 32 up to 256 threads, about one per element. */
    private static int rowThreads(long len) {
        return (int) Math.min(BLOCK, Math.max(32, (len + 31) / 32 * 32));
    }

    Launch grid(Dim3 g) {
        grid = g;
        return this;
    }

    Launch block(Dim3 b) {
        block = b;
        return this;
    }

    Launch i32(int v) {
        args.add(a -> a.i32(v));
        return this;
    }

    Launch i64(long v) {
        args.add(a -> a.i64(v));
        return this;
    }

    Launch f64(double v) {
        args.add(a -> a.f64(v));
        return this;
    }

    Launch ptr(long devicePtr) {
        args.add(a -> a.ptr(devicePtr));
        return this;
    }

    /** The device address of t's storage (its view's offset travels in the view). */
    Launch ptr(Tensor t) {
        long p = t == null ? 0 : ((CudaStorage) t.storage()).pointer();
        args.add(a -> a.ptr(p));
        return this;
    }

    /** A packed ddrl_view. */
    Launch view(byte[] packed) {
        args.add(a -> a.bytes(packed, ViewDesc.ALIGNMENT));
        return this;
    }

    /** Packed bytes of another by-value struct. */
    Launch struct(byte[] packed, int alignment) {
        args.add(a -> a.bytes(packed, alignment));
        return this;
    }

    void run() {
        try (KernelArgs packed = new KernelArgs()) {
            for (Consumer<KernelArgs> a : args) a.accept(packed);
            backend.launch(function, grid, block, packed);
        }
    }
}
