package org.ddrl.tensor.cpu;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Map;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.ddrl.kernels.cpu.Gemm;
import org.ddrl.kernels.cpu.HostMemory;
import org.ddrl.kernels.cpu.LaneSums;
import org.ddrl.kernels.cpu.Parallel;
import org.ddrl.tensor.AttentionGrads;
import org.ddrl.tensor.AttentionShape;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Kernel;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;

/**
 * The fused gradient of scaled dot-product attention (SDPA_BACKWARD), flash style: for each batch entry
 * and block of query rows, the attention weights P of the block are recomputed exactly as the forward
 * computes them (a GEMM for the scores, then {@link AttentionSoftmax}), then, with five GEMMs in all,
 * dP = dO v^T, D = rowsum(P * dP), dS = P * (dP - D), dq_blk = scale dS k, dk += scale dS^T q_blk and
 * dv += P^T dO_blk. Memory per thread is two [block, tk] buffers, never [tq, tk]; causal blocks stop at
 * their last visible key, as in the forward.
 *
 * <p>A block holds whole rows of P, so D comes from the weights themselves rather than from the forward's
 * output: then sum_j dS_ij vanishes to rounding, and exactly for a row that sees a single key (P = 1,
 * D = dP). That matters for parameters whose true gradient is zero, like the key projection's bias:
 * rounding noise there would be blown up to full-size steps by Adam.
 *
 * <p>Determinism: dk and dv sum over every query block of a batch entry. The blocks of an entry are split
 * into a number of groups that depends on the shapes only (enough groups for about {@link #TARGET_TASKS}
 * tasks in all), each group sums its blocks in order into its own buffer, and the groups are added in
 * order at the end. So the kernel adds no dependence on the thread count or the run of its own: its bits
 * are as reproducible as the weights {@link AttentionSoftmax} recomputes.
 *
 * <p>A query row whose keys are all masked (its forward output is NaN) gets weights 0 instead: its dq is
 * 0 and it adds nothing to dk and dv. BF16 and F16 are computed in F32 and rounded once.
 */
final class AttentionBackwardKernels {
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    /** Query rows per block: the GEMMs run well from about 32 rows, and the two score buffers stay in L2. */
    private static final int BLOCK_ROWS = 64;
    /** Largest score buffer, in elements, for very long key sequences (fewer rows per block then). */
    private static final long MAX_SCORE_ELEMENTS = 1L << 19;
    /**
     * Tasks the work is cut into when there are few batch entries. A constant, not the thread count: the
     * grouping fixes the summation order of dk and dv, which must not change with the pool size.
     */
    private static final int TARGET_TASKS = 16;
    /** Multiply-adds per task below which handing work to another thread costs more than it saves. */
    private static final long GRAIN_FLOPS = 1L << 18;

    private AttentionBackwardKernels() {}

    static void register(Map<Op, Kernel> k) {
        k.put(Op.SDPA_BACKWARD, AttentionBackwardKernels::sdpaBackward);
    }

    /**
     * Everything one call's tasks share. res is the packed result in the compute type (dq, then dk from
     * dkBase, then dv from dvBase); partial holds the dk/dv sums of groups 1.. (group 0 sums into res).
     */
    private record Plan(AttentionShape sh, boolean f64, double scale, boolean causal, AttentionOperand q,
                        AttentionOperand k, AttentionOperand v, AttentionOperand g,
                        AttentionSoftmax.Mask maskKind, AttentionOperand mask, MemorySegment res, long dkBase, long dvBase,
                        int blockRows, int blocks, int groups, int blocksPerGroup, MemorySegment partial) {

        /** Elements of one group's dk and dv sums for one batch entry. */
        long partialSize() {
            return (long) sh.tk() * (sh.e() + sh.ev());
        }
    }

