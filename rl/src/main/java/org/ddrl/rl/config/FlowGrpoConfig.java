package org.ddrl.rl.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The reverse-KL regularizer of the Flow-GRPO-like arm: {@code kl_beta * KL} between the policy's and a frozen
 * reference's Gaussian step at each trained step, evaluated on the policy's own rollout states (both means recomputed
 * at the recorded state; they share the step's std). The KL value is logged as "kl".
 *
 * @param klBeta          weight of the KL (Flow-GRPO 0.04 for OCR/GenEval, 0.01 for PickScore; cosmos-rl 0.01)
 * @param klForm          how the mean difference is scaled, see {@link KlForm}
 * @param refUpdateEvery  copy the policy into the reference every this many iterations (cosmos-rl's
 *                        update_ref_every_iter; 0 = never, Flow-GRPO)
 */
public record FlowGrpoConfig(double klBeta, KlForm klForm, int refUpdateEvery) {
    /** Per-sample KL forms, all means over the data elements of (mu_theta - mu_ref)^2 times a scale. */
    public enum KlForm {
        /** / (2 std^2): the exact KL of the two Gaussian steps, per element. */
        @JsonProperty("gaussian") GAUSSIAN,
        /** / (2 g_k^2) with Flow-GRPO's diffusion coefficient g_k: the exact KL times |dt|; needs the flow_grpo_sde sampler. */
        @JsonProperty("flow_grpo") FLOW_GRPO,
        /** Unscaled, as cosmos-rl codes its kl_beta term. */
        @JsonProperty("squared_error") SQUARED_ERROR
    }

    public static final FlowGrpoConfig DEFAULT = new FlowGrpoConfig(0.04, KlForm.FLOW_GRPO, 0);

    public FlowGrpoConfig {
        Checks.atLeast("kl_beta", klBeta, 0);
        Checks.present("kl_form", klForm);
        Checks.atLeast("ref_update_every", refUpdateEvery, 0);
    }
}
