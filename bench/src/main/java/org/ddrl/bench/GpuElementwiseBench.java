package org.ddrl.bench;

import java.util.concurrent.TimeUnit;
import org.ddrl.kernels.cuda.CudaDevice;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.cuda.CudaBackend;
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
 * Elementwise kernels on the GPU against the device's copy bandwidth: {@code add} (x + y, 12 bytes moved per
 * element), {@code exp} (8 bytes per element), and the peer {@code copyDtoD}, cuMemcpyDtoD of the same 4n
 * bytes (8 bytes moved per element: read and write). n = 64M floats, 256 MiB per tensor, far beyond any
 * cache. Every call waits for the device. GB/s = bytes moved / time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class GpuElementwiseBench {
    @Param({"cuda"})
    public String device;

    @Param({"67108864"})
    public int n;

    private CudaBackend backend;
    private Tensor x, y;
    private long src, dst;

    @Setup(Level.Trial)
    public void setUp() {
        backend = GpuDevice.open(device);
        Device d = backend.device();
        x = Inputs.uniform(1, n).to(d);
        y = Inputs.uniform(2, n).to(d);
        CudaDevice cuda = backend.cudaDevice();
        src = cuda.malloc(4L * n);
        dst = cuda.malloc(4L * n);
        cuda.memset(src, 0, 4L * n, cuda.defaultStream());
        backend.synchronize();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        CudaDevice cuda = backend.cudaDevice();
        cuda.synchronize();
        cuda.free(src);
        cuda.free(dst);
    }

    @Benchmark
    public Tensor add() {
        try (org.ddrl.tensor.Scope scope = org.ddrl.tensor.Scope.open()) {
            Tensor z = x.add(y);
            backend.synchronize();
            return z;
        }
    }

    @Benchmark
    public Tensor exp() {
        try (org.ddrl.tensor.Scope scope = org.ddrl.tensor.Scope.open()) {
            Tensor z = x.exp();
            backend.synchronize();
            return z;
        }
    }

    @Benchmark
    public long copyDtoD() {
        CudaDevice cuda = backend.cudaDevice();
        cuda.copyDtoD(dst, src, 4L * n, cuda.defaultStream());
        cuda.synchronize(cuda.defaultStream());
        return dst;
    }
}
