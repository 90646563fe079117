package org.ddrl.tensor;

import java.util.Arrays;

/** The view ops of the catalog: new shape, strides and offset over the same storage, on any device. */
final class ViewOps {
    private ViewOps() {}

    static Tensor apply(Op op, Attrs a, Tensor t) {
        return switch (op) {
            case VIEW -> view(t, a.ints("shape"));
            case PERMUTE -> permute(t, a.ints("dims"));
            case SLICE -> slice(t, a.i("dim"), a.l("start"), a.l("end"), a.l("step"));
            case SELECT -> select(t, a.i("dim"), a.l("index"));
            case EXPAND -> expand(t, a.ints("shape"));
            case SQUEEZE -> squeeze(t, a.ints("dims"));
            case UNSQUEEZE -> unsqueeze(t, a.i("dim"));
            default -> throw new IllegalArgumentException(op.opName() + " is not a view op");
        };
    }

    /**
     * Strides that let {@code newShape} view memory laid out as (shape, strides), or null when no such
     * strides exist. Dims are matched in groups whose element counts agree; each group of the old
     * shape must itself be contiguous-in-memory for the regrouping to be a view.
     */
    static long[] viewStrides(int[] shape, long[] strides, int[] newShape) {
        long numel = Shapes.numel(shape);
        long[] out = new long[newShape.length];
        if (numel == 0) return Shapes.contiguousStrides(newShape);
        int oi = 0, ni = 0;
        while (ni < newShape.length || oi < shape.length) {
            // skip size-1 dims on both sides
            if (ni < newShape.length && newShape[ni] == 1) {
                out[ni] = ni + 1 < newShape.length ? 0 : 1;
                ni++;
                continue;
            }
            if (oi < shape.length && shape[oi] == 1) {
                oi++;
                continue;
            }
            if (oi >= shape.length || ni >= newShape.length) return null;
            // grow a group of old dims and new dims with equal products
            int o0 = oi, n0 = ni;
            long po = shape[oi++], pn = newShape[ni++];
            while (po != pn) {
                if (po < pn) {
                    if (oi >= shape.length) return null;
                    po *= shape[oi++];
                } else {
                    if (ni >= newShape.length) return null;
                    pn *= newShape[ni++];
                }
            }
            // the old group must be one uniform run: stride[i] == stride[i+1] * shape[i+1] over non-1 dims
            int last = -1;
            for (int i = o0; i < oi; i++) {
                if (shape[i] == 1) continue;
                if (last >= 0 && strides[last] != strides[i] * shape[i]) return null;
                last = i;
            }
            long inner = last >= 0 ? strides[last] : 1;
            for (int j = ni - 1; j >= n0; j--) {
                out[j] = inner;
                inner *= newShape[j];
            }
        }
        // fix strides of size-1 dims to something sensible (row-major neighbours)
        for (int j = newShape.length - 1; j >= 0; j--) {
            if (newShape[j] == 1) out[j] = j + 1 < newShape.length ? out[j + 1] * newShape[j + 1] : 1;
        }
        return out;
    }

    private static Tensor view(Tensor t, int[] shape) {
        long[] s = viewStrides(t.shape(), t.strides(), shape);
        if (s == null) {
            throw new IllegalArgumentException("view: cannot view " + Shapes.str(t.shape()) + " with strides "
                    + Arrays.toString(t.strides()) + " as " + Shapes.str(shape)
                    + " without copying; use reshape (which copies) or call contiguous() first");
        }
        return new Tensor(t.storage(), t.dtype(), shape, s, t.offset());
    }

    private static Tensor permute(Tensor t, int[] dims) {
        int r = t.dim();
        if (dims.length != r) {
            throw new IllegalArgumentException("permute: got " + dims.length + " dims " + Arrays.toString(dims) + " for a tensor of rank " + r);
        }
        int[] shape = t.shape();
        long[] strides = t.strides();
        int[] ns = new int[r];
        long[] nst = new long[r];
        boolean[] seen = new boolean[r];
        for (int i = 0; i < r; i++) {
            int d = Shapes.dim("permute", dims[i], r);
            if (seen[d]) throw new IllegalArgumentException("permute: dim " + d + " repeats in " + Arrays.toString(dims));
            seen[d] = true;
            ns[i] = shape[d];
            nst[i] = strides[d];
        }
        return new Tensor(t.storage(), t.dtype(), ns, nst, t.offset());
    }

