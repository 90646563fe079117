package org.ddrl.diffusion.model;

import org.ddrl.autodiff.nn.Conv3d;
import org.ddrl.autodiff.nn.GroupNorm;
import org.ddrl.autodiff.nn.Linear;
import org.ddrl.autodiff.nn.Module;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;

/**
 * A residual block over video features, conditioned on the noise level:
 * <pre>
 * h = conv1(silu(norm1(x))) + time_proj(silu(temb))       broadcast over frames and pixels
 * out = skip(x) + conv2(silu(norm2(h)))
 * </pre>
 * conv1 and conv2 are 3x3x3 with padding 1 (sizes kept); skip is a 1x1x1 convolution when the channel count
 * changes and the identity otherwise.
 */
final class ResBlock3d extends Module {
    private final int outChannels;
    private final GroupNorm norm1;
    private final Conv3d conv1;
    private final Linear timeProj;
    private final GroupNorm norm2;
    private final Conv3d conv2;
    private final Conv3d skip;

    ResBlock3d(int inChannels, int outChannels, int timeDim, int groups, Generator gen) {
        this.outChannels = outChannels;
        norm1 = registerModule("norm1", new GroupNorm(groups, inChannels));
        conv1 = registerModule("conv1", new Conv3d(inChannels, outChannels, 3, 1, 1, gen));
        timeProj = registerModule("time_proj", new Linear(timeDim, outChannels, gen));
        norm2 = registerModule("norm2", new GroupNorm(groups, outChannels));
        conv2 = registerModule("conv2", new Conv3d(outChannels, outChannels, 3, 1, 1, gen));
        skip = inChannels == outChannels ? null : registerModule("skip", new Conv3d(inChannels, outChannels, 1, gen));
    }

    /** x [B, C_in, T, H, W], temb [B, time_dim] to [B, C_out, T, H, W]. */
    Tensor forward(Tensor x, Tensor temb) {
        Tensor h = conv1.forward(norm1.forward(x).silu());
        h = h.add(timeProj.forward(temb.silu()).reshape(x.size(0), outChannels, 1, 1, 1));
        h = conv2.forward(norm2.forward(h).silu());
        return (skip == null ? x : skip.forward(x)).add(h);
    }
}
