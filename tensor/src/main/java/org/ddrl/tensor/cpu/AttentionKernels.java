package org.ddrl.tensor.cpu;

import java.lang.foreign.MemorySegment;
import java.util.Map;
import org.ddrl.kernels.cpu.Gemm;
import org.ddrl.kernels.cpu.HostMemory;
import org.ddrl.kernels.cpu.Parallel;
import org.ddrl.tensor.AttentionShape;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Kernel;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Tensor;

/**
 * Scaled dot-product attention through GEMM with a fused softmax. For each batch entry (batch x heads)
 * and block of query rows: S = scale * q_blk k^T (one GEMM reading k transposed through its strides),
 * one pass per row of S for mask, max, exp and normalization ({@link AttentionSoftmax}), then
 * out_blk = S v (a second GEMM). Memory per thread is one [block, tk] score buffer, never [tq, tk].
 *
 * <p>With causal masking a block of rows i0 .. i1 - 1 sees keys 0 .. i1 - 1 only, so both GEMMs stop at
 * that column, which halves the work. A query row with every key masked gives NaN, the softmax of an all
 * -inf row, as PyTorch's SDPA long did (its newer versions return 0 there instead, through _safe_softmax);
 * with no keys at all (tk = 0) the output is 0, an empty weighted sum.
 *
 * <p>q, k and v of the compute type are read in place whatever their strides (heads split out of a
 * [B, T, H, E] layout, broadcast batch dims); BF16 and F16 are widened to F32 first and the result is
 * rounded once.
 */
final class AttentionKernels {
    /** Query rows per block: enough for the GEMMs to run well, few enough that the score rows stay in cache. */
    private static final int MAX_BLOCK_ROWS = 128;
    /** Fewest rows per block when blocks are split further to give every thread work. */
    private static final int MIN_SPLIT_ROWS = 16;
    /** Largest score buffer per thread, in elements, for very long key sequences. */
    private static final long MAX_SCORE_ELEMENTS = 1L << 20;
    /** Multiply-adds per task below which handing work to another thread costs more than it saves. */
    private static final long GRAIN_FLOPS = 1L << 18;

    private AttentionKernels() {}

    static void register(Map<Op, Kernel> k) {
        k.put(Op.SDPA, AttentionKernels::sdpa);
    }

    /** Everything one call's blocks share. */
    private record Plan(AttentionShape sh, boolean f64, double scale, boolean causal, AttentionOperand q,
                        AttentionOperand k, AttentionOperand v, AttentionSoftmax.Mask maskKind, AttentionOperand mask,
                        MemorySegment out, int blockRows) {}

    private static Tensor sdpa(Attrs a, Tensor... in) {
        Tensor q = in[0], k = in[1], v = in[2], mask = in.length > 3 ? in[3] : null;
        AttentionShape sh = AttentionShape.of(q, k, v, mask);
        double scale = a.d("scale");
        if (Double.isNaN(scale)) scale = 1 / Math.sqrt(sh.e());
        DType dt = q.dtype(), ct = dt.computeType();
        // no keys: the output is zero (an empty weighted sum), as in PyTorch
        Tensor out = sh.tk() == 0 ? CpuTensors.zeros(dt, sh.outShape()) : CpuTensors.empty(dt, sh.outShape());
        if (out.numel() == 0 || sh.tk() == 0) return out;
        Tensor res = dt == ct ? out : CpuTensors.empty(ct, sh.outShape());
        AttentionSoftmax.Mask kind = mask == null ? AttentionSoftmax.Mask.NONE
                : mask.dtype() == DType.BOOL ? AttentionSoftmax.Mask.BOOL : AttentionSoftmax.Mask.ADDITIVE;
        Plan plan = new Plan(sh, ct == DType.F64, scale, a.b("causal"),
                AttentionOperand.of(compute(q, ct), sh.withBatch(sh.tq(), sh.e())),
                AttentionOperand.of(compute(k, ct), sh.withBatch(sh.tk(), sh.e())),
                AttentionOperand.of(compute(v, ct), sh.withBatch(sh.tk(), sh.ev())),
                kind, mask == null ? null
                        : AttentionOperand.of(kind == AttentionSoftmax.Mask.BOOL ? mask : compute(mask, ct), sh.scoreShape()),
                CpuTensors.seg(res), blockRows(sh));
        run(plan);
        if (res != out) CpuTensors.copyCast(res, out);
        return out;
    }

