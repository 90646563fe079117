package org.ddrl.tensor.cpu;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.ddrl.kernels.cpu.Parallel;
import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;

/**
 * pad, as torch.nn.functional.pad: {@code pads} holds (before, after) pairs from the last dim backwards;
 * negative pads crop. Modes: "constant" (value, stored to the dtype), "reflect" (mirror without repeating
 * the edge; each pad must be smaller than its dim) and "replicate" (repeat the edge). Unlike PyTorch,
 * reflect and replicate work on any number of trailing dims.
 *
 * <p>Every output coordinate maps to an input coordinate dim by dim (or to the pad value); the kernel
 * walks output rows along the last dim, where the unpadded middle of a row is one run from the input.
 */
final class PadKernels {
    private PadKernels() {}

    /** Marks an output coordinate that holds the constant value. */
    private static final int VALUE = -1;

    static Tensor pad(Attrs a, Tensor... in) {
        Tensor x = in[0];
        int[] pads = a.ints("pads");
        String mode = a.s("mode");
        int[] shape = x.shape();
        int r = shape.length;
        if (!mode.equals("constant") && !mode.equals("reflect") && !mode.equals("replicate")) {
            throw new IllegalArgumentException("pad: mode must be \"constant\", \"reflect\" or \"replicate\", got \"" + mode + "\"");
        }
        if (pads.length % 2 != 0 || pads.length / 2 > r) {
            throw new IllegalArgumentException("pad: pads " + Arrays.toString(pads) + " must hold (before, after) pairs for at most "
                    + r + " dims of a tensor of shape " + Shapes.str(shape));
        }
        int[] before = new int[r], outShape = shape.clone();
        for (int p = 0; p < pads.length / 2; p++) {
            int d = r - 1 - p, lo = pads[2 * p], hi = pads[2 * p + 1];
            long size = (long) shape[d] + lo + hi;
            if (size < 0 || size > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("pad: dim " + d + " of size " + shape[d] + " with pads (" + lo + ", " + hi
                        + ") would have size " + size + " (input shape " + Shapes.str(shape) + ")");
            }
            checkMode(mode, d, shape, lo, hi);
            before[d] = lo;
            outShape[d] = (int) size;
        }
        Tensor out = CpuTensors.empty(x.dtype(), outShape);
        if (out.numel() == 0) return out;
        if (r == 0) {
            IndexingKernels.copyView(x, out);
            return out;
        }
        int[][] maps = new int[r][];
        for (int d = 0; d < r; d++) maps[d] = coordinateMap(mode, shape[d], outShape[d], before[d]);
        fill(x, out, maps, before[r - 1], mode.equals("constant"), a.d("value"));
        return out;
    }

    private static void checkMode(String mode, int d, int[] shape, int lo, int hi) {
        if (mode.equals("reflect") && ((lo > 0 && lo >= shape[d]) || (hi > 0 && hi >= shape[d]))) {
            throw new IllegalArgumentException("pad: reflect pads (" + lo + ", " + hi + ") of dim " + d + " must be smaller than its size "
                    + shape[d] + " (input shape " + Shapes.str(shape) + ")");
        }
        if (mode.equals("replicate") && shape[d] == 0 && (lo > 0 || hi > 0)) {
            throw new IllegalArgumentException("pad: replicate cannot pad dim " + d + " of size 0 (input shape " + Shapes.str(shape) + ")");
        }
    }

    /** For each output coordinate of a dim, the input coordinate it copies, or VALUE. */
    private static int[] coordinateMap(String mode, int size, int outSize, int before) {
        int[] m = new int[outSize];
        for (int o = 0; o < outSize; o++) {
            int s = o - before;
            if (s < 0 || s >= size) {
                s = switch (mode) {
                    case "reflect" -> s < 0 ? -s : 2 * (size - 1) - s;
                    case "replicate" -> s < 0 ? 0 : size - 1;
                    default -> VALUE;
                };
            }
            m[o] = s;
        }
        return m;
    }

    private static void fill(Tensor x, Tensor out, int[][] maps, int before, boolean constant, double value) {
        int[] shape = x.shape(), outShape = out.shape();
        int r = shape.length, es = x.dtype().byteSize();
        long[] st = x.strides();
        int len = outShape[r - 1];
        int[] last = maps[r - 1];
        // the run of the row copied straight from the input row
        int runLo = Math.clamp(before, 0, len), runHi = (int) Math.clamp((long) before + shape[r - 1], runLo, len);
        MemorySegment s = CpuTensors.seg(x), d = CpuTensors.seg(out);
        MemorySegment valueRow = constant ? valueRow(out.dtype(), len, value) : null;
        long xo = x.offset(), stLast = st[r - 1];
        long rows = out.numel() / len;
        Parallel.forRange(rows, Math.max(1, IndexingKernels.GRAIN_ELEMENTS / len), (lo, hi) -> {
            int[] idx = new int[r - 1];
            long rest = lo;
            for (int k = r - 2; k >= 0; k--) {
                idx[k] = (int) (rest % outShape[k]);
                rest /= outShape[k];
            }
            for (long row = lo; row < hi; row++) {
                long dst = row * len, src = xo;
                boolean padRow = false;
                for (int k = 0; k < r - 1 && !padRow; k++) {
                    int m = maps[k][idx[k]];
                    padRow = m == VALUE;
                    src += m * st[k];
                }
                if (padRow) {
                    MemorySegment.copy(valueRow, 0, d, dst * es, (long) len * es);
                } else {
                    edge(s, src, stLast, d, dst, last, 0, runLo, valueRow, es);
                    if (runLo < runHi) {
                        IndexingKernels.copyRun(s, src + (runLo - before) * stLast, stLast, d, dst + runLo, 1, runHi - runLo, es);
                    }
                    edge(s, src, stLast, d, dst, last, runHi, len, valueRow, es);
                }
                for (int k = r - 2; k >= 0 && ++idx[k] == outShape[k]; k--) idx[k] = 0;
            }
        });
    }

    /** Output positions [from, to) of a row outside the copied run: mapped input elements or the value. */
    private static void edge(MemorySegment s, long src, long stride, MemorySegment d, long dst, int[] map, int from, int to,
            MemorySegment valueRow, int es) {
        for (int o = from; o < to; o++) {
            if (map[o] == VALUE) IndexingKernels.copyElement(valueRow, o, d, dst + o, es);
            else IndexingKernels.copyElement(s, src + map[o] * stride, d, dst + o, es);
        }
    }

    /** A row of len copies of value stored in dt, the source of every constant element. */
    private static MemorySegment valueRow(DType dt, int len, double value) {
        MemorySegment row = MemorySegment.ofArray(new long[(int) (((long) len * dt.byteSize() + 7) / 8)]);
        for (int i = 0; i < len; i++) Elements.setD(row, dt, i, value);
        return row;
    }
}
