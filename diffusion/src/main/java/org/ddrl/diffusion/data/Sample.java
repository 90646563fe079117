package org.ddrl.diffusion.data;

import java.util.Objects;
import org.ddrl.tensor.Tensor;

/**
 * One video of a {@link Dataset}: an F32 tensor [3, frames, height, width] with values in [-1, 1], its caption
 * (empty when the source has none) and its attributes (null when they are unknown, as for a user's own videos).
 */
public record Sample(Tensor video, String caption, Attributes attributes) {
    public Sample {
        Objects.requireNonNull(video, "video");
        Objects.requireNonNull(caption, "caption");
    }
}
