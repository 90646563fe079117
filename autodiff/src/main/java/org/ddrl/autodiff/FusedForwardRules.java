package org.ddrl.autodiff;

import java.util.function.BiConsumer;
import org.ddrl.tensor.FusedGrads;
import org.ddrl.tensor.Op;
import org.ddrl.tensor.Tensor;

/**
 * Derivative rules of the fused forward chains, each through its one fused gradient op (FusedGrads), which
 * computes only the gradients some input needs. Per-sample gradients come back as [B, C] and are viewed
 * in the parameter's own shape ([B, C] or [B, 1, ..., 1, C]): no copy.
 */
final class FusedForwardRules {
    private FusedForwardRules() {}

    static void define(BiConsumer<Op, Derivatives.Rule> def) {
        def.accept(Op.LAYER_NORM_MODULATE, (c, g) -> {
            Tensor x = c.in(0), shift = c.in(1), scale = c.in(2);
            FusedGrads.Modulate d = FusedGrads.layerNormModulate(g, x, scale, c.attrs.d("eps"), c.needs(0), c.needs(1), c.needs(2));
            return new Tensor[] {d.input(), as(d.shift(), shift), as(d.scale(), scale)};
        });
        // x + gate * y: the gradient of x is g itself
        def.accept(Op.GATED_RESIDUAL, (c, g) -> {
            Tensor y = c.in(1), gate = c.in(2);
            FusedGrads.GatedResidual d = c.needs(1) || c.needs(2)
                    ? FusedGrads.gatedResidual(g, y, gate, c.needs(1), c.needs(2)) : new FusedGrads.GatedResidual(null, null);
            return new Tensor[] {c.needs(0) ? g : null, d.y(), as(d.gate(), gate)};
        });
        def.accept(Op.BIAS_GELU, (c, g) -> {
            FusedGrads.BiasGelu d = FusedGrads.biasGelu(g, c.in(0), c.in(1), c.attrs.s("approximate"), c.needs(0), c.needs(1));
            return new Tensor[] {d.input(), d.bias()};
        });
    }

    private static Tensor as(Tensor grad, Tensor param) {
        return grad == null ? null : grad.view(param.shape());
    }
}
