package org.ddrl.rl.algo;

import org.ddrl.rl.config.RlConfig;
import org.ddrl.rl.policy.Policy;

/** The loss-term strategy of a configured arm. */
public final class Algorithms {
    private Algorithms() {}

    /** DDRL's data term, the Flow-GRPO-like reverse KL (with a frozen copy of {@code policy}), or none. */
    public static Algorithm create(RlConfig config, Policy policy, FlowGrpoLike.ModelWrapper wrap) {
        return switch (config.algorithm()) {
            case DDRL -> new Ddrl(config.ddrl());
            case FLOW_GRPO -> new FlowGrpoLike(config.flowGrpo(), policy, wrap);
            case DANCE_GRPO, DDPO -> Algorithm.NONE;
        };
    }
}
