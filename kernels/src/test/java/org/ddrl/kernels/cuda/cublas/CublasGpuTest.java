package org.ddrl.kernels.cuda.cublas;

import org.ddrl.kernels.cpu.HalfFloats;
import org.ddrl.kernels.cuda.CudaDevices;
import org.ddrl.kernels.cuda.CudaException;
import org.ddrl.kernels.cuda.CudaStream;
import org.ddrl.kernels.cuda.driver.DriverCudaDevice;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** cuBLAS GEMMs against plain CPU loops; skipped without a GPU or without cuBLAS. */
class CublasGpuTest {
    private static DriverCudaDevice device;
    private static CublasHandle cublas;
    private static String skipReason;

    @BeforeAll
    static void open() {
        if (!CudaDevices.available()) {
            skipReason = CudaDevices.unavailableReason();
            return;
        }
        device = DriverCudaDevice.open(0);
        try {
            cublas = CublasHandle.create(device);
        } catch (CudaException e) {
            if (!e.getMessage().startsWith("cuBLAS (libcublas")) throw e;
            skipReason = e.getMessage();
        }
    }

    @BeforeEach
    void needsCublas() {
        assumeTrue(cublas != null, () -> skipReason);
    }

    @AfterAll
    static void close() {
        if (cublas != null) cublas.close();
        if (device != null) device.close();
    }

