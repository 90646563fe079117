package org.ddrl.tensor.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Tensor;

/**
 * One operand of an elementwise kernel as its loops see it, run by run ({@link ElementwisePlan.Run}),
 * never as a whole-tensor copy.
 *
 * <p>An input whose run is unit-stride in the loop's dtype is read in place. One whose run stride is 0
 * is handed to the loop as a single value when the loop takes a scalar there (converted to the loop's
 * dtype first if need be), so {@code x + bias} over [N, C] reads the bias row in place and
 * {@code x + y[:, None]} adds a register-held value per row. Anything else (another stride, another
 * dtype) is gathered and converted into this thread's scratch slot k, the same conversion as a cast. The
 * output (k = 0) is written in place when it has the loop's dtype, else into scratch and converted on
 * the way out (half-precision results computed in F32).
 */
final class ElementwiseOperand {
    private final Tensor tensor;
    private final int k;
    private final MemorySegment seg;
    private final DType from;
    /** The dtype the loops read or write. */
    private final DType loop;
    private final long stride;
    private final boolean scalarOk;
    /** Read across its unit-stride dim: the plan's walk gathers it a tile at a time (gatherTile). */
    private final boolean tiled;

    /**
     * Operand k of plan: view t as seen by loops in dtype {@code loop}; {@code scalarOk} when the loop has a
     * variant taking this operand as one value.
     */
    ElementwiseOperand(ElementwisePlan plan, int k, Tensor t, DType loop, boolean scalarOk) {
        this.tensor = t;
        this.k = k;
        this.seg = CpuTensors.seg(t);
        this.from = t.dtype();
        this.loop = loop;
        this.stride = plan.innerStride(k);
        this.scalarOk = scalarOk;
        this.tiled = plan.readsAcross(k);
    }

    boolean tiled() {
        return tiled;
    }

    /** Bytes per element of the loop's dtype. */
    int loopBytes() {
        return loop.byteSize();
    }

    /**
     * Gathers a tile of this input into scratch slot k: {@code rows} runs of n elements starting at
     * {@code start[k]}, one row further along the unit-stride dim each, stored row after row (n apart).
     * The source is read along its unit-stride dim, rows elements at a time.
     */
    void gatherTile(ElementwisePlan.Run r, long[] start, int rows, int n) {
        long at = start[k];
        MemorySegment s = r.scratch;
        int es = loop.byteSize();
        long slot = ElementwisePlan.slot(k, es);
        if (from == loop) {
            // a transpose of the rows x n block: in-register blocks where the machine has them
            TiledTranspose.blocks(seg, at, stride, s, slot, n, rows, n, es);
        } else {
            for (int j = 0; j < n; j++) CastRow.cast(seg, from, at + j * stride, 1, s, loop, slot + j, n, rows);
        }
    }

    /** Whether this input can come to the loops as one value per run: constant along the run, and the loop takes a scalar. */
    boolean scalarRuns() {
        return scalarOk && stride == 0;
    }

    /** Whether runs are read or written in place (no scratch), as a scalar or as a dense run. */
    boolean inPlace(boolean scalar) {
        return from == loop && (scalar ? stride == 0 : stride == 1);
    }

    /** Sets where the loops read this input in run r; {@code scalar} as decided by the kernel (see {@link #scalarRuns}). */
    void load(ElementwisePlan.Run r, boolean scalar) {
        if (tiled) {
            // gathered with the whole tile already
            r.scalar[k] = false;
            r.seg[k] = r.scratch;
            r.pos[k] = ElementwisePlan.slot(k, loop.byteSize()) + (long) r.tileRow * r.n;
            return;
        }
        long at = r.at[k];
        int n = scalar ? 1 : r.n;
        r.scalar[k] = scalar;
        if (from == loop && (stride == 1 || scalar || n == 1)) {
            r.seg[k] = seg;
            r.pos[k] = at;
            return;
        }
        int es = loop.byteSize();
        long slot = ElementwisePlan.slot(k, es);
        MemorySegment s = r.scratch;
        if (from != loop) {
            CastRow.cast(seg, from, at, stride, s, loop, slot, 1, n);
        } else if (stride == 0) {
            Fill.run(s, slot, n, 1, es, Fill.bits(seg, at, es));
        } else {
            CpuTensors.copyStrided(seg, at, stride, s, slot, 1, n, es);
        }
        r.seg[k] = s;
        r.pos[k] = slot;
    }

    /** Sets where the loops write run r: the output itself, or scratch when the loop's dtype differs. */
    void target(ElementwisePlan.Run r) {
        r.scalar[k] = false;
        if (from == loop) {
            r.seg[k] = seg;
            r.pos[k] = r.at[k];
        } else {
            r.seg[k] = r.scratch;
            r.pos[k] = ElementwisePlan.slot(k, loop.byteSize());
        }
    }

    /** Converts run r's results from scratch into the output (nothing to do when they were written in place). */
    void store(ElementwisePlan.Run r) {
        if (from != loop) CastRow.cast(r.scratch, loop, r.pos[k], 1, seg, from, r.at[k], 1, r.n);
    }

    /** Keeps the tensor, and so its memory, reachable until the kernel has finished with it. */
    void done() {
        Reference.reachabilityFence(tensor);
    }
}
