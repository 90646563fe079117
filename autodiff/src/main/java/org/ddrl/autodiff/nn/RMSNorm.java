package org.ddrl.autodiff.nn;

import java.util.Arrays;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Functional;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;

/**
 * Root-mean-square normalization (torch.nn.RMSNorm): x / sqrt(mean(x^2) + eps) * weight over the trailing
 * normalized_shape dims of x [*, *normalized_shape]. Output has x's shape; weight has normalized_shape and
 * starts at ones (absent without elementwiseAffine). PyTorch's eps default depends on the dtype; here it
 * is explicit, 1e-6 by default.
 */
public final class RMSNorm extends Module {
    private final int[] normalizedShape;
    private final double eps;

    /** eps 1e-6, with weight. */
    public RMSNorm(int... normalizedShape) {
        this(normalizedShape, 1e-6, true);
    }

    public RMSNorm(int[] normalizedShape, double eps, boolean elementwiseAffine) {
        Shapes.checkShape("RMSNorm", normalizedShape);
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        if (elementwiseAffine) registerParameter("weight", Tensor.ones(DType.F32, normalizedShape));
    }

    public Tensor forward(Tensor x) {
        int n = normalizedShape.length;
        if (x.dim() < n || !Arrays.equals(Arrays.copyOfRange(x.shape(), x.dim() - n, x.dim()), normalizedShape)) {
            throw new IllegalArgumentException(describe() + ": input " + Shapes.str(x.shape()) + " must end in "
                    + Shapes.str(normalizedShape));
        }
        return Functional.rmsNorm(x, normalizedShape, paramOrNull("weight"), eps);
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        return forward(single(inputs));
    }

    @Override
    protected String extraRepr() {
        return Shapes.str(normalizedShape) + ", eps=" + eps + ", elementwise_affine=" + (paramOrNull("weight") != null);
    }
}