    private static Tensor sdpaBackward(Attrs a, Tensor... in) {
        Tensor q = in[0], k = in[1], v = in[2], gradOut = in[3], mask = in.length > 4 ? in[4] : null;
        AttentionShape sh;
        try {
            sh = AttentionShape.of(q, k, v, mask);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("sdpa_backward: " + e.getMessage(), e);
        }
        checkLikeOutput("gradOut", gradOut, q, sh);
        double scale = a.d("scale");
        if (Double.isNaN(scale)) scale = 1 / Math.sqrt(sh.e());
        long total = AttentionGrads.packedLength(sh.batch(), sh.tq(), sh.tk(), sh.e(), sh.ev());
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("sdpa_backward: the gradients of query " + CpuTensors.desc(q) + ", key "
                    + CpuTensors.desc(k) + " and value " + CpuTensors.desc(v) + " have " + total + " elements, more than one tensor holds");
        }
        DType dt = q.dtype(), ct = dt.computeType();
        Tensor packed = CpuTensors.empty(dt, (int) total);
        if (total == 0) return packed;
        Tensor res = dt == ct ? packed : CpuTensors.empty(ct, (int) total);
        CpuTensors.seg(res).fill((byte) 0); // rows and keys no block reaches keep gradient 0
        long batches = sh.batchCount();
        if (sh.tq() > 0 && sh.tk() > 0) {
            AttentionSoftmax.Mask kind = mask == null ? AttentionSoftmax.Mask.NONE
                    : mask.dtype() == DType.BOOL ? AttentionSoftmax.Mask.BOOL : AttentionSoftmax.Mask.ADDITIVE;
            int rows = (int) Math.min(Math.min(sh.tq(), BLOCK_ROWS), Math.max(1, MAX_SCORE_ELEMENTS / sh.tk()));
            int blocks = Math.ceilDiv(sh.tq(), rows);
            int groups = (int) Math.min(blocks, Math.max(1, Math.ceilDiv(TARGET_TASKS, batches)));
            int perGroup = Math.ceilDiv(blocks, groups);
            groups = Math.ceilDiv(blocks, perGroup);
            long partialElems = (groups - 1) * batches * sh.tk() * (long) (sh.e() + sh.ev());
            Tensor partial = partialElems == 0 ? null : CpuTensors.empty(ct, Math.toIntExact(partialElems));
            if (partial != null) CpuTensors.seg(partial).fill((byte) 0);
            long nq = batches * sh.tq() * sh.e(), nk = batches * sh.tk() * sh.e();
            Plan plan = new Plan(sh, ct == DType.F64, scale, a.b("causal"),
                    AttentionOperand.of(compute(q, ct), sh.withBatch(sh.tq(), sh.e())),
                    AttentionOperand.of(compute(k, ct), sh.withBatch(sh.tk(), sh.e())),
                    AttentionOperand.of(compute(v, ct), sh.withBatch(sh.tk(), sh.ev())),
                    AttentionOperand.of(compute(gradOut, ct), sh.outShape()),
                    kind, mask == null ? null
                            : AttentionOperand.of(kind == AttentionSoftmax.Mask.BOOL ? mask : compute(mask, ct), sh.scoreShape()),
                    CpuTensors.seg(res), nq, nq + nk, rows, blocks, groups, perGroup,
                    partial == null ? null : CpuTensors.seg(partial));
            run(plan);
            if (groups > 1) reduceGroups(plan);
        }
        if (res != packed) CpuTensors.copyCast(res, packed);
        return packed;
    }

    /** gradOut must have the dtype and shape [batch..., Tq, Ev] of the forward's result for these inputs. */
    private static void checkLikeOutput(String name, Tensor t, Tensor q, AttentionShape sh) {
        if (t.dtype() != q.dtype() || !java.util.Arrays.equals(t.shape(), sh.outShape())) {
            throw new IllegalArgumentException("sdpa_backward: " + name + " must have the forward output's dtype and shape "
                    + q.dtype().name().toLowerCase(java.util.Locale.ROOT) + Shapes.str(sh.outShape()) + ", got " + CpuTensors.desc(t));
        }
    }

    private static Tensor compute(Tensor t, DType ct) {
        return t.dtype() == ct ? t : CpuTensors.dense(t, ct, t.shape());
    }

    private static void run(Plan p) {
        AttentionShape sh = p.sh();
        long tasks = sh.batchCount() * p.groups();
        long work = (long) p.blocksPerGroup() * p.blockRows() * sh.tk() * (3L * sh.e() + 2L * sh.ev());
        int es = p.f64() ? 8 : 4;
        long bufBytes = (long) p.blockRows() * sh.tk() * es;
        Parallel.forRange(tasks, Math.max(1, GRAIN_FLOPS / Math.max(1, work)), (lo, hi) -> {
            HostMemory.Block scratch = ConvScratch.take(2 * bufBytes);
            try {
                MemorySegment prob = scratch.segment().asSlice(0, bufBytes), grad = scratch.segment().asSlice(bufBytes, bufBytes);
                for (long t = lo; t < hi; t++) task(p, (int) (t / p.groups()), (int) (t % p.groups()), prob, grad);
            } finally {
                ConvScratch.release(scratch);
            }
        });
    }

    /** The query blocks of group grp of batch entry b, in order, summing into that group's dk and dv. */
    private static void task(Plan p, int b, int grp, MemorySegment prob, MemorySegment grad) {
        AttentionShape sh = p.sh();
        MemorySegment acc;
        long dkOff, dvOff;
        if (grp == 0) {
            acc = p.res();
            dkOff = p.dkBase() + (long) b * sh.tk() * sh.e();
            dvOff = p.dvBase() + (long) b * sh.tk() * sh.ev();
        } else {
            acc = p.partial();
            dkOff = ((long) (grp - 1) * sh.batchCount() + b) * p.partialSize();
            dvOff = dkOff + (long) sh.tk() * sh.e();
        }
        int first = grp * p.blocksPerGroup(), last = Math.min(p.blocks(), first + p.blocksPerGroup());
        for (int blk = first; blk < last; blk++) block(p, b, blk * p.blockRows(), prob, grad, acc, dkOff, dvOff);
    }

    /** Query rows [i0, i0 + blockRows) of batch entry b: writes their dq, adds to dk and dv at dkOff, dvOff of acc. */
    private static void block(Plan p, int b, int i0, MemorySegment prob, MemorySegment grad, MemorySegment acc, long dkOff, long dvOff) {
        AttentionShape sh = p.sh();
        AttentionOperand q = p.q(), k = p.k(), v = p.v(), g = p.g(), mask = p.mask();
        int rows = Math.min(p.blockRows(), sh.tq() - i0);
        int cols = p.causal() ? Math.min(sh.tk(), i0 + rows) : sh.tk();
        int e = sh.e(), ev = sh.ev();
        long qOff = q.batchOffsets()[b] + i0 * q.rowStride(), kOff = k.batchOffsets()[b], vOff = v.batchOffsets()[b];
        long gOff = g.batchOffsets()[b] + i0 * g.rowStride();
        long dqOff = ((long) b * sh.tq() + i0) * e;
        boolean f64 = p.f64();
        // P = softmax(scale q_blk k^T + mask), exactly as the forward (k^T read through k's strides swapped)
        gemm(f64, rows, cols, e, p.scale(), q.seg(), qOff, q.rowStride(), q.colStride(),
                k.seg(), kOff, k.colStride(), k.rowStride(), 0, prob, 0, cols);
        MemorySegment m = mask == null ? null : mask.seg();
        long mStride = mask == null ? 0 : mask.colStride();
        // dP = dO_blk v^T, into grad
        gemm(f64, rows, cols, ev, 1, g.seg(), gOff, g.rowStride(), g.colStride(),
                v.seg(), vOff, v.colStride(), v.rowStride(), 0, grad, 0, cols);
        for (int r = 0; r < rows; r++) {
            int i = i0 + r;
            int valid = p.causal() ? Math.min(cols, i + 1) : cols;
            long mOff = mask == null ? 0 : mask.batchOffsets()[b] + i * mask.rowStride();
            long row = (long) r * cols;
            if (f64) {
                AttentionSoftmax.rowF64(prob, row, cols, valid, p.maskKind(), m, mOff, mStride);
            } else {
                AttentionSoftmax.rowF32(prob, row, cols, valid, p.maskKind(), m, mOff, mStride);
            }
            boolean dead = isNaN(f64, prob, row) && fullyMasked(p, m, mOff, mStride, valid);
            if (dead) {
                // no weights: the row adds nothing (its dS and P rows are 0, so its dq is 0 too)
                zero(f64, prob, row, cols);
                zero(f64, grad, row, cols);
                continue;
            }
            if (f64) {
                gradRowF64(prob, grad, row, cols);
            } else {
                gradRowF32(prob, grad, row, cols);
            }
        }
        // dq_blk = scale dS k
        gemm(f64, rows, e, cols, p.scale(), grad, 0, cols, 1, k.seg(), kOff, k.rowStride(), k.colStride(), 0, p.res(), dqOff, e);
        // dk[0, cols) += scale dS^T q_blk and dv[0, cols) += P^T dO_blk: the transposes are stride swaps
        gemm(f64, cols, e, rows, p.scale(), grad, 0, 1, cols, q.seg(), qOff, q.rowStride(), q.colStride(), 1, acc, dkOff, e);
        gemm(f64, cols, ev, rows, 1, prob, 0, 1, cols, g.seg(), gOff, g.rowStride(), g.colStride(), 1, acc, dvOff, ev);
    }

    private static void gemm(boolean f64, int m, int n, int kk, double alpha, MemorySegment a, long aOff, long aRs, long aCs,
                             MemorySegment b, long bOff, long bRs, long bCs, double beta, MemorySegment c, long cOff, long ldc) {
        if (f64) {
            Gemm.dgemm(m, n, kk, alpha, a, aOff, aRs, aCs, b, bOff, bRs, bCs, beta, c, cOff, ldc);
        } else {
            Gemm.sgemm(m, n, kk, (float) alpha, a, aOff, aRs, aCs, b, bOff, bRs, bCs, (float) beta, c, cOff, ldc);
        }
    }

    private static boolean isNaN(boolean f64, MemorySegment s, long at) {
        return f64 ? Double.isNaN(s.getAtIndex(JAVA_DOUBLE, at)) : Float.isNaN(s.getAtIndex(JAVA_FLOAT, at));
    }

    /**
     * Whether the mask hides every visible key of a row (the only way a row's weights become NaN besides a
     * NaN input, whose NaN must stay). Only asked after a NaN weight, so the scan costs nothing normally.
     */
    private static boolean fullyMasked(Plan p, MemorySegment m, long mOff, long mStride, int valid) {
        switch (p.maskKind()) {
            case NONE -> {
                return false;
            }
            case BOOL -> {
                for (int j = 0; j < valid; j++) if (m.get(JAVA_BYTE, mOff + j * mStride) != 0) return false;
                return true;
            }
            default -> {
                for (int j = 0; j < valid; j++) {
                    double x = p.f64() ? m.getAtIndex(JAVA_DOUBLE, mOff + j * mStride) : m.getAtIndex(JAVA_FLOAT, mOff + j * mStride);
                    if (x != Double.NEGATIVE_INFINITY) return false;
                }
                return true;
            }
        }
    }

    private static void zero(boolean f64, MemorySegment s, long off, int n) {
        int es = f64 ? 8 : 4;
        s.asSlice(off * es, (long) n * es).fill((byte) 0);
    }

    /** Over one row: D = sum_j prob[j] * grad[j], then grad[j] = prob[j] * (grad[j] - D), dS from dP in place. */
    private static void gradRowF32(MemorySegment prob, MemorySegment grad, long off, int n) {
        FloatVector acc = FloatVector.zero(FS);
        int up = FS.loopBound(n), j = 0;
        for (; j < up; j += FS.length()) {
            long at = (off + j) * 4;
            acc = FloatVector.fromMemorySegment(FS, prob, at, NATIVE).fma(FloatVector.fromMemorySegment(FS, grad, at, NATIVE), acc);
        }
        float d = LaneSums.sum(acc);
        for (; j < n; j++) d = Math.fma(prob.getAtIndex(JAVA_FLOAT, off + j), grad.getAtIndex(JAVA_FLOAT, off + j), d);
        FloatVector vd = FloatVector.broadcast(FS, d);
        for (j = 0; j < up; j += FS.length()) {
            long at = (off + j) * 4;
            FloatVector dp = FloatVector.fromMemorySegment(FS, grad, at, NATIVE);
            FloatVector.fromMemorySegment(FS, prob, at, NATIVE).mul(dp.sub(vd)).intoMemorySegment(grad, at, NATIVE);
        }
        for (; j < n; j++) {
            grad.setAtIndex(JAVA_FLOAT, off + j, prob.getAtIndex(JAVA_FLOAT, off + j) * (grad.getAtIndex(JAVA_FLOAT, off + j) - d));
        }
    }

    private static void gradRowF64(MemorySegment prob, MemorySegment grad, long off, int n) {
        DoubleVector acc = DoubleVector.zero(DS);
        int up = DS.loopBound(n), j = 0;
        for (; j < up; j += DS.length()) {
            long at = (off + j) * 8;
            acc = DoubleVector.fromMemorySegment(DS, prob, at, NATIVE).fma(DoubleVector.fromMemorySegment(DS, grad, at, NATIVE), acc);
        }
        double d = LaneSums.sum(acc);
        for (; j < n; j++) d = Math.fma(prob.getAtIndex(JAVA_DOUBLE, off + j), grad.getAtIndex(JAVA_DOUBLE, off + j), d);
        DoubleVector vd = DoubleVector.broadcast(DS, d);
        for (j = 0; j < up; j += DS.length()) {
            long at = (off + j) * 8;
            DoubleVector dp = DoubleVector.fromMemorySegment(DS, grad, at, NATIVE);
            DoubleVector.fromMemorySegment(DS, prob, at, NATIVE).mul(dp.sub(vd)).intoMemorySegment(grad, at, NATIVE);
        }
        for (; j < n; j++) {
            grad.setAtIndex(JAVA_DOUBLE, off + j, prob.getAtIndex(JAVA_DOUBLE, off + j) * (grad.getAtIndex(JAVA_DOUBLE, off + j) - d));
        }
    }

    /** dk and dv of each batch entry += the sums of groups 1, 2, ... in that order, split over keys. */
    private static void reduceGroups(Plan p) {
        AttentionShape sh = p.sh();
        int tk = sh.tk(), e = sh.e(), ev = sh.ev();
        long batches = sh.batchCount();
        Parallel.forRange(batches * tk, Math.max(1, (1L << 14) / Math.max(1, (long) p.groups() * (e + ev))), (lo, hi) -> {
            for (long item = lo; item < hi; item++) {
                long b = item / tk, j = item % tk;
                long dk = p.dkBase() + (b * tk + j) * e, dv = p.dvBase() + (b * tk + j) * ev;
                for (int grp = 1; grp < p.groups(); grp++) {
                    long base = ((grp - 1) * batches + b) * p.partialSize();
                    addInto(p.f64(), p.res(), dk, p.partial(), base + j * e, e);
                    addInto(p.f64(), p.res(), dv, p.partial(), base + (long) tk * e + j * ev, ev);
                }
            }
        });
    }

    /** dst[dOff, dOff + n) += src[sOff, sOff + n) (elements). */
    private static void addInto(boolean f64, MemorySegment dst, long dOff, MemorySegment src, long sOff, int n) {
        int j = 0;
        if (f64) {
            for (int up = DS.loopBound(n); j < up; j += DS.length()) {
                DoubleVector.fromMemorySegment(DS, dst, (dOff + j) * 8, NATIVE).add(DoubleVector.fromMemorySegment(DS, src, (sOff + j) * 8, NATIVE))
                        .intoMemorySegment(dst, (dOff + j) * 8, NATIVE);
            }
            for (; j < n; j++) dst.setAtIndex(JAVA_DOUBLE, dOff + j, dst.getAtIndex(JAVA_DOUBLE, dOff + j) + src.getAtIndex(JAVA_DOUBLE, sOff + j));
        } else {
            for (int up = FS.loopBound(n); j < up; j += FS.length()) {
                FloatVector.fromMemorySegment(FS, dst, (dOff + j) * 4, NATIVE).add(FloatVector.fromMemorySegment(FS, src, (sOff + j) * 4, NATIVE))
                        .intoMemorySegment(dst, (dOff + j) * 4, NATIVE);
            }
            for (; j < n; j++) dst.setAtIndex(JAVA_FLOAT, dOff + j, dst.getAtIndex(JAVA_FLOAT, dOff + j) + src.getAtIndex(JAVA_FLOAT, sOff + j));
        }
    }
}
