package org.ddrl.rl.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * DDRL's data regularizer: {@code data_beta * w(sigma) * mean (x0 - D(x0 + sigma z0, sigma, c))^2} on the anchor video
 * paired with the prompt, at the trained rollout step's noise level sigma and with that rollout's own initial noise z0
 * (cosmos-rl's use_rl_sigma_and_noise), w(sigma) = (sigma^2 + 1) / sigma^2.
 *
 * @param dataBeta           weight of the data loss (0.01)
 * @param textDropout        probability that a sample's caption is replaced by "" in the data loss (0.2, as in
 *                           pre-training; keeps the unconditional branch trained)
 * @param anchor             which videos anchor the policy, see {@link Anchor}
 * @param syntheticPoolSize  SYNTHETIC only: how many prompts (the first ones of the prompt dataset) get a base-model
 *                           sample before training; prompts are then drawn from these only (256)
 * @param dataOncePerSample  compute the data loss at the first trained step of each sample only (cosmos-rl's
 *                           data_on_first_only, the paper's "once per sample" ablation), weighted by the number of
 *                           trained steps so that data_beta keeps its meaning (false: at every trained step)
 */
public record DdrlConfig(double dataBeta, double textDropout, Anchor anchor, int syntheticPoolSize, boolean dataOncePerSample) {
    /** The anchor data of the diffusion loss. */
    public enum Anchor {
        /** The real video paired with each prompt in the dataset. */
        @JsonProperty("real") REAL,
        /** A fixed set of videos sampled once from the base model before training, one per prompt of the pool. */
        @JsonProperty("synthetic") SYNTHETIC
    }

    public static final DdrlConfig DEFAULT = new DdrlConfig(0.01, 0.2, Anchor.REAL, 256, false);

    public DdrlConfig {
        Checks.atLeast("data_beta", dataBeta, 0);
        Checks.range("text_dropout", textDropout, 0, 1);
        Checks.present("anchor", anchor);
        Checks.positive("synthetic_pool_size", syntheticPoolSize);
    }
}
