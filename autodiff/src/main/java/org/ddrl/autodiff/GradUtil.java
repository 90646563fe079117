package org.ddrl.autodiff;

import java.util.Arrays;
import org.ddrl.tensor.Tensor;

/** Shape plumbing shared by the derivative rules. */
final class GradUtil {
    private GradUtil() {}

    /** Sums a broadcast gradient back to the shape of the input it came from. */
    static Tensor sumToShape(Tensor g, int[] shape) {
        int[] gs = g.shape();
        if (Arrays.equals(gs, shape)) return g;
        int lead = gs.length - shape.length;
        if (lead < 0) throw new IllegalStateException("gradient of shape " + Arrays.toString(gs) + " cannot reduce to " + Arrays.toString(shape));
        int n = 0;
        int[] dims = new int[gs.length];
        for (int i = 0; i < gs.length; i++) {
            if (i < lead || (shape[i - lead] == 1 && gs[i] != 1)) dims[n++] = i;
        }
        Tensor r = n == 0 ? g : g.sum(Arrays.copyOf(dims, n), true);
        return r.reshape(shape);
    }

    /** Re-inserts reduced dims (as size 1) so a reduction's gradient broadcasts against its input. */
    static Tensor unreduce(Tensor g, int[] inputShape, int[] dims, boolean keepdim) {
        if (keepdim) return g;
        int[] s = inputShape.clone();
        int[] norm = normalize(dims, inputShape.length);
        for (int d : norm) s[d] = 1;
        return g.reshape(s);
    }

    /** Normalized, sorted dims; empty means all. */
    static int[] normalize(int[] dims, int rank) {
        return org.ddrl.tensor.Shapes.dims("backward", dims, rank);
    }

    /** Number of elements reduced over dims. */
    static long reducedCount(int[] shape, int[] dims) {
        long n = 1;
        for (int d : normalize(dims, shape.length)) n *= shape[d];
        return n;
    }
}
