package org.ddrl.autodiff.optim;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.ddrl.kernels.cpu.Parallel;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.cpu.CpuTensors;

/**
 * One-pass updates for dense F32/F64 CPU tensors. They do the arithmetic of the tensor-op formulation
 * in {@link SGD}, {@link AdamW} and {@link Ema} in the same order and precision (each operation rounded
 * to the dtype, scalars rounded to it first, no fused multiply-add), so both paths give the same bits;
 * they only save the dozen temporaries and passes over memory that the ops cost per parameter. Other
 * devices, dtypes and layouts take the op path.
 */
final class CpuFused {
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final long GRAIN = 1 << 15;

    private CpuFused() {}

    /** True when every tensor given (nulls are skipped) is a dense CPU tensor of the first one's dtype, F32 or F64. */
    static boolean applies(Tensor... ts) {
        DType dt = ts[0].dtype();
        if (dt != DType.F32 && dt != DType.F64) return false;
        for (Tensor t : ts) {
            if (t != null && (t.dtype() != dt || !t.device().equals(Device.CPU) || !t.isContiguous())) return false;
        }
        return true;
    }

    /** A dense tensor's memory and its first element's byte offset. */
    private record Buf(MemorySegment seg, long base) {
        static Buf of(Tensor t, String op) {
            if (t == null) return null;
            t.storage().checkLive(op);
            return new Buf(CpuTensors.seg(t), t.offset() * t.dtype().byteSize());
        }

        /** For tensors the kernel writes: autodiff must see the in-place change, as after an assign op. */
        static Buf written(Tensor t, String op) {
            Buf b = of(t, op);
            if (t != null) t.storage().bumpVersion();
            return b;
        }

        float f(long i) {
            return seg.get(ValueLayout.JAVA_FLOAT_UNALIGNED, base + 4 * i);
        }

        void f(long i, float x) {
            seg.set(ValueLayout.JAVA_FLOAT_UNALIGNED, base + 4 * i, x);
        }

        double d(long i) {
            return seg.get(ValueLayout.JAVA_DOUBLE_UNALIGNED, base + 8 * i);
        }

        void d(long i, double x) {
            seg.set(ValueLayout.JAVA_DOUBLE_UNALIGNED, base + 8 * i, x);
        }

        FloatVector fv(long i) {
            return FloatVector.fromMemorySegment(FS, seg, base + 4 * i, NATIVE);
        }

        DoubleVector dv(long i) {
            return DoubleVector.fromMemorySegment(DS, seg, base + 8 * i, NATIVE);
        }
    }

    // ------------------------------------------------------------------ SGD

    /** SGD's rule; {@code buf} is null without momentum, and is overwritten with d when {@code first}. */
    static void sgd(Tensor param, Tensor grad, Tensor buf, boolean first, double lr, double momentum, double dampening, double wd,
            boolean nesterov) {
        Buf p = Buf.written(param, "SGD.step"), g = Buf.of(grad, "SGD.step"), b = Buf.written(buf, "SGD.step");
        if (param.dtype() == DType.F32) {
            float clr = (float) lr, cm = (float) momentum, cdamp = (float) (1 - dampening), cwd = (float) wd;
            Parallel.forRange(param.numel(), GRAIN, (lo, hi) -> {
                long i = lo;
                for (int n = FS.length(); i + n <= hi; i += n) {
                    FloatVector pv = p.fv(i), d = g.fv(i);
                    if (wd != 0) d = d.add(pv.mul(cwd));
                    if (b != null) {
                        FloatVector bv = first ? d : b.fv(i).mul(cm).add(d.mul(cdamp));
                        bv.intoMemorySegment(b.seg, b.base + 4 * i, NATIVE);
                        d = nesterov ? d.add(bv.mul(cm)) : bv;
                    }
                    pv.sub(d.mul(clr)).intoMemorySegment(p.seg, p.base + 4 * i, NATIVE);
                }
                for (; i < hi; i++) {
                    float pv = p.f(i), d = g.f(i);
                    if (wd != 0) d = d + pv * cwd;
                    if (b != null) {
                        float bv = first ? d : b.f(i) * cm + d * cdamp;
                        b.f(i, bv);
                        d = nesterov ? d + bv * cm : bv;
                    }
                    p.f(i, pv - d * clr);
                }
            });
        } else {
            double cdamp = 1 - dampening;
            Parallel.forRange(param.numel(), GRAIN, (lo, hi) -> {
                long i = lo;
                for (int n = DS.length(); i + n <= hi; i += n) {
                    DoubleVector pv = p.dv(i), d = g.dv(i);
                    if (wd != 0) d = d.add(pv.mul(wd));
                    if (b != null) {
                        DoubleVector bv = first ? d : b.dv(i).mul(momentum).add(d.mul(cdamp));
                        bv.intoMemorySegment(b.seg, b.base + 8 * i, NATIVE);
                        d = nesterov ? d.add(bv.mul(momentum)) : bv;
                    }
                    pv.sub(d.mul(lr)).intoMemorySegment(p.seg, p.base + 8 * i, NATIVE);
                }
                for (; i < hi; i++) {
                    double pv = p.d(i), d = g.d(i);
                    if (wd != 0) d = d + pv * wd;
                    if (b != null) {
                        double bv = first ? d : b.d(i) * momentum + d * cdamp;
                        b.d(i, bv);
                        d = nesterov ? d + bv * momentum : bv;
                    }
                    p.d(i, pv - d * lr);
                }
            });
        }
    }

    // ------------------------------------------------------------------ AdamW

