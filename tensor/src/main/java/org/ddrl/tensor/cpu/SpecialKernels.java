package org.ddrl.tensor.cpu;

import java.lang.foreign.MemorySegment;
import java.util.Map;
import org.ddrl.kernels.cpu.Parallel;
import org.ddrl.kernels.cpu.SpecialMath;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Kernel;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Tensor;

/** Special functions: erf, computed in double for every floating dtype (integers give F32). */
final class SpecialKernels {
    private SpecialKernels() {}

    static void register(Map<Op, Kernel> k) {
        k.put(Op.ERF, (a, in) -> {
            Tensor x = in[0];
            DType dt = x.dtype().isFloatingPoint() ? x.dtype() : DType.F32;
            Tensor d = CpuTensors.dense(x, dt, x.shape());
            Tensor out = CpuTensors.empty(dt, x.shape());
            MemorySegment s = CpuTensors.seg(d), o = CpuTensors.seg(out);
            Parallel.forRange(out.numel(), 4096, (lo, hi) -> {
                for (long i = lo; i < hi; i++) Elements.setD(o, dt, i, SpecialMath.erf(Elements.getD(s, dt, i)));
            });
            return out;
        });
    }
}
