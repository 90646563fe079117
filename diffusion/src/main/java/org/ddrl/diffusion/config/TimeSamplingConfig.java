package org.ddrl.diffusion.config;

import java.util.List;
import org.ddrl.diffusion.noise.TimeSampler;

/**
 * The distribution of the noise level t of each training video.
 *
 * @param distribution {@code uniform} on [0, 1) or {@code logit_normal}, t = sigmoid(mean + std z)
 * @param mean         of the logit-normal
 * @param std          of the logit-normal
 * @param shift        timestep shift s t / (1 + (s - 1) t) applied after drawing; 1 leaves t as drawn
 */
public record TimeSamplingConfig(String distribution, double mean, double std, double shift) {
    public static final List<String> DISTRIBUTIONS = List.of("uniform", "logit_normal");

    public TimeSampler sampler() {
        TimeSampler base = distribution.equals("uniform") ? TimeSampler.uniform() : TimeSampler.logitNormal(mean, std);
        return base.withShift(shift);
    }

    void validate(ConfigErrors e) {
        if (e.oneOf("train.time.distribution", distribution, DISTRIBUTIONS) && distribution.equals("logit_normal")) {
            e.finite("train.time.mean", mean);
            e.nonNegative("train.time.std", std);
        }
        e.positive("train.time.shift", shift);
    }
}
