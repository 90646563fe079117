package org.ddrl.diffusion.train;

import java.util.Collections;
import java.util.List;
import org.ddrl.diffusion.model.TextToVideo;
import org.ddrl.diffusion.sampling.Conditioning;
import org.ddrl.diffusion.sampling.VelocityModel;
import org.ddrl.diffusion.text.Tokens;
import org.ddrl.diffusion.text.Vocabulary;
import org.ddrl.diffusion.text.WordTokenizer;
import org.ddrl.tensor.Tensor;

/**
 * A {@link TextToVideo} model as the samplers see it. The conditioning carries the captions' token ids [B, L] (the
 * mask is where they are not {@code <pad>}), and its unconditional variant the ids of the empty caption, the input
 * the model learned under text dropout; the text encoder runs inside each velocity call, so gradients reach it too.
 */
public final class CaptionVelocity implements VelocityModel {
    private final TextToVideo<?> model;
    private final WordTokenizer tokenizer;

    public CaptionVelocity(TextToVideo<?> model, WordTokenizer tokenizer) {
        this.model = model;
        this.tokenizer = tokenizer;
    }

    public TextToVideo<?> model() {
        return model;
    }

    public WordTokenizer tokenizer() {
        return tokenizer;
    }

    /** The captions, with as many empty captions as the unconditional branch. */
    public Conditioning condition(List<String> captions) {
        Tensor ids = tokenizer.encode(captions).ids();
        Tensor empty = tokenizer.encode(Collections.nCopies(captions.size(), "")).ids();
        return Conditioning.of(ids, empty);
    }

    @Override
    public Tensor velocity(Tensor xt, Tensor t, Conditioning cond) {
        Tensor ids = cond.embedding();
        if (ids == null) {
            throw new IllegalArgumentException("CaptionVelocity: the conditioning carries no token ids; build it with condition(captions)");
        }
        return model.forward(xt, t, new Tokens(ids, ids.ne(Vocabulary.PAD_ID)));
    }
}
