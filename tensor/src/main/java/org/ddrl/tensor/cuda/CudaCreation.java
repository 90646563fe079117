package org.ddrl.tensor.cuda;

import java.util.Map;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Kernel;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Tensor;

/** full, arange, linspace and eye (creation.cu). Values match the CPU backend's exactly. */
final class CudaCreation {
    private static final String MODULE = "creation";

    private CudaCreation() {}

    static void register(Map<Op, Kernel> k, CudaBackend b) {
        k.put(Op.FULL, (a, in) -> full(b, a));
        k.put(Op.ARANGE, (a, in) -> arange(b, a));
        k.put(Op.LINSPACE, (a, in) -> linspace(b, a));
        k.put(Op.EYE, (a, in) -> eye(b, a));
    }

    private static Tensor full(CudaBackend b, Attrs a) {
        DType dt = a.dtype("dtype");
        double v = a.d("value");
        if (v == 0) return b.zeros(dt, a.ints("shape")); // also for -0.0, as the CPU's zero-filled storage gives +0
        Tensor out = b.empty(dt, a.ints("shape"));
        long n = out.numel();
        if (n > 0) Launch.of(b, MODULE, "ddrl_fill").elements(n).i64(n).ptr(out).i32(ViewDesc.code(dt)).f64(v).run();
        return out;
    }

    private static Tensor arange(CudaBackend b, Attrs a) {
        DType dt = a.dtype("dtype");
        int n = a.i("n");
        double start = a.d("start"), step = a.d("step");
        Tensor out = b.empty(dt, n);
        boolean exact = !dt.isFloatingPoint() && start == Math.rint(start) && step == Math.rint(step);
        if (n > 0) {
            Launch.of(b, MODULE, "ddrl_arange").elements(n).i64(n).ptr(out).i32(ViewDesc.code(dt)).f64(start).f64(step)
                    .i32(exact ? 1 : 0).run();
        }
        return out;
    }

    private static Tensor linspace(CudaBackend b, Attrs a) {
        DType dt = a.dtype("dtype");
        int n = a.i("n");
        double start = a.d("start"), end = a.d("end");
        double step = n > 1 ? (end - start) / (n - 1) : 0;
        Tensor out = b.empty(dt, n);
        if (n > 0) {
            Launch.of(b, MODULE, "ddrl_linspace").elements(n).i64(n).ptr(out).i32(ViewDesc.code(dt)).f64(start).f64(end).f64(step)
                    .run();
        }
        return out;
    }

    private static Tensor eye(CudaBackend b, Attrs a) {
        DType dt = a.dtype("dtype");
        int n = a.i("n"), m = a.i("m");
        Tensor out = b.zeros(dt, n, m);
        int diag = Math.min(n, m);
        if (diag > 0) Launch.of(b, MODULE, "ddrl_eye").elements(diag).i32(n).i32(m).ptr(out).i32(ViewDesc.code(dt)).run();
        return out;
    }
}
