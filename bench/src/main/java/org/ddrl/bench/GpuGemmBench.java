package org.ddrl.bench;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.ddrl.kernels.cpu.HalfFloats;
import org.ddrl.kernels.cuda.CudaDevice;
import org.ddrl.kernels.cuda.cublas.ComputeType;
import org.ddrl.kernels.cuda.cublas.CublasHandle;
import org.ddrl.kernels.cuda.cublas.DataType;
import org.ddrl.kernels.cuda.driver.DriverCudaDevice;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.cuda.CudaBackend;
import org.ddrl.tensor.cuda.CudaMatmulSettings;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * GEMM on the GPU, row-major [m, k] x [k, n] given as "m x k x n": our matmul kernel ({@code ddrl}, through
 * Tensor.matmul, output allocation from the caching allocator included) against cuBLAS ({@code cublas},
 * cublasGemmEx into a preallocated output) on the same values. {@code precision}: f32 (F32 in and out,
 * exact float math), tf32 (F32 in and out, operands rounded to TF32 on tensor cores: CudaMatmulSettings
 * allowTf32 for ours, CUBLAS_COMPUTE_32F_FAST_TF32 for cuBLAS), bf16 (BF16 in and out, F32 accumulation).
 * Shapes: 4096^3, and the projections of a DiT-XL block over 8192 tokens (width 1152: attention
 * projection, MLP up-projection). Every call waits for the device. TFLOP/s = 2 m k n / time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class GpuGemmBench {
    @Param({"cuda"})
    public String device;

    @Param({"4096x4096x4096", "8192x1152x1152", "8192x1152x4608"})
    public String shape;

    @Param({"f32", "tf32", "bf16"})
    public String precision;

    private int m, k, n;
    private CudaBackend backend;
    private Tensor a, b;
    private boolean tf32Before;
    // cuBLAS operands: raw device buffers holding the same values as a and b
    private CublasHandle cublas;
    private long da, db, dc;
    private DataType io;
    private ComputeType compute;

    @Setup(Level.Trial)
    public void setUp() {
        String[] d = shape.split("x");
        m = Integer.parseInt(d[0]);
        k = Integer.parseInt(d[1]);
        n = Integer.parseInt(d[2]);
        backend = GpuDevice.open(device);
        boolean bf16 = switch (precision) {
            case "f32", "tf32" -> false;
            case "bf16" -> true;
            default -> throw new IllegalArgumentException("GpuGemmBench: precision must be f32, tf32 or bf16, got " + precision);
        };
        tf32Before = CudaMatmulSettings.setAllowTf32(precision.equals("tf32"));
        Tensor ha = Inputs.uniform(1, m, k), hb = Inputs.uniform(2, k, n);
        DType dt = bf16 ? DType.BF16 : DType.F32;
        a = ha.to(dt).to(backend.device());
        b = hb.to(dt).to(backend.device());
        io = bf16 ? DataType.R_16BF : DataType.R_32F;
        compute = precision.equals("tf32") ? ComputeType.F32_FAST_TF32 : ComputeType.F32;
        if (backend.cudaDevice() instanceof DriverCudaDevice gpu) {
            cublas = CublasHandle.create(gpu);
            da = upload(gpu, ha.toFloatArray(), bf16);
            db = upload(gpu, hb.toFloatArray(), bf16);
            dc = gpu.malloc((long) m * n * io.bytes());
        }
        backend.synchronize();
    }

    private static long upload(CudaDevice gpu, float[] v, boolean bf16) {
        MemorySegment host;
        if (bf16) {
            short[] s = new short[v.length];
            for (int i = 0; i < v.length; i++) s[i] = HalfFloats.floatToBf16(v[i]);
            host = MemorySegment.ofArray(s);
        } else {
            host = MemorySegment.ofArray(v);
        }
        long p = gpu.malloc(host.byteSize());
        gpu.copyHtoD(p, host, host.byteSize(), gpu.defaultStream());
        return p;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        CudaMatmulSettings.setAllowTf32(tf32Before);
        if (cublas != null) {
            CudaDevice gpu = backend.cudaDevice();
            gpu.synchronize();
            gpu.free(da);
            gpu.free(db);
            gpu.free(dc);
            cublas.close();
        }
    }

    @Benchmark
    public Tensor ddrl() {
        try (org.ddrl.tensor.Scope scope = org.ddrl.tensor.Scope.open()) {
            Tensor c = a.matmul(b);
            backend.synchronize();
            return c;
        }
    }

    @Benchmark
    public long cublas() {
        if (cublas == null) throw new IllegalStateException("GpuGemmBench.cublas: cuBLAS needs a real GPU driven through the FFM driver binding (device "
                + device + ", binding " + org.ddrl.kernels.cuda.CudaDevices.binding() + ")");
        cublas.gemmRowMajor(m, n, k, 1f, da, io, db, io, 0f, dc, io, compute);
        backend.cudaDevice().synchronize();
        return dc;
    }
}
