package org.ddrl.autodiff.optim;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.ddrl.kernels.cpu.Parallel;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Storage;
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

    /**
     * Gathers the updates of many tensors into one parallel pass while it is open on this thread: an optimizer step
     * of a small model is a hundred tensors of a few thousand values, each below the grain, so updated one by one
     * they all ran on the calling thread. The pieces are element-wise and independent, so who runs which values
     * changes no bit; a piece that writes memory an earlier piece of the batch reads or writes (tied weights) first
     * runs what is gathered, keeping the one-by-one order.
     */
    static final class Batch implements AutoCloseable {
        private static final ThreadLocal<Batch> OPEN = new ThreadLocal<>();
        private final Batch outer;
        private final List<Long> sizes = new ArrayList<>();
        private final List<Parallel.RangeBody> bodies = new ArrayList<>();
        private final Set<Storage> written = Collections.newSetFromMap(new IdentityHashMap<>());
        private final Set<Storage> read = Collections.newSetFromMap(new IdentityHashMap<>());

        private Batch(Batch outer) {
            this.outer = outer;
        }

        /** Opens a batch on this thread; closing it runs what it gathered. */
        static Batch open() {
            Batch b = new Batch(OPEN.get());
            OPEN.set(b);
            return b;
        }

        private void add(long n, Storage[] writes, Storage[] reads, Parallel.RangeBody body) {
            boolean conflict = false;
            for (Storage w : writes) conflict |= written.contains(w) || read.contains(w);
            for (Storage r : reads) conflict |= written.contains(r);
            if (conflict) flush();
            written.addAll(Arrays.asList(writes));
            read.addAll(Arrays.asList(reads));
            sizes.add(n);
            bodies.add(body);
        }

        /** Runs the gathered pieces as one index space [0, sum of sizes), split over the pool. */
        private void flush() {
            int count = bodies.size();
            long[] starts = new long[count + 1];
            for (int i = 0; i < count; i++) starts[i + 1] = starts[i] + sizes.get(i);
            Parallel.RangeBody[] body = bodies.toArray(new Parallel.RangeBody[0]);
            sizes.clear();
            bodies.clear();
            written.clear();
            read.clear();
            Parallel.forRange(starts[count], GRAIN, (lo, hi) -> {
                int i = Arrays.binarySearch(starts, lo);
                if (i < 0) i = -i - 2; // the piece that contains lo
                for (; i < count && starts[i] < hi; i++) {
                    long a = Math.max(lo, starts[i]), b = Math.min(hi, starts[i + 1]);
                    if (a < b) body[i].run(a - starts[i], b - starts[i]);
                }
            });
        }

        @Override
        public void close() {
            if (OPEN.get() != this) throw new IllegalStateException("CpuFused.Batch: closed out of order");
            OPEN.set(outer);
            flush();
        }
    }

    /** Runs an update of n values now, or adds it to this thread's open batch. */
    private static void run(long n, Storage[] writes, Storage[] reads, Parallel.RangeBody body) {
        Batch b = Batch.OPEN.get();
        if (b == null) Parallel.forRange(n, GRAIN, body);
        else b.add(n, writes, reads, body);
    }

    private static Storage[] writes(Tensor... ts) {
        return Arrays.stream(ts).filter(Objects::nonNull).map(Tensor::storage).toArray(Storage[]::new);
    }

    private static Storage[] reads(Tensor... ts) {
        return writes(ts);
    }

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

    // ------------------------------------------------------------------ gradient norm

    /** Values per block of {@link #sumsOfSquares}: the unit whose sum is formed the same way on any thread. */
    private static final int NORM_BLOCK = 4096;
    private static final VectorSpecies<Float> F_HALF = FloatVector.SPECIES_256;
    private static final VectorSpecies<Double> D_WIDE = DoubleVector.SPECIES_512;

    /**
     * The sum of x^2 over each tensor (dense F32 or F64 CPU tensors), accumulated in F64, for clip_grad_norm. All
     * tensors go through one parallel pass over fixed blocks of {@value #NORM_BLOCK} values; each block is summed
     * by eight F64 lanes and the blocks of a tensor are added in order, so the result has the same bits for every
     * thread count.
     */
    static double[] sumsOfSquares(List<Tensor> ts) {
        int count = ts.size();
        long[] firstBlock = new long[count + 1];
        Buf[] bufs = new Buf[count];
        for (int t = 0; t < count; t++) {
            bufs[t] = Buf.of(ts.get(t), "clipGradNorm");
            firstBlock[t + 1] = firstBlock[t] + (ts.get(t).numel() + NORM_BLOCK - 1) / NORM_BLOCK;
        }
        double[] blockSums = new double[Math.toIntExact(firstBlock[count])];
        Parallel.forRange(blockSums.length, 4, (lo, hi) -> {
            int t = Arrays.binarySearch(firstBlock, lo);
            if (t < 0) t = -t - 2;
            for (long blk = lo; blk < hi; blk++) {
                while (blk >= firstBlock[t + 1]) t++;
                long n = ts.get(t).numel(), from = (blk - firstBlock[t]) * NORM_BLOCK, to = Math.min(n, from + NORM_BLOCK);
                boolean f32 = ts.get(t).dtype() == DType.F32;
                blockSums[(int) blk] = f32 ? squaresF32(bufs[t], from, to) : squaresF64(bufs[t], from, to);
            }
        });
        double[] sums = new double[count];
        for (int t = 0; t < count; t++) {
            double s = 0;
            for (long blk = firstBlock[t]; blk < firstBlock[t + 1]; blk++) s += blockSums[(int) blk];
            sums[t] = s;
        }
        return sums;
    }

    private static double squaresF32(Buf x, long from, long to) {
        DoubleVector acc = DoubleVector.zero(D_WIDE);
        long i = from;
        for (int n = F_HALF.length(); i + n <= to; i += n) {
            DoubleVector d = (DoubleVector) FloatVector.fromMemorySegment(F_HALF, x.seg, x.base + 4 * i, NATIVE)
                    .convertShape(VectorOperators.F2D, D_WIDE, 0);
            acc = acc.add(d.mul(d));
        }
        double s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < to; i++) {
            double v = x.f(i);
            s += v * v;
        }
        return s;
    }

    private static double squaresF64(Buf x, long from, long to) {
        DoubleVector acc = DoubleVector.zero(D_WIDE);
        long i = from;
        for (int n = D_WIDE.length(); i + n <= to; i += n) {
            DoubleVector d = DoubleVector.fromMemorySegment(D_WIDE, x.seg, x.base + 8 * i, NATIVE);
            acc = acc.add(d.mul(d));
        }
        double s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < to; i++) {
            double v = x.d(i);
            s += v * v;
        }
        return s;
    }

    /** x *= coef in x's dtype, coef rounded to it first: what {@code x.copyFrom(x.mul(coef))} gives, in one pass. */
    static void scale(Tensor x, double coef) {
        Buf b = Buf.written(x, "clipGradNorm");
        if (x.dtype() == DType.F32) {
            float c = (float) coef;
            run(x.numel(), writes(x), reads(), (lo, hi) -> {
                long i = lo;
                for (int n = FS.length(); i + n <= hi; i += n) b.fv(i).mul(c).intoMemorySegment(b.seg, b.base + 4 * i, NATIVE);
                for (; i < hi; i++) b.f(i, b.f(i) * c);
            });
        } else {
            run(x.numel(), writes(x), reads(), (lo, hi) -> {
                long i = lo;
                for (int n = DS.length(); i + n <= hi; i += n) b.dv(i).mul(coef).intoMemorySegment(b.seg, b.base + 8 * i, NATIVE);
                for (; i < hi; i++) b.d(i, b.d(i) * coef);
            });
        }
    }

    // ------------------------------------------------------------------ SGD

    /** SGD's rule; {@code buf} is null without momentum, and is overwritten with d when {@code first}. */
    static void sgd(Tensor param, Tensor grad, Tensor buf, boolean first, double lr, double momentum, double dampening, double wd,
            boolean nesterov) {
        Buf p = Buf.written(param, "SGD.step"), g = Buf.of(grad, "SGD.step"), b = Buf.written(buf, "SGD.step");
        if (param.dtype() == DType.F32) {
            float clr = (float) lr, cm = (float) momentum, cdamp = (float) (1 - dampening), cwd = (float) wd;
            run(param.numel(), writes(param, buf), reads(grad), (lo, hi) -> {
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
            run(param.numel(), writes(param, buf), reads(grad), (lo, hi) -> {
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
            run(param.numel(), writes(param, expAvg, expAvgSq, vmax), reads(grad), (lo, hi) -> {
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
            run(param.numel(), writes(param, expAvg, expAvgSq, vmax), reads(grad), (lo, hi) -> {
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
            run(avg.numel(), writes(avg), reads(param), (lo, hi) -> {
                long i = lo;
                for (int n = FS.length(); i + n <= hi; i += n) {
                    a.fv(i).mul(cb).add(p.fv(i).mul(c1b)).intoMemorySegment(a.seg, a.base + 4 * i, NATIVE);
                }
                for (; i < hi; i++) a.f(i, a.f(i) * cb + p.f(i) * c1b);
            });
        } else {
            double c1b = 1 - beta;
            run(avg.numel(), writes(avg), reads(param), (lo, hi) -> {
                long i = lo;
                for (int n = DS.length(); i + n <= hi; i += n) {
                    a.dv(i).mul(beta).add(p.dv(i).mul(c1b)).intoMemorySegment(a.seg, a.base + 8 * i, NATIVE);
                }
                for (; i < hi; i++) a.d(i, a.d(i) * beta + p.d(i) * c1b);
            });
        }
    }
}
