package org.ddrl.rl.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How rewards become advantages.
 *
 * @param normalization     which mean and std standardise a reward, see {@link Normalization}
 * @param stdEps            eps in (r - mean) / (std + eps) (DDRL and Flow-GRPO 1e-4, DanceGRPO 1e-8, DDPO 1e-6)
 * @param unbiasedStd       GROUP only: the n - 1 std (torch.std: DDRL, DanceGRPO) instead of the population std
 * @param clip              advantages are clamped to [-clip, clip] last (5 in every reference)
 * @param expTransform      apply the DDRL paper's lambda, A -> -exp(-A), before the clip (off in the released presets)
 * @param trackerBufferSize PER_PROMPT_TRACKER only: rewards kept per prompt across iterations (16)
 * @param trackerMinCount   PER_PROMPT_TRACKER only: below this many buffered rewards the batch statistics are used (16)
 */
public record AdvantageConfig(Normalization normalization, double stdEps, boolean unbiasedStd, double clip, boolean expTransform,
                              int trackerBufferSize, int trackerMinCount) {
    /** Which statistics standardise a reward. */
    public enum Normalization {
        /** Mean and std of the reward's group (the rollouts of one prompt): GRPO, DDRL, DanceGRPO. */
        @JsonProperty("group") GROUP,
        /** Mean of the reward's group, population std of the whole batch (Flow-GRPO's global_std). */
        @JsonProperty("group_mean_global_std") GROUP_MEAN_GLOBAL_STD,
        /** DDPO's per-prompt buffers of recent rewards, kept across iterations (population std). */
        @JsonProperty("per_prompt_tracker") PER_PROMPT_TRACKER
    }

    public AdvantageConfig {
        Checks.present("normalization", normalization);
        Checks.atLeast("std_eps", stdEps, 0);
        Checks.positive("clip", clip);
        Checks.positive("tracker_buffer_size", trackerBufferSize);
        Checks.atLeast("tracker_min_count", trackerMinCount, 0);
    }
}
