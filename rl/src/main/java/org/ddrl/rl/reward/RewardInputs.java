package org.ddrl.rl.reward;

import java.util.List;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;

/** Argument checks shared by the rewards, with messages naming the reward. */
final class RewardInputs {
    private RewardInputs() {}

    /** Checks the videos (see {@link #checkVideos}) and that there is one prompt per video. */
    static void check(String reward, Tensor videos, List<String> prompts) {
        checkVideos(reward, videos);
        if (prompts == null || prompts.size() != videos.size(0)) {
            throw new IllegalArgumentException(reward + ": got " + videos.size(0) + " videos but " + (prompts == null ? "no" : prompts.size())
                    + " prompts; each video needs its prompt");
        }
    }

    /** Checks that videos are floating [B, 3, T, H, W] with B >= 1. */
    static void checkVideos(String reward, Tensor videos) {
        if (videos.dim() != 5 || videos.size(1) != 3 || videos.size(0) < 1 || !videos.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(reward + ": videos must be floating [B, 3, T, H, W] with B >= 1, got " + videos.dtype()
                    + Shapes.str(videos.shape()));
        }
    }
}
