package org.ddrl.rl.policy;

import java.util.List;
import java.util.function.Supplier;
import org.ddrl.autodiff.nn.Module;
import org.ddrl.diffusion.model.TextToVideo;
import org.ddrl.diffusion.model.TextToVideoVelocity;
import org.ddrl.diffusion.model.VideoModel;
import org.ddrl.diffusion.sampling.Conditioning;
import org.ddrl.diffusion.text.WordTokenizer;
import org.ddrl.tensor.Device;

/**
 * The experiment's policies: a {@link TextToVideo} model (video network and text encoder, trained together) as a
 * {@link ModulePolicy}. Captions become token ids on the model's device ({@link TextToVideoVelocity#conditioning}),
 * with the empty caption as the unconditional branch, so the text encoder runs inside every velocity call and RL
 * gradients reach it.
 */
public final class TextToVideoPolicy {
    private TextToVideoPolicy() {}

    /**
     * @param model     the model to fine-tune
     * @param blank     builds a model of the same architecture (any weights), for frozen copies
     * @param tokenizer the tokenizer the model was trained with
     */
    public static <M extends Module & VideoModel> ModulePolicy<TextToVideo<M>> of(TextToVideo<M> model, Supplier<TextToVideo<M>> blank,
                                                                                 WordTokenizer tokenizer) {
        return new ModulePolicy<>(model, blank, (m, xt, t, cond) -> new TextToVideoVelocity(m).velocity(xt, t, cond),
                (m, captions) -> conditioning(m, tokenizer, captions));
    }

    private static Conditioning conditioning(Module model, WordTokenizer tokenizer, List<String> captions) {
        Conditioning c = TextToVideoVelocity.conditioning(tokenizer, captions);
        Device device = model.parameters().getFirst().device();
        return Conditioning.of(c.embedding().to(device), c.unconditional().embedding().to(device));
    }
}
