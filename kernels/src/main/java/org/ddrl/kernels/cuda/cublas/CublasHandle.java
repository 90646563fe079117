package org.ddrl.kernels.cuda.cublas;

import org.ddrl.kernels.cuda.CudaStream;
import org.ddrl.kernels.cuda.driver.DriverCudaDevice;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.ddrl.kernels.cuda.driver.Downcalls.invoke;

/**
 * A cuBLAS handle bound to one GPU, with the GEMMs the tensor library needs.
 *
 * <p>cuBLAS is column-major. A row-major matrix is the column-major view of its transpose, so a row-major
 * product C = A B (A is m x k, B is k x n, C is m x n, all row-major and dense) is computed as the column-major
 * product C^T = B^T A^T: call the column-major GEMM with the operands swapped, the sizes (n, m, k) and the
 * leading dimensions (n, k, n). {@link #gemmRowMajor} and {@link #sgemmRowMajor} do exactly this.
 *
 * <p>Scalars (alpha, beta) are passed from the host. Every call makes the device's context current first and
 * runs on the handle's stream (the default stream until {@link #setStream}); like the stream, a handle must be
 * used by one thread at a time. Operands are checked to lie inside allocations of the device before the call.
 */
public final class CublasHandle implements AutoCloseable {
    private static final int CUBLAS_GEMM_DEFAULT = -1;

    private final Cublas cublas;
    private final DriverCudaDevice device;
    private final MemorySegment handle;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment alpha;
    private final MemorySegment beta;
    private boolean closed;

    private CublasHandle(Cublas cublas, DriverCudaDevice device, MemorySegment handle) {
        this.cublas = cublas;
        this.device = device;
        this.handle = handle;
        this.alpha = arena.allocate(ValueLayout.JAVA_FLOAT);
        this.beta = arena.allocate(ValueLayout.JAVA_FLOAT);
    }

