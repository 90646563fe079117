package org.ddrl.diffusion.sampling;

import org.ddrl.tensor.Tensor;

/**
 * What a model is conditioned on, opaque to the samplers: a text embedding (or null for none) together with
 * the unconditional variant that classifier-free guidance contrasts it with (the negative or empty prompt's
 * embedding; null when the model's unconditional branch takes no embedding).
 */
public final class Conditioning {
    private static final Conditioning NONE = new Conditioning(null, null, true);

    private final Tensor embedding;
    private final Tensor unconditionalEmbedding;
    private final boolean unconditional;

    private Conditioning(Tensor embedding, Tensor unconditionalEmbedding, boolean unconditional) {
        this.embedding = embedding;
        this.unconditionalEmbedding = unconditionalEmbedding;
        this.unconditional = unconditional;
    }

    /** No conditioning at all (an unconditional model). */
    public static Conditioning none() {
        return NONE;
    }

    /** A prompt embedding whose unconditional variant has no embedding. */
    public static Conditioning of(Tensor embedding) {
        return new Conditioning(embedding, null, false);
    }

    /** A prompt embedding and the negative/empty-prompt embedding that guidance contrasts it with. */
    public static Conditioning of(Tensor embedding, Tensor unconditionalEmbedding) {
        return new Conditioning(embedding, unconditionalEmbedding, false);
    }

    /** The embedding the model should read; null when there is none. */
    public Tensor embedding() {
        return embedding;
    }

    /** Whether this is the unconditional branch (see {@link #unconditional()}). */
    public boolean isUnconditional() {
        return unconditional;
    }

    /** The unconditional branch: its embedding is the unconditional embedding; it is its own unconditional. */
    public Conditioning unconditional() {
        if (unconditional) return this;
        return unconditionalEmbedding == null ? NONE : new Conditioning(unconditionalEmbedding, unconditionalEmbedding, true);
    }
}
