package org.ddrl.rl.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;

/** The four training arms; each differs from the others only in its loss terms and its reference defaults. */
public enum AlgorithmKind {
    /** Data-regularized RL: the policy term plus data_beta times a diffusion loss on anchor data (cosmos-rl). */
    @JsonProperty("ddrl") DDRL,
    /** GRPO without a regularizer (DanceGRPO). */
    @JsonProperty("dance_grpo") DANCE_GRPO,
    /** GRPO with a reverse KL to a frozen reference on the policy's own states (Flow-GRPO). */
    @JsonProperty("flow_grpo") FLOW_GRPO,
    /** DDIM (eta = 1) rollouts with per-prompt reward statistics, no regularizer (DDPO). */
    @JsonProperty("ddpo") DDPO;

    /** The name used in config files. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
