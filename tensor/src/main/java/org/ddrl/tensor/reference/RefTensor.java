package org.ddrl.tensor.reference;

import java.util.Arrays;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;

/**
 * The reference backend's array: dense row-major F64 values with a shape and the dtype the result
 * would have. Plain and slow on purpose; it is the oracle the real kernels are tested against.
 */
public record RefTensor(double[] data, int[] shape, DType dtype) {
    public RefTensor {
        if (data.length != Shapes.numel(shape)) {
            throw new IllegalArgumentException("RefTensor: " + data.length + " values for shape " + Arrays.toString(shape));
        }
    }

    public static RefTensor of(Tensor t) {
        return new RefTensor(t.toDoubleArray(), t.shape(), t.dtype());
    }

    public static RefTensor zeros(DType dtype, int... shape) {
        return new RefTensor(new double[(int) Shapes.numel(shape)], shape.clone(), dtype);
    }

    public int rank() {
        return shape.length;
    }

    public int numel() {
        return data.length;
    }

    /** Row-major strides of this dense array. */
    public long[] strides() {
        return Shapes.contiguousStrides(shape);
    }

    /** Multi-index of flat position i. */
    public int[] index(long i) {
        int[] idx = new int[shape.length];
        for (int k = shape.length - 1; k >= 0; k--) {
            idx[k] = (int) (i % shape[k]);
            i /= shape[k];
        }
        return idx;
    }

    /** Flat position of a multi-index. */
    public int flat(int[] idx) {
        int f = 0;
        for (int k = 0; k < shape.length; k++) f = f * shape[k] + idx[k];
        return f;
    }

    /** Value at a multi-index given for a broadcast result shape (leading dims dropped, size-1 dims pinned to 0). */
    public double getBroadcast(int[] outIdx) {
        int lead = outIdx.length - shape.length;
        int f = 0;
        for (int k = 0; k < shape.length; k++) f = f * shape[k] + (shape[k] == 1 ? 0 : outIdx[lead + k]);
        return data[f];
    }

    /** Rounds every value as storing it in dtype would (float rounding, integer truncation, bool). */
    public RefTensor roundTo(DType dt) {
        double[] d = new double[data.length];
        for (int i = 0; i < d.length; i++) d[i] = Reference.round(data[i], dt);
        return new RefTensor(d, shape, dt);
    }

    /** This array as a CPU tensor of its dtype. */
    public Tensor toTensor() {
        return Tensor.of(data, shape.length == 0 ? new int[0] : shape).to(dtype);
    }
}
