package org.ddrl.diffusion.text;

import org.ddrl.autodiff.nn.Embedding;
import org.ddrl.autodiff.nn.LayerNorm;
import org.ddrl.autodiff.nn.Module;
import org.ddrl.autodiff.nn.ModuleList;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;

/**
 * A small transformer over caption tokens, trained together with the video model (it is an ordinary
 * module whose parameters go to the same optimizer): token embedding + learned position embedding, depth
 * pre-norm encoder layers (self-attention with padded keys masked, GELU MLP), a final LayerNorm.
 * ids [B, L] and mask [B, L] (true = real token) give token embeddings [B, L, dim], zero at padded
 * positions; the video models take them with the same mask.
 */
public final class TextEncoder extends Module {
    private final int dim;
    private final int maxLength;
    private final Embedding tokens;
    private final Embedding positions;
    private final ModuleList<TextEncoderLayer> layers;
    private final LayerNorm norm;

    public TextEncoder(int vocabSize, int maxLength, int dim, int depth, int heads, Generator gen) {
        if (maxLength < 1 || depth < 0) {
            throw new IllegalArgumentException("TextEncoder: need max length >= 1 and depth >= 0, got " + maxLength + " and " + depth);
        }
        this.dim = dim;
        this.maxLength = maxLength;
        tokens = registerModule("tokens", new Embedding(vocabSize, dim, gen));
        positions = registerModule("positions", new Embedding(maxLength, dim, gen));
        layers = registerModule("layers", new ModuleList<>());
        for (int i = 0; i < depth; i++) layers.add(new TextEncoderLayer(dim, heads, 4 * dim, gen));
        norm = registerModule("norm", new LayerNorm(dim));
    }

    /** Width of the token embeddings (the video models' text width). */
    public int dim() {
        return dim;
    }

    public int maxLength() {
        return maxLength;
    }

    public Tensor forward(Tokens t) {
        return forward(t.ids(), t.mask());
    }

    /** ids [B, L] (L <= maxLength), mask [B, L] BOOL with true = real token; returns [B, L, dim]. */
    public Tensor forward(Tensor ids, Tensor mask) {
        Tokens checked = new Tokens(ids, mask);
        if (checked.length() > maxLength) {
            throw new IllegalArgumentException(describe() + ": ids " + Shapes.str(ids.shape()) + " are longer than max length " + maxLength);
        }
        Tensor x = tokens.forward(ids).add(positions.forward(Tensor.arange(ids.size(1)).to(ids.device())));
        Tensor keyPadding = mask.logicalNot();
        for (TextEncoderLayer layer : layers) x = layer.forward(x, keyPadding);
        return norm.forward(x).mul(mask.unsqueeze(-1).to(x.dtype()));
    }

    @Override
    protected String extraRepr() {
        return "dim=" + dim + ", max_length=" + maxLength + ", depth=" + layers.size();
    }
}
