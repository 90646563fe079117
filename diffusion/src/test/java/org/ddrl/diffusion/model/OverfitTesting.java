package org.ddrl.diffusion.model;

import java.util.Arrays;
import java.util.List;
import org.ddrl.autodiff.nn.Module;
import org.ddrl.autodiff.optim.AdamW;
import org.ddrl.diffusion.text.TextEncoder;
import org.ddrl.diffusion.text.Vocabulary;
import org.ddrl.diffusion.text.Tokens;
import org.ddrl.diffusion.text.WordTokenizer;
import org.ddrl.tensor.Scope;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;

/**
 * Memorizing one fixed batch with the flow-matching loss, the smallest end-to-end check that a model, its
 * text encoder and the optimizer learn together: x_t = (1 - t) x0 + t eps, target velocity eps - x0, with
 * x0, eps and t drawn once.
 */
final class OverfitTesting {
    private OverfitTesting() {}

    static final List<String> CAPTIONS = List.of("a red square moving right", "a green square moving left",
            "a blue square moving down", "a yellow square moving up");
    private static final float[][] COLOURS = {{1, -1, -1}, {-1, 1, -1}, {-1, -1, 1}, {1, 1, -1}};
    private static final int[][] MOTION = {{0, 1}, {0, -1}, {1, 0}, {-1, 0}};

    /** The four captioned videos [4, 3, frames, size, size]: a square of side size / 4 crossing a dark background. */
    static Tensor videos(int frames, int size) {
        int side = size / 4;
        float[] v = new float[4 * 3 * frames * size * size];
        Arrays.fill(v, -0.8f);
        for (int b = 0; b < 4; b++) {
            for (int f = 0; f < frames; f++) {
                int y0 = Math.floorMod(size / 2 + MOTION[b][0] * f, size - side), x0 = Math.floorMod(size / 2 + MOTION[b][1] * f, size - side);
                for (int c = 0; c < 3; c++) {
                    for (int y = y0; y < y0 + side; y++) {
                        for (int x = x0; x < x0 + side; x++) v[(((b * 3 + c) * frames + f) * size + y) * size + x] = COLOURS[b][c];
                    }
                }
            }
        }
        return Tensor.of(v, 4, 3, frames, size, size);
    }

    /** Trains for steps on a fixed batch of the first {@code count} videos; returns the loss of every step. */
    static <M extends Module & VideoModel> double[] train(M backbone, int count, int frames, int size, int steps, double lr,
                                                          Generator gen) {
        WordTokenizer tok = new WordTokenizer(Vocabulary.build(CAPTIONS), 8);
        TextEncoder enc = new TextEncoder(tok.vocabulary().size(), tok.maxLength(), backbone.textDim(), 1, 4, gen);
        TextToVideo<M> model = new TextToVideo<>(enc, backbone);
        AdamW opt = new AdamW(model.parameters(), new AdamW.Options().lr(lr).weightDecay(0));
        Tokens tokens = tok.encode(CAPTIONS.subList(0, count));
        Tensor x0 = videos(frames, size).slice(0, 0, count);
        Tensor eps = Tensor.randn(gen, x0.shape());
        Tensor t = Tensor.linspace(0.2, 0.8, count);
        Tensor tb = t.reshape(count, 1, 1, 1, 1);
        Tensor xt = x0.mul(tb.rsub(1)).add(eps.mul(tb));
        Tensor target = eps.sub(x0);
        double[] losses = new double[steps];
        for (int i = 0; i < steps; i++) {
            try (Scope s = Scope.open()) {
                opt.zeroGrad();
                Tensor loss = model.forward(xt, t, tokens).sub(target).pow(2).mean();
                loss.backward();
                opt.step();
                losses[i] = loss.item();
            }
        }
        return losses;
    }
}