    /** AdamW's rule; {@code vmax} is null without amsgrad. */
    static void adamw(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, Tensor vmax, double lr, double wd, double beta1,
            double beta2, double eps, double stepSize, double bc2Sqrt) {
        String op = "AdamW.step";
        Buf p = Buf.written(param, op), g = Buf.of(grad, op), m = Buf.written(expAvg, op), v = Buf.written(expAvgSq, op);
        Buf x = Buf.written(vmax, op);
        double decay = 1 - lr * wd;
        if (param.dtype() == DType.F32) {
            float cdec = (float) decay, cb1 = (float) beta1, c1b1 = (float) (1 - beta1), cb2 = (float) beta2, c1b2 = (float) (1 - beta2);
            float ceps = (float) eps, cstep = (float) stepSize, cbc = (float) bc2Sqrt;
            Parallel.forRange(param.numel(), GRAIN, (lo, hi) -> {
                long i = lo;
                for (int n = FS.length(); i + n <= hi; i += n) {
                    FloatVector gv = g.fv(i), pv = p.fv(i);
                    if (wd != 0) pv = pv.mul(cdec);
                    FloatVector mv = m.fv(i).mul(cb1).add(gv.mul(c1b1));
                    FloatVector vv = v.fv(i).mul(cb2).add(gv.mul(gv).mul(c1b2));
                    mv.intoMemorySegment(m.seg, m.base + 4 * i, NATIVE);
                    vv.intoMemorySegment(v.seg, v.base + 4 * i, NATIVE);
                    if (x != null) {
                        vv = x.fv(i).max(vv);
                        vv.intoMemorySegment(x.seg, x.base + 4 * i, NATIVE);
                    }
                    FloatVector denom = vv.sqrt().div(cbc).add(ceps);
                    pv.sub(mv.div(denom).mul(cstep)).intoMemorySegment(p.seg, p.base + 4 * i, NATIVE);
                }
                for (; i < hi; i++) {
                    float gv = g.f(i), pv = p.f(i);
                    if (wd != 0) pv = pv * cdec;
                    float mv = m.f(i) * cb1 + gv * c1b1;
                    float vv = v.f(i) * cb2 + gv * gv * c1b2;
                    m.f(i, mv);
                    v.f(i, vv);
                    if (x != null) {
                        vv = Math.max(x.f(i), vv);
                        x.f(i, vv);
                    }
                    float denom = (float) Math.sqrt(vv) / cbc + ceps;
                    p.f(i, pv - mv / denom * cstep);
                }
            });
        } else {
            double c1b1 = 1 - beta1, c1b2 = 1 - beta2;
            Parallel.forRange(param.numel(), GRAIN, (lo, hi) -> {
                long i = lo;
                for (int n = DS.length(); i + n <= hi; i += n) {
                    DoubleVector gv = g.dv(i), pv = p.dv(i);
                    if (wd != 0) pv = pv.mul(decay);
                    DoubleVector mv = m.dv(i).mul(beta1).add(gv.mul(c1b1));
                    DoubleVector vv = v.dv(i).mul(beta2).add(gv.mul(gv).mul(c1b2));
                    mv.intoMemorySegment(m.seg, m.base + 8 * i, NATIVE);
                    vv.intoMemorySegment(v.seg, v.base + 8 * i, NATIVE);
                    if (x != null) {
                        vv = x.dv(i).max(vv);
                        vv.intoMemorySegment(x.seg, x.base + 8 * i, NATIVE);
                    }
                    DoubleVector denom = vv.sqrt().div(bc2Sqrt).add(eps);
                    pv.sub(mv.div(denom).mul(stepSize)).intoMemorySegment(p.seg, p.base + 8 * i, NATIVE);
                }
                for (; i < hi; i++) {
                    double gv = g.d(i), pv = p.d(i);
                    if (wd != 0) pv = pv * decay;
                    double mv = m.d(i) * beta1 + gv * c1b1;
                    double vv = v.d(i) * beta2 + gv * gv * c1b2;
                    m.d(i, mv);
                    v.d(i, vv);
                    if (x != null) {
                        vv = Math.max(x.d(i), vv);
                        x.d(i, vv);
                    }
                    double denom = Math.sqrt(vv) / bc2Sqrt + eps;
                    p.d(i, pv - mv / denom * stepSize);
                }
            });
        }
    }

    // ------------------------------------------------------------------ EMA

    /** avg = beta avg + (1 - beta) param. */
    static void ema(Tensor avg, Tensor param, double beta) {
        Buf a = Buf.written(avg, "Ema.update"), p = Buf.of(param, "Ema.update");
        if (avg.dtype() == DType.F32) {
            float cb = (float) beta, c1b = (float) (1 - beta);
            Parallel.forRange(avg.numel(), GRAIN, (lo, hi) -> {
                long i = lo;
                for (int n = FS.length(); i + n <= hi; i += n) {
                    a.fv(i).mul(cb).add(p.fv(i).mul(c1b)).intoMemorySegment(a.seg, a.base + 4 * i, NATIVE);
                }
                for (; i < hi; i++) a.f(i, a.f(i) * cb + p.f(i) * c1b);
            });
        } else {
            double c1b = 1 - beta;
            Parallel.forRange(avg.numel(), GRAIN, (lo, hi) -> {
                long i = lo;
                for (int n = DS.length(); i + n <= hi; i += n) {
                    a.dv(i).mul(beta).add(p.dv(i).mul(c1b)).intoMemorySegment(a.seg, a.base + 8 * i, NATIVE);
                }
                for (; i < hi; i++) a.d(i, a.d(i) * beta + p.d(i) * c1b);
            });
        }
    }
}
