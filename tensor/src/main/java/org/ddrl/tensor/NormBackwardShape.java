package org.ddrl.tensor;

import java.util.Arrays;

/**
 * The sizes of one norm-gradient call (LAYER_NORM_BACKWARD, RMS_NORM_BACKWARD, GROUP_NORM_BACKWARD),
 * checked. Every backend sees the same view of the work: {@code rows} normalized rows of {@code len}
 * consecutive elements in x's row-major order, each with its own mean and variance. For layer and rms
 * norm element j of a row takes parameter j ({@code paramLen == len}); for group norm a row is the
 * {@code channelsPerGroup} channels of one group of one sample, each channel a run of {@code spatial}
 * elements taking that channel's parameter. Every backend checks its arguments here, so the error
 * messages are the same on every device. needInput, needWeight and needBias say which gradients the
 * output mask asks for (bias never for rms_norm).
 */
public record NormBackwardShape(Op op, boolean rms, int[] inputShape, int[] paramShape, long rows, long len, int groups,
                                long spatial, double eps, boolean needInput, boolean needWeight, boolean needBias) {

    public String name() {
        return op.opName();
    }

    public boolean groupNorm() {
        return op == Op.GROUP_NORM_BACKWARD;
    }

    public long paramLen() {
        return Shapes.numel(paramShape);
    }

    public long numel() {
        return Shapes.numel(inputShape);
    }

    /** Channels in one group (group norm), else 1. */
    public int channelsPerGroup() {
        return groupNorm() ? inputShape[1] / groups : 1;
    }

    /** The output mask as the packed layout reads it. */
    public int[] mask() {
        return rms ? new int[] {bit(needInput), bit(needWeight)} : new int[] {bit(needInput), bit(needWeight), bit(needBias)};
    }

    public long packedLength() {
        return NormGrads.packedLength(inputShape, paramShape, mask());
    }

    /** Element offset in the packed result of the input (0), weight (1) or bias (2) gradient. */
    public long packedOffset(int which) {
        long at = 0;
        if (which > 0 && needInput) at += numel();
        if (which > 1 && needWeight) at += paramLen();
        return at;
    }

    public static NormBackwardShape of(Op op, Attrs a, Tensor gradOut, Tensor x, Tensor weight) {
        String name = op.opName();
        String what = "grad output " + desc(gradOut) + ", input " + desc(x) + (weight == null ? "" : ", weight " + desc(weight));
        if (!x.dtype().isFloatingPoint() || !gradOut.dtype().isFloatingPoint() || (weight != null && !weight.dtype().isFloatingPoint())) {
            throw new IllegalArgumentException(name + ": needs floating-point tensors, got " + what);
        }
        if (!Arrays.equals(gradOut.shape(), x.shape())) {
            throw new IllegalArgumentException(name + ": grad output and input must have the same shape, got " + what);
        }
        int[] mask = a.ints("outputMask");
        boolean rms = op == Op.RMS_NORM_BACKWARD;
        if (mask.length != (rms ? 2 : 3) || Arrays.stream(mask).anyMatch(m -> m != 0 && m != 1)) {
            throw new IllegalArgumentException(name + ": outputMask must be " + (rms ? 2 : 3) + " entries of 0 or 1 (input, weight"
                    + (rms ? "" : ", bias") + "), got " + Arrays.toString(mask));
        }
        int[] shape = x.shape();
        double eps = a.d("eps");
        NormBackwardShape s;
        if (op == Op.GROUP_NORM_BACKWARD) {
            if (x.dim() < 2) throw new IllegalArgumentException(name + ": input must have shape [N, C, *], got " + what);
            int groups = a.i("groups"), channels = shape[1];
            if (groups < 1 || channels % groups != 0) {
                throw new IllegalArgumentException(name + ": the " + channels + " channels are not divisible into " + groups
                        + " groups, got " + what);
            }
            int[] param = {channels};
            checkParam(name, weight, param, what);
            long n = Shapes.numel(shape);
            long spatial = channels == 0 || shape[0] == 0 ? 0 : n / ((long) shape[0] * channels);
            s = new NormBackwardShape(op, false, shape, param, (long) shape[0] * groups, (long) (channels / groups) * spatial, groups,
                    spatial, eps, mask[0] == 1, mask[1] == 1, mask[2] == 1);
        } else {
            int ndim = a.i("ndim"), rank = x.dim();
            if (ndim < 1 || ndim > rank) {
                throw new IllegalArgumentException(name + ": ndim " + ndim + " must be between 1 and the rank of the input, got " + what);
            }
            int[] param = Arrays.copyOfRange(shape, rank - ndim, rank);
            checkParam(name, weight, param, what);
            long len = Shapes.numel(param), n = Shapes.numel(shape);
            s = new NormBackwardShape(op, rms, shape, param, len == 0 ? 0 : n / len, len, 0, 1, eps, mask[0] == 1, mask[1] == 1,
                    !rms && mask[2] == 1);
        }
        s.packedLength(); // fails early when the result cannot be one tensor
        return s;
    }

    private static void checkParam(String name, Tensor w, int[] expected, String what) {
        if (w != null && !Arrays.equals(w.shape(), expected)) {
            throw new IllegalArgumentException(name + ": weight must have shape " + Shapes.str(expected) + ", got " + what);
        }
    }

    private static int bit(boolean b) {
        return b ? 1 : 0;
    }

    private static String desc(Tensor t) {
        return t.dtype().name().toLowerCase() + Shapes.str(t.shape()) + " on " + t.device();
    }

    @Override
    public String toString() {
        return name() + " of input " + Shapes.str(inputShape) + " (" + rows + " rows of " + len + ")";
    }
}
