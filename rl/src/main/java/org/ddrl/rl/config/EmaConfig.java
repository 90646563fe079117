package org.ddrl.rl.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The moving average of the weights updated after every optimizer step (used for evaluation, never for rollouts).
 *
 * @param kind     which profile, see {@link Kind}
 * @param sigmaRel POWER: the EDM2 relative width (DDRL 0.1)
 * @param decay    DECAY and WARMUP_DECAY: the decay (DanceGRPO 0.995; Flow-GRPO 0.9 with warm-up)
 */
public record EmaConfig(Kind kind, double sigmaRel, double decay) {
    /** The EMA profile. */
    public enum Kind {
        /** No average. */
        @JsonProperty("none") NONE,
        /** EDM2 power-function average (cosmos-rl). */
        @JsonProperty("power") POWER,
        /** Constant decay. */
        @JsonProperty("decay") DECAY,
        /** min(decay, (1 + t) / (10 + t)) at update t (Flow-GRPO). */
        @JsonProperty("warmup_decay") WARMUP_DECAY
    }

    public EmaConfig {
        Checks.present("kind", kind);
        if (kind == Kind.POWER) Checks.positive("sigma_rel", sigmaRel);
        if (kind == Kind.DECAY || kind == Kind.WARMUP_DECAY) Checks.range("decay", decay, 0, 1);
    }
}