    /** A handle on the device's primary context; loads cuBLAS on first use. */
    public static CublasHandle create(DriverCudaDevice device) {
        Cublas cublas = Cublas.get(device.driverVersion());
        device.makeCurrent();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            cublas.check("cublasCreate_v2 on " + device, invoke(() -> (int) cublas.create.invokeExact(out)));
            return new CublasHandle(cublas, device, out.get(ValueLayout.ADDRESS, 0));
        }
    }

    /** The cuBLAS version, e.g. "13.0.2". */
    public String version() {
        return cublas.version();
    }

    /** Runs later calls on this stream of the handle's device. */
    public void setStream(CudaStream stream) {
        MemorySegment s = MemorySegment.ofAddress(device.rawStream(stream));
        enter();
        cublas.check("cublasSetStream_v2", invoke(() -> (int) cublas.setStream.invokeExact(handle, s)));
    }

    /** Column-major FP32 C = alpha op(A) op(B) + beta C with cublasSgemm_v2. */
    public void sgemm(Transpose ta, Transpose tb, int m, int n, int k, float alpha, long a, int lda, long b, int ldb, float beta, long c, int ldc) {
        String call = "cublasSgemm_v2(" + ta + ", " + tb + ", m=" + m + ", n=" + n + ", k=" + k + ", lda=" + lda + ", ldb=" + ldb + ", ldc=" + ldc + ")";
        checkOperands(call, ta, tb, m, n, k, a, 4, lda, b, 4, ldb, c, 4, ldc, 0, 0, 0, 1);
        enter();
        this.alpha.set(ValueLayout.JAVA_FLOAT, 0, alpha);
        this.beta.set(ValueLayout.JAVA_FLOAT, 0, beta);
        MemorySegment pa = MemorySegment.ofAddress(a), pb = MemorySegment.ofAddress(b), pc = MemorySegment.ofAddress(c);
        cublas.check(call, invoke(() -> (int) cublas.sgemm.invokeExact(handle, ta.code, tb.code, m, n, k, this.alpha, pa, lda, pb, ldb,
                this.beta, pc, ldc)));
    }

    /**
     * Column-major C = alpha op(A) op(B) + beta C with cublasGemmEx: FP32 (F32 or F32_FAST_TF32), or BF16/FP16
     * inputs with FP32 accumulation (aType = bType = R_16BF, cType R_16BF or R_32F, compute F32).
     */
    public void gemmEx(Transpose ta, Transpose tb, int m, int n, int k, float alpha, long a, DataType aType, int lda, long b, DataType bType,
                       int ldb, float beta, long c, DataType cType, int ldc, ComputeType compute) {
        String call = "cublasGemmEx(" + ta + ", " + tb + ", m=" + m + ", n=" + n + ", k=" + k + ", A " + aType + " lda=" + lda + ", B " + bType
                + " ldb=" + ldb + ", C " + cType + " ldc=" + ldc + ", " + compute + ")";
        checkOperands(call, ta, tb, m, n, k, a, aType.bytes, lda, b, bType.bytes, ldb, c, cType.bytes, ldc, 0, 0, 0, 1);
        enter();
        this.alpha.set(ValueLayout.JAVA_FLOAT, 0, alpha);
        this.beta.set(ValueLayout.JAVA_FLOAT, 0, beta);
        MemorySegment pa = MemorySegment.ofAddress(a), pb = MemorySegment.ofAddress(b), pc = MemorySegment.ofAddress(c);
        cublas.check(call, invoke(() -> (int) cublas.gemmEx.invokeExact(handle, ta.code, tb.code, m, n, k, this.alpha, pa, aType.code, lda, pb,
                bType.code, ldb, this.beta, pc, cType.code, ldc, compute.code, CUBLAS_GEMM_DEFAULT)));
    }

    /** {@link #gemmEx} over batchCount matrices, the i-th operand at base + i * stride (strides in elements). */
    public void gemmStridedBatchedEx(Transpose ta, Transpose tb, int m, int n, int k, float alpha, long a, DataType aType, int lda, long strideA,
                                     long b, DataType bType, int ldb, long strideB, float beta, long c, DataType cType, int ldc, long strideC,
                                     int batchCount, ComputeType compute) {
        String call = "cublasGemmStridedBatchedEx(" + ta + ", " + tb + ", m=" + m + ", n=" + n + ", k=" + k + ", A " + aType + " lda=" + lda
                + " strideA=" + strideA + ", B " + bType + " ldb=" + ldb + " strideB=" + strideB + ", C " + cType + " ldc=" + ldc + " strideC="
                + strideC + ", batch " + batchCount + ", " + compute + ")";
        if (batchCount < 0) throw new IllegalArgumentException(call + ": negative batch count");
        if (batchCount == 0) return;
        if (strideA < 0 || strideB < 0 || strideC < 0) throw new IllegalArgumentException(call + ": negative stride");
        checkOperands(call, ta, tb, m, n, k, a, aType.bytes, lda, b, bType.bytes, ldb, c, cType.bytes, ldc, strideA, strideB, strideC, batchCount);
        enter();
        this.alpha.set(ValueLayout.JAVA_FLOAT, 0, alpha);
        this.beta.set(ValueLayout.JAVA_FLOAT, 0, beta);
        MemorySegment pa = MemorySegment.ofAddress(a), pb = MemorySegment.ofAddress(b), pc = MemorySegment.ofAddress(c);
        cublas.check(call, invoke(() -> (int) cublas.gemmStridedBatchedEx.invokeExact(handle, ta.code, tb.code, m, n, k, this.alpha, pa,
                aType.code, lda, strideA, pb, bType.code, ldb, strideB, this.beta, pc, cType.code, ldc, strideC, batchCount, compute.code,
                CUBLAS_GEMM_DEFAULT)));
    }

    /** Row-major dense FP32 C[m,n] = alpha A[m,k] B[k,n] + beta C, as the column-major C^T = B^T A^T. */
    public void sgemmRowMajor(int m, int n, int k, float alpha, long a, long b, float beta, long c) {
        sgemm(Transpose.N, Transpose.N, n, m, k, alpha, b, Math.max(1, n), a, Math.max(1, k), beta, c, Math.max(1, n));
    }

    /** Row-major dense C[m,n] = alpha A[m,k] B[k,n] + beta C with {@link #gemmEx}, as the column-major C^T = B^T A^T. */
    public void gemmRowMajor(int m, int n, int k, float alpha, long a, DataType aType, long b, DataType bType, float beta, long c, DataType cType,
                             ComputeType compute) {
        gemmEx(Transpose.N, Transpose.N, n, m, k, alpha, b, bType, Math.max(1, n), a, aType, Math.max(1, k), beta, c, cType, Math.max(1, n),
                compute);
    }

    /**
     * Sizes and leading dimensions as cuBLAS requires them (it would answer only INVALID_VALUE), and every
     * operand inside an allocation of the device (cuBLAS would fault, and a fault poisons the context).
     */
    private void checkOperands(String call, Transpose ta, Transpose tb, int m, int n, int k, long a, int aBytes, int lda, long b, int bBytes, int ldb,
                               long c, int cBytes, int ldc, long strideA, long strideB, long strideC, int batch) {
        if (m < 0 || n < 0 || k < 0) throw new IllegalArgumentException(call + ": negative size");
        int aRows = ta == Transpose.N ? m : k, aCols = ta == Transpose.N ? k : m;
        int bRows = tb == Transpose.N ? k : n, bCols = tb == Transpose.N ? n : k;
        requireLd(call, "lda", lda, aRows);
        requireLd(call, "ldb", ldb, bRows);
        requireLd(call, "ldc", ldc, m);
        if (m == 0 || n == 0) return;
        if (k > 0) {
            checkMatrix(call, "A", a, aRows, aCols, lda, aBytes, strideA, batch);
            checkMatrix(call, "B", b, bRows, bCols, ldb, bBytes, strideB, batch);
        }
        checkMatrix(call, "C", c, m, n, ldc, cBytes, strideC, batch);
    }

    private static void requireLd(String call, String name, int ld, int rows) {
        if (ld < Math.max(1, rows)) {
            throw new IllegalArgumentException(call + ": " + name + " = " + ld + " is below the stored matrix's row count " + rows
                    + " (column-major; for row-major data see the class comment)");
        }
    }

    private void checkMatrix(String call, String name, long ptr, int rows, int cols, int ld, int elementBytes, long stride, int batch) {
        long elements = (long) (cols - 1) * ld + rows + (long) (batch - 1) * stride;
        device.checkDeviceRange(call + ", matrix " + name, ptr, elements * elementBytes);
    }

    private void enter() {
        if (closed) throw new IllegalStateException("the cuBLAS handle of " + device + " is closed");
        device.makeCurrent();
    }

    @Override
    public void close() {
        if (closed) return;
        enter();
        closed = true;
        try {
            cublas.check("cublasDestroy_v2", invoke(() -> (int) cublas.destroy.invokeExact(handle)));
        } finally {
            arena.close();
        }
    }
}
