package org.ddrl.diffusion.model;

import org.ddrl.autodiff.nn.Conv3d;
import org.ddrl.autodiff.nn.Module;
import org.ddrl.autodiff.nn.Upsample;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;

/** Doubles height and width (frames unchanged): nearest-neighbour upsampling then a 3x3x3 convolution that smooths the blocks. */
final class Upsample3d extends Module {
    private final Upsample upsample = registerModule("upsample", new Upsample(new int[] {1, 2, 2}, Upsample.Mode.NEAREST, false));
    private final Conv3d conv;

    Upsample3d(int channels, Generator gen) {
        conv = registerModule("conv", new Conv3d(channels, channels, 3, 1, 1, gen));
    }

    Tensor forward(Tensor x) {
        return conv.forward(upsample.forward(x));
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        return forward(single(inputs));
    }
}
