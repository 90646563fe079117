package org.ddrl.tensor;

import java.util.Arrays;

/**
 * The gradients of a norm as {@link Op#LAYER_NORM_BACKWARD}, {@link Op#RMS_NORM_BACKWARD} and
 * {@link Op#GROUP_NORM_BACKWARD} return them packed in one tensor (the kernel API gives one result per op):
 * grad input [x.shape], then grad weight and grad bias [the parameters' shape], each present only when its
 * output mask entry asked for it. The three are views of the packed result, so splitting costs nothing; a
 * gradient not asked for is null.
 */
public record NormGrads(Tensor input, Tensor weight, Tensor bias) {

    /** layer_norm's gradients over the trailing {@code ndim} dims of x; weight may be null. */
    public static NormGrads layerNorm(Tensor gradOut, Tensor x, Tensor weight, int ndim, double eps,
                                      boolean needInput, boolean needWeight, boolean needBias) {
        int[] mask = {bit(needInput), bit(needWeight), bit(needBias)};
        Tensor packed = Dispatch.call(Op.LAYER_NORM_BACKWARD, Attrs.of("ndim", ndim, "eps", eps, "outputMask", mask),
                gradOut, x, weight);
        return unpack("layer_norm_backward", packed, x.shape(), trailingShape(x, ndim), mask);
    }

    /** rms_norm's gradients over the trailing {@code ndim} dims of x; weight may be null. Bias is always null. */
    public static NormGrads rmsNorm(Tensor gradOut, Tensor x, Tensor weight, int ndim, double eps, boolean needInput,
                                    boolean needWeight) {
        int[] mask = {bit(needInput), bit(needWeight)};
        Tensor packed = Dispatch.call(Op.RMS_NORM_BACKWARD, Attrs.of("ndim", ndim, "eps", eps, "outputMask", mask),
                gradOut, x, weight);
        return unpack("rms_norm_backward", packed, x.shape(), trailingShape(x, ndim), mask);
    }

    /** group_norm's gradients for x [N, C, *] in {@code groups} groups; weight [C] may be null. */
    public static NormGrads groupNorm(Tensor gradOut, Tensor x, Tensor weight, int groups, double eps,
                                      boolean needInput, boolean needWeight, boolean needBias) {
        int[] mask = {bit(needInput), bit(needWeight), bit(needBias)};
        Tensor packed = Dispatch.call(Op.GROUP_NORM_BACKWARD, Attrs.of("groups", groups, "eps", eps, "outputMask", mask),
                gradOut, x, weight);
        if (x.dim() < 2) {
            throw new IllegalArgumentException("group_norm_backward: input must have shape [N, C, *], got " + Shapes.str(x.shape()));
        }
        return unpack("group_norm_backward", packed, x.shape(), new int[] {x.size(1)}, mask);
    }

    /**
     * The views of a packed result for an input of shape {@code inputShape} and parameters of shape
     * {@code paramShape}; mask holds 0/1 per gradient (input, weight[, bias]).
     */
    public static NormGrads unpack(String op, Tensor packed, int[] inputShape, int[] paramShape, int[] mask) {
        long nx = Shapes.numel(inputShape), np = Shapes.numel(paramShape);
        long expected = packedLength(inputShape, paramShape, mask);
        if (packed.dim() != 1 || packed.size(0) != expected) {
            throw new IllegalArgumentException(op + ": packed gradients " + Shapes.str(packed.shape()) + " do not hold the "
                    + Arrays.toString(mask) + " gradients of input " + Shapes.str(inputShape) + " and parameters "
                    + Shapes.str(paramShape));
        }
        long at = 0;
        Tensor[] parts = new Tensor[3];
        for (int i = 0; i < mask.length; i++) {
            if (mask[i] == 0) continue;
            long n = i == 0 ? nx : np;
            parts[i] = packed.narrow(0, (int) at, (int) n).view(i == 0 ? inputShape : paramShape);
            at += n;
        }
        return new NormGrads(parts[0], parts[1], parts[2]);
    }

    /** Elements of the packed result: the input's count and the parameters' count once per requested gradient. */
    public static long packedLength(int[] inputShape, int[] paramShape, int[] mask) {
        long n = 0;
        for (int i = 0; i < mask.length; i++) if (mask[i] != 0) n += i == 0 ? Shapes.numel(inputShape) : Shapes.numel(paramShape);
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("norm backward: " + n + " packed gradient elements for input " + Shapes.str(inputShape)
                    + " exceed the largest 1-d tensor");
        }
        return n;
    }

    private static int bit(boolean b) {
        return b ? 1 : 0;
    }

    private static int[] trailingShape(Tensor x, int ndim) {
        if (ndim < 1 || ndim > x.dim()) return new int[0]; // the kernel reports the bad ndim with the op's name
        return Arrays.copyOfRange(x.shape(), x.dim() - ndim, x.dim());
    }
}
