package org.ddrl.diffusion.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.ddrl.diffusion.sampling.Conditioning;
import org.ddrl.diffusion.text.TextEncoder;
import org.ddrl.diffusion.text.Vocabulary;
import org.ddrl.diffusion.text.WordTokenizer;
import org.ddrl.tensor.GradMode;
import org.ddrl.tensor.Scope;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;
import org.junit.jupiter.api.Test;

class TextToVideoVelocityTest {
    private static final List<String> CAPTIONS = List.of("a red circle moving left", "a blue square");

    @Test
    void conditionalAndUnconditionalBranchesReadTheCaptionsAndTheEmptyCaption() {
        Generator gen = new Generator(1);
        WordTokenizer tok = new WordTokenizer(Vocabulary.build(CAPTIONS), 6);
        TextEncoder enc = new TextEncoder(tok.vocabulary().size(), 6, 16, 1, 2, gen);
        TextToVideo<VideoDiT> model = new TextToVideo<>(enc, new VideoDiT(new DiTConfig(3, 3, 1, 2, 2, 32, 1, 2, 2.0, 16, 16, 100), gen));
        ModelTesting.perturb(model, 0.05, gen);
        TextToVideoVelocity v = new TextToVideoVelocity(model);
        Conditioning cond = TextToVideoVelocity.conditioning(tok, CAPTIONS);
        try (Scope s = Scope.open(); GradMode.Guard g = GradMode.noGrad()) {
            Tensor xt = Tensor.randn(gen, 2, 3, 2, 4, 4);
            Tensor t = Tensor.of(new float[] {0.3f, 0.6f}, 2);
            Tensor conditional = v.velocity(xt, t, cond);
            assertArrayEquals(model.forward(xt, t, tok.encode(CAPTIONS)).toFloatArray(), conditional.toFloatArray(), 0f);
            Tensor unconditional = v.velocity(xt, t, cond.unconditional());
            assertArrayEquals(model.forward(xt, t, tok.encode(List.of("", ""))).toFloatArray(), unconditional.toFloatArray(), 0f);
            assertTrue(ModelTesting.maxAbsDiff(conditional, unconditional) > 1e-4);
            assertThrows(IllegalArgumentException.class, () -> v.velocity(xt, t, Conditioning.none()));
        }
    }
}
