package org.ddrl.diffusion.model;

import org.ddrl.autodiff.nn.Module;
import org.ddrl.diffusion.text.TextEncoder;
import org.ddrl.diffusion.text.Tokens;
import org.ddrl.tensor.Tensor;

/**
 * A video model and the text encoder trained with it, as one module: one parameter list for the
 * optimizer, one state dict ("text_encoder.*", "backbone.*") to save. Captions go in as {@link Tokens}.
 */
public final class TextToVideo<M extends Module & VideoModel> extends Module {
    private final TextEncoder textEncoder;
    private final M backbone;

    public TextToVideo(TextEncoder textEncoder, M backbone) {
        if (textEncoder.dim() != backbone.textDim()) {
            throw new IllegalArgumentException("TextToVideo: the text encoder's width " + textEncoder.dim() + " is not the "
                    + backbone.getClass().getSimpleName() + "'s text dim " + backbone.textDim());
        }
        this.textEncoder = registerModule("text_encoder", textEncoder);
        this.backbone = registerModule("backbone", backbone);
    }

    public TextEncoder textEncoder() {
        return textEncoder;
    }

    public M backbone() {
        return backbone;
    }

    /** x_t [B, C, T, H, W], t [B] in [0, 1], captions of the B samples to the velocity [B, C_out, T, H, W]. */
    public Tensor forward(Tensor xt, Tensor t, Tokens captions) {
        return backbone.forward(xt, t, textEncoder.forward(captions), captions.mask());
    }
}
