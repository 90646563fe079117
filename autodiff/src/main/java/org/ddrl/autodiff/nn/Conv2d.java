package org.ddrl.autodiff.nn;

import org.ddrl.tensor.Functional;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;

/**
 * 2-d convolution (torch.nn.Conv2d, zero padding): x [N, C_in, H, W] to [N, C_out, H_out, W_out], each output size
 * (in + 2 padding - dilation (kernel - 1) - 1) / stride + 1. weight [C_out, C_in / groups, *kernel_size],
 * bias [C_out]; settings, initialization and checks in {@link ConvNd}.
 */
public final class Conv2d extends ConvNd {
    /** Stride 1, no padding, dilation 1, one group, with bias. */
    public Conv2d(int inChannels, int outChannels, int kernelSize, Generator gen) {
        this(inChannels, outChannels, kernelSize, 1, 0, gen);
    }

    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride, int padding, Generator gen) {
        this(inChannels, outChannels, new int[] {kernelSize}, new int[] {stride}, new int[] {padding}, new int[] {1}, 1, true, gen);
    }

    /** Each of kernelSize, stride, padding, dilation: one value for every dim or 2 values. */
    public Conv2d(int inChannels, int outChannels, int[] kernelSize, int[] stride, int[] padding, int[] dilation, int groups,
                  boolean bias, Generator gen) {
        super(2, inChannels, outChannels, kernelSize, stride, padding, dilation, groups, bias, gen);
    }

    @Override
    Tensor conv(Tensor x, Tensor weight, Tensor bias) {
        return Functional.conv2d(x, weight, bias, stride(), padding(), dilation(), groups());
    }
}
