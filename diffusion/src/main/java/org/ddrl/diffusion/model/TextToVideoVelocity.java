package org.ddrl.diffusion.model;

import java.util.Collections;
import java.util.List;
import org.ddrl.diffusion.sampling.Conditioning;
import org.ddrl.diffusion.sampling.VelocityModel;
import org.ddrl.diffusion.text.Tokens;
import org.ddrl.diffusion.text.Vocabulary;
import org.ddrl.diffusion.text.WordTokenizer;
import org.ddrl.tensor.Tensor;

/**
 * A {@link TextToVideo} as the samplers' {@link VelocityModel}. The {@link Conditioning}'s embedding is the
 * captions' token ids [B, L] (I64) rather than an embedding: the text encoder is part of the trained model,
 * so it runs inside every velocity call and RL gradients reach it. The mask is recovered as ids != {@code <pad>}
 * (padding only ever follows the words). Build conditionings with {@link #conditioning}, whose
 * unconditional branch is the empty caption the model saw under text dropout.
 */
public final class TextToVideoVelocity implements VelocityModel {
    private final TextToVideo<?> model;

    public TextToVideoVelocity(TextToVideo<?> model) {
        this.model = model;
    }

    /** The captions' ids, with the same number of empty captions as the unconditional branch. */
    public static Conditioning conditioning(WordTokenizer tokenizer, List<String> captions) {
        Tensor ids = tokenizer.encode(captions).ids();
        Tensor empty = tokenizer.encode(Collections.nCopies(captions.size(), "")).ids();
        return Conditioning.of(ids, empty);
    }

    @Override
    public Tensor velocity(Tensor xt, Tensor t, Conditioning cond) {
        Tensor ids = cond.embedding();
        if (ids == null) {
            throw new IllegalArgumentException("TextToVideoVelocity: the conditioning has no token ids; a text-to-video model always"
                    + " reads a caption (the empty one for the unconditional branch), see TextToVideoVelocity.conditioning");
        }
        return model.forward(xt, t, new Tokens(ids, ids.ne(Vocabulary.PAD_ID)));
    }
}
