package org.ddrl.tensor.cpu;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;

import java.lang.foreign.MemorySegment;
import java.util.Map;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import org.ddrl.kernels.cpu.Parallel;
import org.ddrl.kernels.cpu.SpecialMath;
import org.ddrl.kernels.cpu.VectorMath;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.FusedGrads;
import org.ddrl.tensor.Kernel;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Tensor;

/**
 * bias_gelu and bias_gelu_backward over x [*, C] as rows of C: the bias add and the activation (or its
 * gradient) in one pass over the GEMM output instead of an add pass and a gelu pass. The F32 forward
 * takes the same steps as the composite add then gelu (UnaryF32's formulas), so it gives the composite's
 * bits; the gradient is GELU_BACKWARD's math (ActivationBackwardKernels) at x + bias. Grad bias sums the
 * rows in float per block of {@link #BLOCK_ROWS} and the blocks in order in double: the same bits on any
 * number of threads. The last partial vector of a row runs masked through the same functions (the same
 * bits as a full one). F32, BF16 and F16 compute in F32, F64 in double.
 */
final class BiasGeluKernels {
    private BiasGeluKernels() {}

    static final int BLOCK_ROWS = 32;
    private static final long GRAIN = 1 << 15;

    private static final float INV_SQRT2 = (float) (1 / Math.sqrt(2));
    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2 / Math.PI);
    private static final double SQRT_2_OVER_PI_D = Math.sqrt(2 / Math.PI);
    private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
    private static final double K1 = SQRT_2_OVER_PI_D * 0.044715, K3 = 3 * SQRT_2_OVER_PI_D * 0.044715;

    static void register(Map<Op, Kernel> k) {
        k.put(Op.BIAS_GELU, (a, in) -> forward(a, in[0], in[1]));
        k.put(Op.BIAS_GELU_BACKWARD, (a, in) -> backward(a, in[0], in[1], in[2]));
    }

    /** A [C] bias in the compute dtype, read in place when dense. */
    private static Tensor bias(Tensor b, DType cdt) {
        return b.dtype() == cdt && (b.size(0) <= 1 || b.strides()[0] == 1) ? b : CpuTensors.dense(b, cdt, b.shape());
    }

    private static Tensor forward(Attrs a, Tensor x, Tensor b) {
        boolean tanh = FusedGrads.checkBiasGelu(Op.BIAS_GELU, a, null, x, b);
        Tensor out = CpuTensors.empty(x.dtype(), x.shape());
        int c = x.size(-1);
        if (out.numel() == 0) return out;
        DType cdt = ReductionKernels.floatCompute(x.dtype());
        Tensor xd = ReductionKernels.contiguousIn(x, cdt), bd = bias(b, cdt);
        Tensor dst = out.dtype() == cdt ? out : CpuTensors.empty(cdt, x.shape());
        MemorySegment xs = CpuTensors.seg(xd), bs = CpuTensors.seg(bd), ys = CpuTensors.seg(dst);
        long xo = xd.offset(), bo = bd.offset();
        boolean f32 = cdt == DType.F32;
        Parallel.forRange(out.numel() / c, Math.max(1, GRAIN / c), (lo, hi) -> {
            for (long r = lo; r < hi; r++) {
                long off = r * c;
                if (f32) forwardRowF32(tanh, xs, xo + off, bs, bo, ys, off, c);
                else {
                    for (int j = 0; j < c; j++) {
                        double h = xs.getAtIndex(JAVA_DOUBLE, xo + off + j) + bs.getAtIndex(JAVA_DOUBLE, bo + j);
                        ys.setAtIndex(JAVA_DOUBLE, off + j, tanh ? geluTanh(h) : ElementwiseMath.gelu(h));
                    }
                }
            }
        });
        if (dst != out) CpuTensors.copyCast(dst, out);
        return out;
    }

    private static void forwardRowF32(boolean tanh, MemorySegment x, long xo, MemorySegment b, long bo, MemorySegment y, long yo, int n) {
        int i = 0;
        for (int e = ReduceF32.S.loopBound(n); i < e; i += ReduceF32.L) {
            FloatVector h = ReduceF32.load(x, xo + i).add(ReduceF32.load(b, bo + i));
            (tanh ? geluTanh(h) : geluErf(h)).intoMemorySegment(y, (yo + i) * 4, ReduceF32.NATIVE);
        }
        if (i < n) {
            VectorMask<Float> m = ReduceF32.S.indexInRange(i, n);
            FloatVector h = ld(x, xo + i, m).add(ld(b, bo + i, m));
            (tanh ? geluTanh(h) : geluErf(h)).intoMemorySegment(y, (yo + i) * 4, ReduceF32.NATIVE, m);
        }
    }

    private static FloatVector ld(MemorySegment s, long off, VectorMask<Float> m) {
        return FloatVector.fromMemorySegment(ReduceF32.S, s, off * 4, ReduceF32.NATIVE, m);
    }

    /** UnaryF32's exact GELU: x Phi(x), Phi from erfc of |x| / sqrt 2. */
    private static FloatVector geluErf(FloatVector x) {
        FloatVector halfErfc = UnaryF32.erfcNonNegative(x.abs().mul(INV_SQRT2)).mul(0.5f);
        FloatVector phi = halfErfc.neg().add(1f).blend(halfErfc, x.compare(VectorOperators.LT, 0f));
        return x.mul(phi);
    }

    /** UnaryF32's tanh GELU, x / (1 + exp(-2u)). */
    private static FloatVector geluTanh(FloatVector x) {
        FloatVector u = x.mul(x).mul(0.044715f).add(1f).mul(x).mul(SQRT_2_OVER_PI);
        return x.div(VectorMath.exp(u.mul(-2f)).add(1f));
    }

    private static double geluTanh(double x) {
        double u = (x * x * 0.044715 + 1) * x * SQRT_2_OVER_PI_D;
        return x / (VectorMath.exp(-2 * u) + 1);
    }

    /** inputs: gradOut, x, bias. Grad x = g gelu'(x + b), grad bias its sum over rows. */
    private static Tensor backward(Attrs a, Tensor g, Tensor x, Tensor b) {
        boolean tanh = FusedGrads.checkBiasGelu(Op.BIAS_GELU_BACKWARD, a, g, x, b);
        int[] mask = FusedGrads.mask("bias_gelu_backward", a, 2, "input, bias");
        int c = x.size(-1);
        long nx = x.numel();
        int total = Math.toIntExact(mask[0] * nx + mask[1] * (long) c);
        if (nx == 0) return CpuTensors.zeros(x.dtype(), total);
        Tensor packed = CpuTensors.empty(x.dtype(), total);
        DType cdt = ReductionKernels.floatCompute(x.dtype());
        boolean f32 = cdt == DType.F32;
        Tensor gd = ReductionKernels.contiguousIn(g, cdt), xd = ReductionKernels.contiguousIn(x, cdt), bd = bias(b, cdt);
        // grad x is needed for grad bias even when not asked for: then it goes to a temporary
        Tensor gx = mask[0] == 1 && x.dtype() == cdt ? packed.narrow(0, 0, (int) nx) : CpuTensors.empty(cdt, (int) nx);
        MemorySegment gs = CpuTensors.seg(gd), xs = CpuTensors.seg(xd), bs = CpuTensors.seg(bd), ys = CpuTensors.seg(gx);
        long go = gd.offset(), xo = xd.offset(), bo = bd.offset();
        long rows = nx / c;
        int blocks = Math.toIntExact((rows + BLOCK_ROWS - 1) / BLOCK_ROWS);
        boolean sums = mask[1] == 1;
        float[] pf = sums && f32 ? new float[Math.multiplyExact(blocks, c)] : null;
        double[] pd = sums && !f32 ? new double[Math.multiplyExact(blocks, c)] : null;
        Parallel.forRange(blocks, Math.max(1, GRAIN / ((long) BLOCK_ROWS * c)), (lo, hi) -> {
            for (long blk = lo; blk < hi; blk++) {
                long r1 = Math.min(rows, (blk + 1) * BLOCK_ROWS);
                int po = (int) blk * c;
                for (long r = blk * BLOCK_ROWS; r < r1; r++) {
                    long off = r * c;
                    if (f32) backwardRowF32(tanh, gs, go + off, xs, xo + off, bs, bo, ys, off, c, pf, po);
                    else backwardRowF64(tanh, gs, go + off, xs, xo + off, bs, bo, ys, off, c, pd, po);
                }
            }
        });
        if (mask[0] == 1 && gx.dtype() != x.dtype()) CpuTensors.copyCast(gx, packed.narrow(0, 0, (int) nx));
        if (sums) {
            MemorySegment out = CpuTensors.seg(packed);
            long at = mask[0] * nx;
            for (int j = 0; j < c; j++) {
                double acc = 0;
                for (int blk = 0; blk < blocks; blk++) acc += f32 ? pf[blk * c + j] : pd[blk * c + j];
                Elements.setD(out, x.dtype(), at + j, acc);
            }
        }
        return packed;
    }

    private static void backwardRowF32(boolean tanh, MemorySegment g, long go, MemorySegment x, long xo, MemorySegment b, long bo,
                                       MemorySegment y, long yo, int n, float[] p, int po) {
        int i = 0;
        for (int e = ReduceF32.S.loopBound(n); i < e; i += ReduceF32.L) {
            FloatVector h = ReduceF32.load(x, xo + i).add(ReduceF32.load(b, bo + i));
            FloatVector gx = ReduceF32.load(g, go + i).mul(derivative(tanh, h));
            gx.intoMemorySegment(y, (yo + i) * 4, ReduceF32.NATIVE);
            if (p != null) gx.add(FloatVector.fromArray(ReduceF32.S, p, po + i)).intoArray(p, po + i);
        }
        if (i < n) {
            VectorMask<Float> m = ReduceF32.S.indexInRange(i, n);
            FloatVector h = ld(x, xo + i, m).add(ld(b, bo + i, m));
            FloatVector gx = ld(g, go + i, m).mul(derivative(tanh, h));
            gx.intoMemorySegment(y, (yo + i) * 4, ReduceF32.NATIVE, m);
            if (p != null) gx.add(FloatVector.fromArray(ReduceF32.S, p, po + i, m)).intoArray(p, po + i, m);
        }
    }

    private static FloatVector derivative(boolean tanh, FloatVector h) {
        return tanh ? ActivationBackwardKernels.geluTanhDerivative(h) : ActivationBackwardKernels.geluDerivative(h);
    }

    private static void backwardRowF64(boolean tanh, MemorySegment g, long go, MemorySegment x, long xo, MemorySegment b, long bo,
                                       MemorySegment y, long yo, int n, double[] p, int po) {
        for (int j = 0; j < n; j++) {
            double h = x.getAtIndex(JAVA_DOUBLE, xo + j) + b.getAtIndex(JAVA_DOUBLE, bo + j);
            double gx = g.getAtIndex(JAVA_DOUBLE, go + j) * (tanh ? geluTanhDerivative(h) : geluDerivative(h));
            y.setAtIndex(JAVA_DOUBLE, yo + j, gx);
            if (p != null) p[po + j] += gx;
        }
    }

    /** As ActivationBackwardKernels' F64 GELU gradient: Phi(x) + x phi(x), Phi from erfc of |x| / sqrt 2. */
    private static double geluDerivative(double v) {
        double halfErfc = 0.5 * SpecialMath.erfc(Math.abs(v) * INV_SQRT2_D);
        double cdf = v < 0 ? halfErfc : 1 - halfErfc;
        return cdf + v * VectorMath.exp(-0.5 * v * v) * INV_SQRT_2PI;
    }

    private static final double INV_SQRT2_D = 1 / Math.sqrt(2);

    /** As ActivationBackwardKernels' tanh-form gradient: s + 2 x s (1 - s) u' with one exp and no overflow. */
    private static double geluTanhDerivative(double x) {
        double x2 = x * x;
        double u = Math.fma(x2, K1, SQRT_2_OVER_PI_D) * x, du = Math.fma(x2, K3, SQRT_2_OVER_PI_D);
        double e = VectorMath.exp(Math.abs(u) * -2), r = 1 / (e + 1);
        double s = u < 0 ? e * r : r;
        return Math.fma(x * 2 * du, e * r * r, s);
    }
}
