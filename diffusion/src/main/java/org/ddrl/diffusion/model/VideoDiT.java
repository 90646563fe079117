package org.ddrl.diffusion.model;

import org.ddrl.autodiff.nn.Linear;
import org.ddrl.autodiff.nn.Module;
import org.ddrl.autodiff.nn.ModuleList;
import org.ddrl.autodiff.nn.MultiheadAttention;
import org.ddrl.autodiff.nn.Rope3d;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;

/**
 * A text-conditioned video diffusion transformer (DiT with cross-attention, as in PixArt and Wan):
 * <ol>
 *   <li>patchify x_t [B, C, T, H, W] into T/pt * H/ph * W/pw tokens and embed them (x_embedder, a Linear on
 *       the patch values, equal to a Conv3d with stride = kernel = patch size);</li>
 *   <li>embed the noise level t [B] (t_embedder), the conditioning of every adaLN modulation; with
 *       {@link DiTConfig#pooledText()}, plus a linear map (text_pool) of the mean caption token, so that the caption
 *       modulates every block directly, as a class label does in DiT;</li>
 *   <li>{@code depth} {@link DiTBlock}s: adaLN-Zero self-attention over all space-time tokens with a 3D
 *       rotary embedding of the (t, h, w) patch position (the only position signal), cross-attention
 *       to the caption tokens, adaLN-Zero MLP;</li>
 *   <li>the {@link DiTFinalLayer} (zero-initialized) and unpatchify to the velocity [B, C_out, T, H, W].</li>
 * </ol>
 * An untrained model outputs exactly zero and each block is the identity.
 */
public final class VideoDiT extends Module implements VideoModel {
    private final DiTConfig config;
    private final Linear xEmbedder;
    private final TimestepEmbedding tEmbedder;
    private final ModuleList<DiTBlock> blocks;
    private final DiTFinalLayer finalLayer;
    private final Rope3d rope;
    private final Linear textPool;
    private boolean checkpointing;

    public VideoDiT(DiTConfig config, Generator gen) {
        this.config = config;
        xEmbedder = registerModule("x_embedder", new Linear(config.patchInFeatures(), config.width(), gen));
        tEmbedder = registerModule("t_embedder", new TimestepEmbedding(config.frequencyDim(), config.width(), gen));
        blocks = registerModule("blocks", new ModuleList<>());
        for (int i = 0; i < config.depth(); i++) blocks.add(new DiTBlock(config, gen));
        finalLayer = registerModule("final_layer", new DiTFinalLayer(config));
        rope = new Rope3d(config.headDim(), config.ropeTheta());
        textPool = config.pooledText() ? registerModule("text_pool", new Linear(config.textDim(), config.width(), gen)) : null;
    }

    public DiTConfig config() {
        return config;
    }

    @Override
    public Tensor forward(Tensor xt, Tensor t, Tensor text, Tensor textMask) {
        VideoInputs.check(describe(), this, xt, t, text, textMask);
        int[] grid = {xt.size(2) / config.patchT(), xt.size(3) / config.patchH(), xt.size(4) / config.patchW()};
        Tensor x = xEmbedder.forward(Patches.patchify(xt, config.patchT(), config.patchH(), config.patchW()));
        Tensor c = tEmbedder.forward(t);
        if (textPool != null) c = c.add(textPool.forward(pooled(text, textMask)));
        Tensor textPadding = textMask.logicalNot();
        Rope3d.Tables tables = rope.tables(grid[0], grid[1], grid[2]);
        MultiheadAttention.RopeInput ropeIn = new MultiheadAttention.RopeInput(rope, tables);
        for (DiTBlock block : blocks) {
            x = BlockCheckpoint.run(checkpointing, block, in -> block.forward(in[0], in[1], in[2], textPadding, ropeIn), x, c, text);
        }
        Tensor patches = finalLayer.forward(x, c);
        return Patches.unpatchify(patches, config.outChannels(), grid, config.patchT(), config.patchH(), config.patchW());
    }

    /**
     * The mean of the real caption tokens, [B, text_dim]. The text encoder's output is zero at padding already; the
     * mask is applied again so that a caller's own embeddings with non-zero padding are pooled the same way.
     */
    private static Tensor pooled(Tensor text, Tensor textMask) {
        Tensor m = textMask.to(text.dtype());
        return text.mul(m.unsqueeze(-1)).sum(1).div(m.sum(1, true));
    }

    @Override
    public void setGradientCheckpointing(boolean on) {
        checkpointing = on;
    }

    @Override
    public boolean gradientCheckpointing() {
        return checkpointing;
    }

    @Override
    public int inChannels() {
        return config.inChannels();
    }

    @Override
    public int outChannels() {
        return config.outChannels();
    }

    @Override
    public int textDim() {
        return config.textDim();
    }

    @Override
    protected String extraRepr() {
        return "patch=" + config.patchT() + "x" + config.patchH() + "x" + config.patchW() + ", width=" + config.width() + ", depth="
                + config.depth() + ", heads=" + config.heads() + (config.pooledText() ? ", pooled_text" : "");
    }
}
