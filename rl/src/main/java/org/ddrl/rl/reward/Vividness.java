package org.ddrl.rl.reward;

import java.util.List;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.GradMode;
import org.ddrl.tensor.Tensor;

/**
 * Visual vividness, the experiment's analytic proxy that over-colouring maximises. With each pixel's colour
 * mapped from [-1, 1] to [0, 1] (and clamped):
 * <pre>
 *   saturation = mean over pixels and frames of (max(r, g, b) - min(r, g, b)) / max(max(r, g, b), 1e-6)   (HSV saturation, in [0, 1])
 *   contrast   = mean over frames of the population std over the frame's pixels of the luma
 *                Y = 0.299 r + 0.587 g + 0.114 b                                                     (in [0, 0.5])
 *   vividness  = saturationWeight * saturation + contrastWeight * contrast
 * </pre>
 * Both parts ignore the prompt. The luma weights are BT.601's. Computed in F32 on the videos' device.
 */
public final class Vividness implements Reward {
    private static final double EPS = 1e-6;

    private final double saturationWeight;
    private final double contrastWeight;

    public Vividness(double saturationWeight, double contrastWeight) {
        if (!Double.isFinite(saturationWeight) || !Double.isFinite(contrastWeight)) {
            throw new IllegalArgumentException("Vividness: weights must be finite, got saturation " + saturationWeight + ", contrast "
                    + contrastWeight);
        }
        this.saturationWeight = saturationWeight;
        this.contrastWeight = contrastWeight;
    }

    /** Saturation and contrast weighted 1 each. */
    public Vividness() {
        this(1, 1);
    }

    @Override
    public String name() {
        return "vividness";
    }

    @Override
    public Tensor score(Tensor videos, List<String> prompts) {
        RewardInputs.check("Vividness", videos, prompts);
        try (var noGrad = GradMode.noGrad()) {
            return saturation(videos).mul(saturationWeight).add(contrast(videos).mul(contrastWeight));
        }
    }

    /** The mean HSV saturation of each video, F32 [B]. */
    public static Tensor saturation(Tensor videos) {
        RewardInputs.checkVideos("Vividness.saturation", videos);
        try (var noGrad = GradMode.noGrad()) {
            Tensor rgb = unit(videos);
            Tensor max = rgb.max(1, false), min = rgb.min(1, false);
            return max.sub(min).div(max.maximum(EPS)).mean(new int[] {1, 2, 3}, false);
        }
    }

    /** The mean over frames of each frame's luma std, F32 [B]. */
    public static Tensor contrast(Tensor videos) {
        RewardInputs.checkVideos("Vividness.contrast", videos);
        try (var noGrad = GradMode.noGrad()) {
            Tensor rgb = unit(videos);
            Tensor luma = rgb.select(1, 0).mul(0.299).add(rgb.select(1, 1).mul(0.587)).add(rgb.select(1, 2).mul(0.114));
            return luma.std(new int[] {2, 3}, 0, false).mean(1);
        }
    }

    private static Tensor unit(Tensor videos) {
        return videos.to(DType.F32).add(1).mul(0.5).clamp(0, 1);
    }
}