    private static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = r.nextFloat() * 2 - 1;
        return v;
    }

    private static long upload(float[] v) {
        long p = device.malloc(v.length * 4L);
        device.copyHtoD(p, MemorySegment.ofArray(v), v.length * 4L, device.defaultStream());
        return p;
    }

    private static long upload(short[] v) {
        long p = device.malloc(v.length * 2L);
        device.copyHtoD(p, MemorySegment.ofArray(v), v.length * 2L, device.defaultStream());
        return p;
    }

    private static float[] download(long p, int n) {
        float[] v = new float[n];
        device.copyDtoH(MemorySegment.ofArray(v), p, n * 4L, device.defaultStream());
        return v;
    }

    /** Row-major C = alpha A B + beta C in double, with |A||B| summed alongside for the tolerance. */
    private static double[][] reference(int m, int n, int k, float alpha, float[] a, float[] b, float beta, float[] c) {
        double[] out = new double[m * n];
        double[] scale = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0, t = 0;
                for (int p = 0; p < k; p++) {
                    s += (double) a[i * k + p] * b[p * n + j];
                    t += Math.abs((double) a[i * k + p] * b[p * n + j]);
                }
                out[i * n + j] = alpha * s + beta * (double) c[i * n + j];
                scale[i * n + j] = Math.abs(alpha) * t + Math.abs(beta * (double) c[i * n + j]);
            }
        }
        return new double[][] {out, scale};
    }

    private static void assertClose(double[][] ref, float[] got, double relative, String what) {
        for (int i = 0; i < got.length; i++) {
            double tol = relative * Math.max(ref[1][i], 1e-6);
            assertEquals(ref[0][i], got[i], tol, what + ": element " + i);
        }
    }

    private static float[] bf16Rounded(float[] v, short[] bits) {
        float[] r = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            bits[i] = HalfFloats.floatToBf16(v[i]);
            r[i] = HalfFloats.bf16ToFloat(bits[i]);
        }
        return r;
    }

    @Test
    void rowMajorSgemmMatchesACpuLoop() {
        int m = 33, n = 17, k = 65;
        float[] a = random(m * k, 1), b = random(k * n, 2), c = random(m * n, 3);
        long da = upload(a), db = upload(b), dc = upload(c);
        cublas.sgemmRowMajor(m, n, k, 1.5f, da, db, -0.5f, dc);
        // FP32 accumulation over k = 65 terms
        assertClose(reference(m, n, k, 1.5f, a, b, -0.5f, c), download(dc, m * n), 1e-5, "sgemm");
        device.free(da);
        device.free(db);
        device.free(dc);
    }

    @Test
    void columnMajorSgemmWithATransposedOperand() {
        // C (m x n, column-major) = A^T B, where A is stored k x m column-major, i.e. row-major m x k
        int m = 19, n = 23, k = 31;
        float[] aRowMajor = random(m * k, 4), bRowMajor = random(k * n, 5);
        float[] bColumnMajor = new float[k * n];
        for (int p = 0; p < k; p++) for (int j = 0; j < n; j++) bColumnMajor[j * k + p] = bRowMajor[p * n + j];
        long da = upload(aRowMajor), db = upload(bColumnMajor), dc = device.malloc((long) m * n * 4);
        cublas.sgemm(Transpose.T, Transpose.N, m, n, k, 1f, da, k, db, k, 0f, dc, m);
        float[] got = download(dc, m * n);
        float[] gotRowMajor = new float[m * n];
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) gotRowMajor[i * n + j] = got[j * m + i];
        assertClose(reference(m, n, k, 1f, aRowMajor, bRowMajor, 0f, new float[m * n]), gotRowMajor, 1e-5, "sgemm T,N");
        device.free(da);
        device.free(db);
        device.free(dc);
    }

    @Test
    void tf32GemmIsCloseToFp32() {
        int m = 64, n = 48, k = 96;
        float[] a = random(m * k, 6), b = random(k * n, 7), c = new float[m * n];
        long da = upload(a), db = upload(b), dc = upload(c);
        cublas.gemmRowMajor(m, n, k, 1f, da, DataType.R_32F, db, DataType.R_32F, 0f, dc, DataType.R_32F, ComputeType.F32_FAST_TF32);
        // TF32 keeps 10 mantissa bits: each input is off by up to 2^-10 of its size, each product by twice that
        assertClose(reference(m, n, k, 1f, a, b, 0f, c), download(dc, m * n), 4e-3, "tf32");
        device.free(da);
        device.free(db);
        device.free(dc);
    }

    @Test
    void bf16InputsAccumulateInFp32() {
        int m = 37, n = 29, k = 130;
        short[] aBits = new short[m * k], bBits = new short[k * n];
        float[] a = bf16Rounded(random(m * k, 8), aBits), b = bf16Rounded(random(k * n, 9), bBits);
        long da = upload(aBits), db = upload(bBits), dc = device.malloc((long) m * n * 4), dcb = device.malloc((long) m * n * 2);
        cublas.gemmRowMajor(m, n, k, 1f, da, DataType.R_16BF, db, DataType.R_16BF, 0f, dc, DataType.R_32F, ComputeType.F32);
        double[][] ref = reference(m, n, k, 1f, a, b, 0f, new float[m * n]);
        // the inputs are exact in BF16, so only FP32 accumulation separates the result from the reference
        assertClose(ref, download(dc, m * n), 1e-5, "bf16 -> f32");

        cublas.gemmRowMajor(m, n, k, 1f, da, DataType.R_16BF, db, DataType.R_16BF, 0f, dcb, DataType.R_16BF, ComputeType.F32);
        short[] out = new short[m * n];
        device.copyDtoH(MemorySegment.ofArray(out), dcb, out.length * 2L, device.defaultStream());
        float[] outF = new float[out.length];
        for (int i = 0; i < out.length; i++) outF[i] = HalfFloats.bf16ToFloat(out[i]);
        // rounding the FP32 result to BF16 costs 2^-9 of its magnitude, which the summed magnitudes bound
        assertClose(ref, outF, 5e-3, "bf16 -> bf16");
        device.free(da);
        device.free(db);
        device.free(dc);
        device.free(dcb);
    }

    @Test
    void stridedBatchedGemmComputesEveryBatch() {
        int batch = 3, m = 5, n = 7, k = 9;
        float[] a = random(batch * m * k, 10), b = random(batch * k * n, 11), c = new float[batch * m * n];
        long da = upload(a), db = upload(b), dc = upload(c);
        // row-major per batch, so the column-major call swaps the operands as in gemmRowMajor
        cublas.gemmStridedBatchedEx(Transpose.N, Transpose.N, n, m, k, 1f, db, DataType.R_32F, n, (long) k * n, da, DataType.R_32F, k, (long) m * k,
                0f, dc, DataType.R_32F, n, (long) m * n, batch, ComputeType.F32);
        float[] got = download(dc, batch * m * n);
        for (int t = 0; t < batch; t++) {
            float[] at = Arrays.copyOfRange(a, t * m * k, (t + 1) * m * k);
            float[] bt = Arrays.copyOfRange(b, t * k * n, (t + 1) * k * n);
            float[] gt = Arrays.copyOfRange(got, t * m * n, (t + 1) * m * n);
            assertClose(reference(m, n, k, 1f, at, bt, 0f, new float[m * n]), gt, 1e-5, "batch " + t);
        }
        device.free(da);
        device.free(db);
        device.free(dc);
    }

    @Test
    void runsOnTheStreamItIsGiven() {
        int m = 8, n = 8, k = 8;
        float[] a = random(m * k, 12), b = random(k * n, 13);
        long da = upload(a), db = upload(b), dc = device.malloc((long) m * n * 4);
        CudaStream s = device.createStream();
        cublas.setStream(s);
        cublas.sgemmRowMajor(m, n, k, 1f, da, db, 0f, dc);
        device.synchronize(s);
        cublas.setStream(device.defaultStream());
        assertClose(reference(m, n, k, 1f, a, b, 0f, new float[m * n]), download(dc, m * n), 1e-5, "on a stream");
        device.destroyStream(s);
        device.free(da);
        device.free(db);
        device.free(dc);
    }

    @Test
    void operandsAreCheckedBeforeCublasSeesThem() {
        long small = device.malloc(16 * 4);
        long big = device.malloc(64 * 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cublas.sgemmRowMajor(8, 8, 8, 1f, big, big, 0f, small));
        assertTrue(e.getMessage().startsWith("cublasSgemm_v2(N, N, m=8, n=8, k=8, lda=8, ldb=8, ldc=8), matrix C: "), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> cublas.sgemm(Transpose.N, Transpose.N, 8, 8, 8, 1f, big, 4, big, 8, 0f, big, 8));
        assertTrue(e.getMessage().contains("lda = 4 is below the stored matrix's row count 8"), e.getMessage());
        device.free(small);
        device.free(big);
    }
}
