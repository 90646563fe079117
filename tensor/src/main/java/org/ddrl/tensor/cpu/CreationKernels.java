package org.ddrl.tensor.cpu;

import java.lang.foreign.MemorySegment;
import java.util.Map;
import org.ddrl.kernels.cpu.Parallel;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Kernel;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Tensor;

/** full, arange, linspace, eye. */
final class CreationKernels {
    private CreationKernels() {}

    static void register(Map<Op, Kernel> k) {
        k.put(Op.FULL, CreationKernels::full);
        k.put(Op.ARANGE, CreationKernels::arange);
        k.put(Op.LINSPACE, CreationKernels::linspace);
        k.put(Op.EYE, CreationKernels::eye);
    }

    private static Tensor full(Attrs a, Tensor... in) {
        DType dt = a.dtype("dtype");
        double v = a.d("value");
        // +0 only: -0 has a sign bit to write, as in PyTorch's full
        if (Double.doubleToRawLongBits(v) == 0) return CpuTensors.zeros(dt, a.ints("shape"));
        Tensor out = CpuTensors.empty(dt, a.ints("shape"));
        MemorySegment s = CpuTensors.seg(out);
        long n = out.numel();
        if (n == 0) return out;
        // convert the value once into the first element, then replicate its raw bits
        Elements.setD(s, dt, 0, v);
        int es = dt.byteSize();
        Fill.run(s, 1, n - 1, 1, es, Fill.bits(s, 0, es));
        return out;
    }

    private static Tensor arange(Attrs a, Tensor... in) {
        DType dt = a.dtype("dtype");
        int n = a.i("n");
        double start = a.d("start"), step = a.d("step");
        Tensor out = CpuTensors.empty(dt, n);
        MemorySegment s = CpuTensors.seg(out);
        boolean exact = !dt.isFloatingPoint() && start == Math.rint(start) && step == Math.rint(step);
        Parallel.forRange(n, 65536, (lo, hi) -> {
            for (long i = lo; i < hi; i++) {
                if (exact) Elements.setL(s, dt, i, (long) start + i * (long) step);
                else Elements.setD(s, dt, i, start + i * step);
            }
        });
        return out;
    }

    private static Tensor linspace(Attrs a, Tensor... in) {
        DType dt = a.dtype("dtype");
        int n = a.i("n");
        double start = a.d("start"), end = a.d("end");
        Tensor out = CpuTensors.empty(dt, n);
        MemorySegment s = CpuTensors.seg(out);
        double step = n > 1 ? (end - start) / (n - 1) : 0;
        // fill symmetric from both ends, as PyTorch does, so the last value is exactly end
        for (int i = 0; i < n; i++) Elements.setD(s, dt, i, i < n / 2 ? start + i * step : end - (n - 1 - i) * step);
        return out;
    }

    private static Tensor eye(Attrs a, Tensor... in) {
        DType dt = a.dtype("dtype");
        int n = a.i("n"), m = a.i("m");
        Tensor out = CpuTensors.zeros(dt, n, m); // only the diagonal is written
        MemorySegment s = CpuTensors.seg(out);
        for (int i = 0; i < Math.min(n, m); i++) Elements.setD(s, dt, (long) i * m + i, 1);
        return out;
    }
}
