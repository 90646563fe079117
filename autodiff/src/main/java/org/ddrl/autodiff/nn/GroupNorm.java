package org.ddrl.autodiff.nn;

import org.ddrl.tensor.DType;
import org.ddrl.tensor.Functional;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;

/**
 * Group normalization (torch.nn.GroupNorm): x [N, C, *] normalized over each group of C / groups channels
 * together with all trailing dims, then scaled and shifted per channel. Output has x's shape. weight [C]
 * starts at ones, bias [C] at zeros (both absent without affine).
 */
public final class GroupNorm extends Module {
    private final int numGroups;
    private final int numChannels;
    private final double eps;

    /** eps 1e-5, affine. */
    public GroupNorm(int numGroups, int numChannels) {
        this(numGroups, numChannels, 1e-5, true);
    }

    public GroupNorm(int numGroups, int numChannels, double eps, boolean affine) {
        if (numGroups <= 0 || numChannels % numGroups != 0) {
            throw new IllegalArgumentException("GroupNorm: num_channels " + numChannels + " must be divisible by num_groups " + numGroups);
        }
        this.numGroups = numGroups;
        this.numChannels = numChannels;
        this.eps = eps;
        if (affine) {
            registerParameter("weight", Tensor.ones(DType.F32, numChannels));
            registerParameter("bias", Tensor.zeros(DType.F32, numChannels));
        }
    }

    public Tensor forward(Tensor x) {
        if (x.dim() < 2 || x.size(1) != numChannels) {
            throw new IllegalArgumentException(describe() + ": input " + Shapes.str(x.shape()) + " must be [N, " + numChannels + ", *]");
        }
        return Functional.groupNorm(x, numGroups, paramOrNull("weight"), paramOrNull("bias"), eps);
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        return forward(single(inputs));
    }

    @Override
    protected String extraRepr() {
        return numGroups + ", " + numChannels + ", eps=" + eps + ", affine=" + (paramOrNull("weight") != null);
    }
}