    private static Tensor slice(Tensor t, int dim, long start, long end, long step) {
        int d = Shapes.dim("slice", dim, t.dim());
        if (t.dim() == 0) throw new IllegalArgumentException("slice: cannot slice a 0-d tensor");
        if (step <= 0) throw new IllegalArgumentException("slice: step must be > 0, got " + step);
        int[] shape = t.shape();
        long[] strides = t.strides();
        long n = shape[d];
        if (start < 0) start += n;
        if (end < 0) end += n;
        start = Math.clamp(start, 0, n);
        end = Math.clamp(end, start, n);
        int len = (int) ((end - start + step - 1) / step);
        shape[d] = len;
        long off = t.offset() + (len > 0 ? start * strides[d] : 0);
        strides[d] *= step;
        return new Tensor(t.storage(), t.dtype(), shape, strides, off);
    }

    private static Tensor select(Tensor t, int dim, long index) {
        if (t.dim() == 0) throw new IllegalArgumentException("select: cannot index a 0-d tensor");
        int d = Shapes.dim("select", dim, t.dim());
        int[] shape = t.shape();
        long[] strides = t.strides();
        long i = index < 0 ? index + shape[d] : index;
        if (i < 0 || i >= shape[d]) {
            throw new IndexOutOfBoundsException("select: index " + index + " is out of range for dim " + d + " of size "
                    + shape[d] + " (shape " + Shapes.str(shape) + ")");
        }
        int[] ns = new int[shape.length - 1];
        long[] nst = new long[shape.length - 1];
        for (int k = 0, j = 0; k < shape.length; k++) {
            if (k == d) continue;
            ns[j] = shape[k];
            nst[j++] = strides[k];
        }
        return new Tensor(t.storage(), t.dtype(), ns, nst, t.offset() + i * strides[d]);
    }

    private static Tensor expand(Tensor t, int[] target) {
        int[] shape = t.shape();
        long[] strides = t.strides();
        if (target.length < shape.length) {
            throw new IllegalArgumentException("expand: cannot expand " + Shapes.str(shape) + " to fewer dims " + Shapes.str(target));
        }
        int lead = target.length - shape.length;
        int[] ns = new int[target.length];
        long[] nst = new long[target.length];
        for (int i = 0; i < target.length; i++) {
            int want = target[i];
            if (i < lead) {
                if (want < 0) throw new IllegalArgumentException("expand: -1 is not allowed for a new leading dim in " + Shapes.str(target));
                ns[i] = want;
                nst[i] = 0;
                continue;
            }
            int have = shape[i - lead];
            if (want == -1 || want == have) {
                ns[i] = have;
                nst[i] = strides[i - lead];
            } else if (have == 1 && want >= 0) {
                ns[i] = want;
                nst[i] = 0;
            } else {
                throw new IllegalArgumentException("expand: cannot expand " + Shapes.str(shape) + " to " + Shapes.str(target)
                        + " (dim " + i + ": size " + have + " is not 1)");
            }
        }
        return new Tensor(t.storage(), t.dtype(), ns, nst, t.offset());
    }

    private static Tensor squeeze(Tensor t, int[] dims) {
        int[] shape = t.shape();
        long[] strides = t.strides();
        boolean[] drop = new boolean[shape.length];
        if (dims.length == 0) {
            for (int i = 0; i < shape.length; i++) drop[i] = shape[i] == 1;
        } else {
            for (int d : dims) {
                int k = Shapes.dim("squeeze", d, shape.length);
                if (shape.length > 0) drop[k] = shape[k] == 1;
            }
        }
        int n = 0;
        for (boolean b : drop) if (!b) n++;
        int[] ns = new int[n];
        long[] nst = new long[n];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (drop[i]) continue;
            ns[j] = shape[i];
            nst[j++] = strides[i];
        }
        return new Tensor(t.storage(), t.dtype(), ns, nst, t.offset());
    }

    private static Tensor unsqueeze(Tensor t, int dim) {
        int r = t.dim();
        int d = Shapes.dim("unsqueeze", dim, r + 1);
        int[] shape = t.shape();
        long[] strides = t.strides();
        int[] ns = new int[r + 1];
        long[] nst = new long[r + 1];
        for (int i = 0, j = 0; i <= r; i++) {
            if (i == d) {
                ns[i] = 1;
                nst[i] = d < r ? strides[d] * shape[d] : 1;
            } else {
                ns[i] = shape[j];
                nst[i] = strides[j++];
            }
        }
        return new Tensor(t.storage(), t.dtype(), ns, nst, t.offset());
    }
}
