package org.ddrl.diffusion.train;

import org.ddrl.diffusion.config.ModelConfig;
import org.ddrl.diffusion.config.TextSettings;
import org.ddrl.diffusion.data.Attributes;
import org.ddrl.diffusion.model.TextToVideo;
import org.ddrl.diffusion.model.UNet3D;
import org.ddrl.diffusion.model.VideoDiT;
import org.ddrl.diffusion.text.TextEncoder;
import org.ddrl.diffusion.text.Vocabulary;
import org.ddrl.diffusion.text.WordTokenizer;
import org.ddrl.tensor.rng.Generator;

/** Builds the text-to-video model and the caption tokenizer a {@link ModelConfig} describes. */
public final class Models {
    private Models() {}

    /** The moving-shapes caption words after the special tokens. */
    public static Vocabulary captionVocabulary() {
        return Vocabulary.of(Attributes.vocabulary());
    }

    public static WordTokenizer tokenizer(Vocabulary vocab, ModelConfig config) {
        return new WordTokenizer(vocab, config.text().maxLength());
    }

    /** The text encoder and the configured backbone, initialised from {@code gen} (text encoder first). */
    public static TextToVideo<?> build(ModelConfig config, Vocabulary vocab, Generator gen) {
        TextSettings t = config.text();
        TextEncoder text = new TextEncoder(vocab.size(), t.maxLength(), t.width(), t.depth(), t.heads(), gen);
        return switch (config.arch()) {
            case "dit" -> new TextToVideo<>(text, new VideoDiT(config.ditConfig(), gen));
            case "unet" -> new TextToVideo<>(text, new UNet3D(config.unetConfig(), gen));
            default -> throw new IllegalArgumentException("Models.build: unknown architecture '" + config.arch() + "'; known: " + ModelConfig.ARCHS);
        };
    }
}