    /** t in the compute type: itself (any strides) when it already is, else a dense converted copy. */
    private static Tensor compute(Tensor t, DType ct) {
        return t.dtype() == ct ? t : CpuTensors.dense(t, ct, t.shape());
    }

    /** Query rows per block: up to MAX_BLOCK_ROWS, fewer when few batch entries would leave threads idle. */
    private static int blockRows(AttentionShape sh) {
        int rows = Math.min(sh.tq(), MAX_BLOCK_ROWS);
        long perBatch = Math.ceilDiv(Parallel.threads(), sh.batchCount());
        if (perBatch > 1) rows = (int) Math.min(rows, Math.max(MIN_SPLIT_ROWS, Math.ceilDiv(sh.tq(), perBatch)));
        rows = (int) Math.min(rows, Math.max(1, MAX_SCORE_ELEMENTS / sh.tk()));
        return Math.max(rows, 1);
    }

    private static void run(Plan p) {
        AttentionShape sh = p.sh();
        int rows = p.blockRows();
        long blocks = Math.ceilDiv(sh.tq(), rows);
        long work = (long) rows * sh.tk() * (sh.e() + sh.ev());
        long scoreBytes = (long) rows * sh.tk() * (p.f64() ? 8 : 4);
        Parallel.forRange(sh.batchCount() * blocks, Math.max(1, GRAIN_FLOPS / Math.max(1, work)), (lo, hi) -> {
            HostMemory.Block scores = ConvScratch.take(scoreBytes);
            try {
                for (long item = lo; item < hi; item++) {
                    block(p, (int) (item / blocks), (int) (item % blocks) * rows, scores.segment());
                }
            } finally {
                ConvScratch.release(scores);
            }
        });
    }

    /** Query rows [i0, i0 + blockRows) of batch entry b, with s as the score buffer. */
    private static void block(Plan p, int b, int i0, MemorySegment s) {
        AttentionShape sh = p.sh();
        AttentionOperand q = p.q(), k = p.k(), v = p.v(), mask = p.mask();
        int rows = Math.min(p.blockRows(), sh.tq() - i0);
        int cols = p.causal() ? Math.min(sh.tk(), i0 + rows) : sh.tk();
        int e = sh.e(), ev = sh.ev();
        long qOff = q.batchOffsets()[b] + i0 * q.rowStride();
        long kOff = k.batchOffsets()[b], vOff = v.batchOffsets()[b];
        long oOff = ((long) b * sh.tq() + i0) * ev;
        // k^T as the B operand: its element (p, j) is k[j, p], so its row stride is k's column stride and vice versa
        if (p.f64()) {
            Gemm.dgemm(rows, cols, e, p.scale(), q.seg(), qOff, q.rowStride(), q.colStride(),
                    k.seg(), kOff, k.colStride(), k.rowStride(), 0, s, 0, cols);
        } else {
            Gemm.sgemm(rows, cols, e, (float) p.scale(), q.seg(), qOff, q.rowStride(), q.colStride(),
                    k.seg(), kOff, k.colStride(), k.rowStride(), 0, s, 0, cols);
        }
        MemorySegment m = mask == null ? null : mask.seg();
        long mStride = mask == null ? 0 : mask.colStride();
        for (int r = 0; r < rows; r++) {
            int i = i0 + r;
            int valid = p.causal() ? Math.min(cols, i + 1) : cols;
            long mOff = mask == null ? 0 : mask.batchOffsets()[b] + i * mask.rowStride();
            if (p.f64()) {
                AttentionSoftmax.rowF64(s, (long) r * cols, cols, valid, p.maskKind(), m, mOff, mStride);
            } else {
                AttentionSoftmax.rowF32(s, (long) r * cols, cols, valid, p.maskKind(), m, mOff, mStride);
            }
        }
        MemorySegment out = p.out();
        if (p.f64()) {
            Gemm.dgemm(rows, ev, cols, 1, s, 0, cols, 1, v.seg(), vOff, v.rowStride(), v.colStride(), 0, out, oOff, ev);
        } else {
            Gemm.sgemm(rows, ev, cols, 1, s, 0, cols, 1, v.seg(), vOff, v.rowStride(), v.colStride(), 0, out, oOff, ev);
        }
    }
}
