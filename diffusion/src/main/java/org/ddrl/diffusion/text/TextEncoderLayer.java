package org.ddrl.diffusion.text;

import org.ddrl.autodiff.nn.FeedForward;
import org.ddrl.autodiff.nn.LayerNorm;
import org.ddrl.autodiff.nn.Module;
import org.ddrl.autodiff.nn.MultiheadAttention;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;

/** A pre-norm transformer encoder layer: x + attn(norm1(x)), then + mlp(norm2(x)); padded keys are masked. */
final class TextEncoderLayer extends Module {
    private final LayerNorm norm1;
    private final MultiheadAttention attn;
    private final LayerNorm norm2;
    private final FeedForward mlp;

    TextEncoderLayer(int dim, int heads, int mlpHidden, Generator gen) {
        norm1 = registerModule("norm1", new LayerNorm(dim));
        attn = registerModule("attn", new MultiheadAttention(dim, heads, gen));
        norm2 = registerModule("norm2", new LayerNorm(dim));
        mlp = registerModule("mlp", new FeedForward(dim, mlpHidden, FeedForward.Activation.GELU, true, gen));
    }

    /** x [B, L, dim]; keyPadding [B, L] BOOL, true = padding. */
    Tensor forward(Tensor x, Tensor keyPadding) {
        Tensor h = norm1.forward(x);
        x = x.add(attn.forward(h, h, h, null, keyPadding, false, null));
        return x.add(mlp.forward(norm2.forward(x)));
    }
}
