package org.ddrl.diffusion.model;

import org.ddrl.tensor.Tensor;

/**
 * What a text-conditioned video denoiser computes, whatever its architecture: the flow-matching velocity
 * of a noisy video given its noise level and the caption's token embeddings.
 */
public interface VideoModel {
    /**
     * @param xt       the noisy video [B, C_in, T, H, W]
     * @param t        the noise level of each sample [B], in [0, 1] (0 = data, 1 = noise)
     * @param text     caption token embeddings [B, L, text_dim]
     * @param textMask [B, L] BOOL, true = a real token, false = padding (padded tokens are never attended to)
     * @return the predicted velocity [B, C_out, T, H, W]
     */
    Tensor forward(Tensor xt, Tensor t, Tensor text, Tensor textMask);

    /** Recompute each block's activations during backward instead of keeping them (less memory, one more forward). */
    void setGradientCheckpointing(boolean on);

    boolean gradientCheckpointing();

    int inChannels();

    int outChannels();

    /** The width of the text embeddings it attends to. */
    int textDim();
}
