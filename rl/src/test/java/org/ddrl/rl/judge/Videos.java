package org.ddrl.rl.judge;

import java.util.ArrayList;
import java.util.List;
import org.ddrl.diffusion.data.Attributes;
import org.ddrl.diffusion.data.MovingShapes;
import org.ddrl.diffusion.data.MovingShapesConfig;
import org.ddrl.diffusion.data.Split;
import org.ddrl.tensor.Tensor;

/** Real tiny videos for the judge's tests, and the distortions a reward hacker would produce. */
final class Videos {
    static final MovingShapesConfig CONFIG = MovingShapesConfig.TINY;

    private Videos() {}

    /** The first n videos of a split drawn with a seed, [n, 3, 8, 16, 16]. */
    static Tensor real(Split split, int n, long seed) {
        int[] indices = new int[n];
        for (int i = 0; i < n; i++) indices[i] = i;
        return new MovingShapes(CONFIG, split, n, seed).batch(indices).videos();
    }

    /** Real videos of {@code prompts} prompts (training combinations) with {@code seeds} seeds each, prompt-major. */
    static Samples samples(int prompts, int seeds) {
        List<Attributes> combos = MovingShapes.combinations(Split.TRAIN), asked = new ArrayList<>();
        long[] seedOf = new long[prompts * seeds];
        Tensor[] videos = new Tensor[prompts * seeds];
        for (int p = 0; p < prompts; p++) {
            Attributes a = combos.get(p * combos.size() / prompts);
            for (int s = 0; s < seeds; s++) {
                int i = p * seeds + s;
                asked.add(a);
                seedOf[i] = 1000 + s;
                videos[i] = MovingShapes.generate(CONFIG, a, seedOf[i], s);
            }
        }
        return new Samples(Tensor.stack(0, videos), asked, seedOf);
    }

    /** Each pixel's distance from its own grey scaled by k (k > 1 over-colours), clamped to [-1, 1]. */
    static Tensor saturate(Tensor videos, double k) {
        Tensor grey = videos.mean(1, true);
        return grey.add(videos.sub(grey).mul(k)).clamp(-1, 1);
    }
}
