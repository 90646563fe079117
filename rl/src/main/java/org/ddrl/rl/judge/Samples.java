package org.ddrl.rl.judge;

import java.util.List;
import java.util.Objects;
import org.ddrl.diffusion.data.Attributes;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;

/**
 * Videos an arm generated for evaluation: videos [N, 3, frames, height, width] in [-1, 1], the prompt each was asked
 * for, and the seed of its initial noise. The pair (prompt, seed) names a video across arms: the judge vote compares
 * the videos of two arms that share it.
 */
public record Samples(Tensor videos, List<Attributes> prompts, long[] seeds) {
    public Samples {
        Objects.requireNonNull(videos, "videos");
        int[] s = videos.shape();
        if (s.length != 5 || s[1] != 3) {
            throw new IllegalArgumentException("Samples: expected videos [N, 3, frames, height, width], got " + Shapes.str(s));
        }
        if (prompts.size() != s[0] || seeds.length != s[0]) {
            throw new IllegalArgumentException("Samples: " + s[0] + " videos but " + prompts.size() + " prompts and " + seeds.length + " seeds");
        }
        prompts = List.copyOf(prompts);
        seeds = seeds.clone();
    }

    public int size() {
        return seeds.length;
    }

    /** The name of video i across arms: its caption and seed. */
    public String key(int i) {
        return prompts.get(i).caption() + " #" + seeds[i];
    }

    @Override
    public long[] seeds() {
        return seeds.clone();
    }
}
