package org.ddrl.autodiff.nn;

import org.ddrl.tensor.Functional;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;

/**
 * 1-d convolution (torch.nn.Conv1d, zero padding): x [N, C_in, L] to [N, C_out, L_out], each output size
 * (in + 2 padding - dilation (kernel - 1) - 1) / stride + 1. weight [C_out, C_in / groups, *kernel_size],
 * bias [C_out]; settings, initialization and checks in {@link ConvNd}.
 */
public final class Conv1d extends ConvNd {
    /** Stride 1, no padding, dilation 1, one group, with bias. */
    public Conv1d(int inChannels, int outChannels, int kernelSize, Generator gen) {
        this(inChannels, outChannels, kernelSize, 1, 0, gen);
    }

    public Conv1d(int inChannels, int outChannels, int kernelSize, int stride, int padding, Generator gen) {
        this(inChannels, outChannels, new int[] {kernelSize}, new int[] {stride}, new int[] {padding}, new int[] {1}, 1, true, gen);
    }

    /** kernelSize, stride, padding and dilation hold one value each. */
    public Conv1d(int inChannels, int outChannels, int[] kernelSize, int[] stride, int[] padding, int[] dilation, int groups,
                  boolean bias, Generator gen) {
        super(1, inChannels, outChannels, kernelSize, stride, padding, dilation, groups, bias, gen);
    }

    @Override
    Tensor conv(Tensor x, Tensor weight, Tensor bias) {
        return Functional.conv1d(x, weight, bias, stride()[0], padding()[0], dilation()[0], groups());
    }
}
