package org.ddrl.diffusion.model;

import org.ddrl.autodiff.nn.AdaLNModulation;
import org.ddrl.autodiff.nn.FeedForward;
import org.ddrl.autodiff.nn.Init;
import org.ddrl.autodiff.nn.LayerNorm;
import org.ddrl.autodiff.nn.Linear;
import org.ddrl.autodiff.nn.Module;
import org.ddrl.autodiff.nn.MultiheadAttention;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;

/**
 * One video DiT block on tokens x [B, N, width] with conditioning c [B, width]:
 * <pre>
 * (shift1, scale1, gate1, shift2, scale2, gate2) = adaLN(c)
 * x = x + gate1 * self_attn(norm1(x) * (1 + scale1) + shift1)       3D RoPE on q and k
 * x = x + cross_attn(norm2(x), text)                                 padded text tokens masked
 * x = x + gate2 * mlp(norm3(x) * (1 + scale2) + shift2)
 * </pre>
 * adaLN-Zero: the modulation Linear starts at zero, so both gates are 0; the cross-attention's out_proj
 * starts at zero too (it has no gate). Every block therefore starts as the identity map. norm1 and norm3
 * have no affine parameters (the modulation takes their place); norm2 is an ordinary LayerNorm.
 */
final class DiTBlock extends Module {
    private final LayerNorm norm1;
    private final MultiheadAttention attn;
    private final LayerNorm norm2;
    private final MultiheadAttention crossAttn;
    private final LayerNorm norm3;
    private final FeedForward mlp;
    private final AdaLNModulation adaLN;

    DiTBlock(DiTConfig cfg, Generator gen) {
        int d = cfg.width();
        norm1 = registerModule("norm1", new LayerNorm(new int[] {d}, 1e-6, false, false));
        attn = registerModule("attn", new MultiheadAttention(d, cfg.heads(), gen));
        norm2 = registerModule("norm2", new LayerNorm(new int[] {d}, 1e-6, true, true));
        crossAttn = registerModule("cross_attn", new MultiheadAttention(d, cfg.heads(), cfg.textDim(), cfg.textDim(), true, gen));
        Linear crossOut = (Linear) crossAttn.getSubmodule("out_proj");
        Init.zeros(crossOut.weight());
        Init.zeros(crossOut.bias());
        norm3 = registerModule("norm3", new LayerNorm(new int[] {d}, 1e-6, false, false));
        mlp = registerModule("mlp", new FeedForward(d, cfg.mlpHidden(), FeedForward.Activation.GELU_TANH, true, gen));
        adaLN = registerModule("adaLN_modulation", new AdaLNModulation(d, d, 6));
    }

    /** x [B, N, width], c [B, width], text [B, L, text_dim], textPadding [B, L] BOOL (true = padding). */
    Tensor forward(Tensor x, Tensor c, Tensor text, Tensor textPadding, MultiheadAttention.RopeInput rope) {
        Tensor[] m = adaLN.chunks(c);
        // norm + modulate and the gated residuals are one fused op each (see AdaLNModulation)
        Tensor h = AdaLNModulation.modulate(norm1, x, m[0], m[1]);
        x = AdaLNModulation.gatedResidual(x, attn.forward(h, h, h, null, null, false, rope), m[2]);
        Tensor q = norm2.forward(x);
        x = x.add(crossAttn.forward(q, text, text, null, textPadding, false, null));
        h = AdaLNModulation.modulate(norm3, x, m[3], m[4]);
        return AdaLNModulation.gatedResidual(x, mlp.forward(h), m[5]);
    }
}
