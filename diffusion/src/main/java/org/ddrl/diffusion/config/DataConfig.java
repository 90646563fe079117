package org.ddrl.diffusion.config;

import java.util.List;
import java.util.Locale;
import org.ddrl.diffusion.data.MovingShapesConfig;
import org.ddrl.diffusion.data.Split;

/**
 * The moving-shapes videos to train on.
 *
 * @param preset   {@code tiny} (8 frames of 16x16) or {@code standard} (16 frames of 32x32)
 * @param split    {@code train}, {@code validation} or {@code held_out}
 * @param videos   distinct videos in the split; each of its colour-shape-direction combinations gets the same share
 * @param seed     seed of the video generator
 * @param prefetch batches prepared ahead on a background thread
 */
public record DataConfig(String preset, String split, int videos, long seed, int prefetch) {
    public static final List<String> PRESETS = List.of("tiny", "standard");
    public static final List<String> SPLITS = List.of("train", "validation", "held_out");

    public MovingShapesConfig videoConfig() {
        return preset.equals("standard") ? MovingShapesConfig.STANDARD : MovingShapesConfig.TINY;
    }

    public Split dataSplit() {
        return Split.valueOf(split.toUpperCase(Locale.ROOT));
    }

    /** Whether the preset is valid, so that {@link #videoConfig()} means something. */
    boolean validate(ConfigErrors e) {
        boolean ok = e.oneOf("data.preset", preset, PRESETS);
        e.oneOf("data.split", split, SPLITS);
        e.atLeast("data.videos", videos, 1);
        e.atLeast("data.prefetch", prefetch, 1);
        return ok;
    }
}
