package org.ddrl.autodiff.nn;

import org.ddrl.tensor.Functional;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;

/**
 * 3-d convolution (torch.nn.Conv3d, zero padding): x [N, C_in, D, H, W] to [N, C_out, D_out, H_out, W_out], each output size
 * (in + 2 padding - dilation (kernel - 1) - 1) / stride + 1. weight [C_out, C_in / groups, *kernel_size],
 * bias [C_out]; settings, initialization and checks in {@link ConvNd}.
 */
public final class Conv3d extends ConvNd {
    /** Stride 1, no padding, dilation 1, one group, with bias. */
    public Conv3d(int inChannels, int outChannels, int kernelSize, Generator gen) {
        this(inChannels, outChannels, kernelSize, 1, 0, gen);
    }

    public Conv3d(int inChannels, int outChannels, int kernelSize, int stride, int padding, Generator gen) {
        this(inChannels, outChannels, new int[] {kernelSize}, new int[] {stride}, new int[] {padding}, new int[] {1}, 1, true, gen);
    }

    /** Each of kernelSize, stride, padding, dilation: one value for every dim or 3 values. */
    public Conv3d(int inChannels, int outChannels, int[] kernelSize, int[] stride, int[] padding, int[] dilation, int groups,
                  boolean bias, Generator gen) {
        super(3, inChannels, outChannels, kernelSize, stride, padding, dilation, groups, bias, gen);
    }

    @Override
    Tensor conv(Tensor x, Tensor weight, Tensor bias) {
        return Functional.conv3d(x, weight, bias, stride(), padding(), dilation(), groups());
    }
}
