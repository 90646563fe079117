package org.ddrl.bench;

import org.ddrl.kernels.cuda.CudaDevices;
import org.ddrl.kernels.cuda.DeviceInfo;
import org.ddrl.kernels.cuda.cublas.CublasHandle;
import org.ddrl.kernels.cuda.driver.DriverCudaDevice;

/**
 * Entry point of bench/scripts/gpu_bench.sh: prints the card (name, compute capability, SMs, memory, driver
 * and cuBLAS versions) and runs the GPU benchmarks with JMH (GpuGemmBench, GpuElementwiseBench,
 * GpuAttentionBench, GpuDitBlockBench; the arguments are JMH's, a benchmark pattern first if any). Where there is no
 * usable GPU it says why and exits with status 0, running nothing.
 */
public final class GpuBench {
    static final String ALL = "org.ddrl.bench.Gpu(Gemm|Elementwise|Attention|DitBlock)Bench";

    private GpuBench() {}

    public static void main(String[] args) throws Exception {
        if (!CudaDevices.available()) {
            System.out.println("GPU benchmarks skipped: " + CudaDevices.unavailableReason());
            return;
        }
        try (DriverCudaDevice gpu = DriverCudaDevice.open(0)) {
            DeviceInfo i = gpu.info();
            String cublas;
            try (CublasHandle h = CublasHandle.create(gpu)) {
                cublas = h.version();
            } catch (RuntimeException e) {
                cublas = "unavailable (" + e.getMessage() + "): the cublas benchmarks will fail";
            }
            System.out.printf("GPU 0: %s, compute capability %s, %d SMs, %.1f GiB, driver API %d, %s binding, cuBLAS %s%n", i.name(),
                    i.computeCapability(), i.multiprocessors(), i.totalMemory() / (double) (1L << 30),
                    gpu.driverVersion(), CudaDevices.binding(), cublas);
        }
        String[] jmh = args;
        if (args.length == 0 || args[0].startsWith("-")) { // no benchmark pattern first: all GPU benchmarks
            jmh = new String[args.length + 1];
            jmh[0] = ALL;
            System.arraycopy(args, 0, jmh, 1, args.length);
        }
        org.openjdk.jmh.Main.main(jmh);
    }
}
