package org.ddrl.diffusion.noise;

import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;

/** Per-sample scalars (one value per batch element, shape [B]) broadcast against batched data [B, ...]. */
public final class PerSample {
    private PerSample() {}

    /** {@code values} [B] reshaped to [B, 1, ..., 1] with the rank of {@code like}, ready to broadcast. */
    public static Tensor expand(String op, Tensor values, Tensor like) {
        if (values.dim() != 1 || like.dim() < 1 || values.size(0) != like.size(0)) {
            throw new IllegalArgumentException(op + ": per-sample values must have shape [B] with B = " + (like.dim() < 1 ? "?" : like.size(0))
                    + " (the batch of data " + Shapes.str(like.shape()) + "), got " + Shapes.str(values.shape()));
        }
        int[] shape = new int[like.dim()];
        java.util.Arrays.fill(shape, 1);
        shape[0] = values.size(0);
        return values.reshape(shape);
    }

    /** The non-batch dims 1..rank-1 of a batched tensor, for reductions to one value per sample. */
    public static int[] nonBatchDims(String op, Tensor x) {
        if (x.dim() < 2) {
            throw new IllegalArgumentException(op + ": needs batched data [B, ...] with at least one non-batch dim, got "
                    + Shapes.str(x.shape()));
        }
        int[] dims = new int[x.dim() - 1];
        for (int i = 0; i < dims.length; i++) dims[i] = i + 1;
        return dims;
    }
}
