package org.ddrl.autodiff.nn;

import java.util.Arrays;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Functional;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;

/**
 * Layer normalization (torch.nn.LayerNorm): x [*, *normalized_shape] normalized over its trailing
 * normalized_shape dims, then scaled and shifted elementwise. Output has x's shape. weight and bias have
 * normalized_shape and start at ones and zeros; elementwiseAffine false drops both, bias false only the bias.
 */
public final class LayerNorm extends Module {
    private final int[] normalizedShape;
    private final double eps;

    /** eps 1e-5, with weight and bias. */
    public LayerNorm(int... normalizedShape) {
        this(normalizedShape, 1e-5, true, true);
    }

    public LayerNorm(int[] normalizedShape, double eps, boolean elementwiseAffine, boolean bias) {
        Shapes.checkShape("LayerNorm", normalizedShape);
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        if (elementwiseAffine) {
            registerParameter("weight", Tensor.ones(DType.F32, normalizedShape));
            if (bias) registerParameter("bias", Tensor.zeros(DType.F32, normalizedShape));
        }
    }

    public double eps() {
        return eps;
    }

    public int[] normalizedShape() {
        return normalizedShape.clone();
    }

    /** Whether the norm has neither weight nor bias (a plain normalization, as DiT's adaLN-modulated norms). */
    public boolean isPlain() {
        return paramOrNull("weight") == null && paramOrNull("bias") == null;
    }

    public Tensor forward(Tensor x) {
        int n = normalizedShape.length;
        if (x.dim() < n || !Arrays.equals(Arrays.copyOfRange(x.shape(), x.dim() - n, x.dim()), normalizedShape)) {
            throw new IllegalArgumentException(describe() + ": input " + Shapes.str(x.shape()) + " must end in "
                    + Shapes.str(normalizedShape));
        }
        return Functional.layerNorm(x, normalizedShape, paramOrNull("weight"), paramOrNull("bias"), eps);
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        return forward(single(inputs));
    }

    @Override
    protected String extraRepr() {
        return Shapes.str(normalizedShape) + ", eps=" + eps + ", elementwise_affine=" + (paramOrNull("weight") != null)
                + (paramOrNull("weight") != null && paramOrNull("bias") == null ? ", bias=false" : "");
    }
}
