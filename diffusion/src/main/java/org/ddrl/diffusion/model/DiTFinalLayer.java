package org.ddrl.diffusion.model;

import org.ddrl.autodiff.nn.AdaLNModulation;
import org.ddrl.autodiff.nn.LayerNorm;
import org.ddrl.autodiff.nn.Linear;
import org.ddrl.autodiff.nn.Module;
import org.ddrl.tensor.Tensor;

/**
 * The DiT output head: linear(norm(x) * (1 + scale) + shift) with (shift, scale) from the conditioning,
 * tokens [B, N, width] to patch values [B, N, out_channels * pt * ph * pw]. The Linear starts at zero, so
 * an untrained model predicts exactly zero velocity.
 */
final class DiTFinalLayer extends Module {
    private final LayerNorm norm;
    private final AdaLNModulation adaLN;
    private final Linear linear;

    DiTFinalLayer(DiTConfig cfg) {
        int d = cfg.width();
        norm = registerModule("norm", new LayerNorm(new int[] {d}, 1e-6, false, false));
        adaLN = registerModule("adaLN_modulation", new AdaLNModulation(d, d, 2));
        linear = registerModule("linear", Linear.zeros(d, cfg.patchOutFeatures(), true));
    }

    Tensor forward(Tensor x, Tensor c) {
        Tensor[] m = adaLN.chunks(c);
        return linear.forward(AdaLNModulation.modulate(norm, x, m[0], m[1]));
    }
}
