package org.ddrl.rl.experiment;

import java.util.Arrays;
import java.util.List;
import org.ddrl.rl.config.AlgorithmKind;

/** The arms of the experiment (docs/EXPERIMENT.md), all from the same base model with the same rollout budget. */
public enum Arm {
    /** The base model, untrained. */
    NO_RL("no_rl", "no RL", null),
    /** The clipped policy loss alone. */
    DANCE_GRPO("dance_grpo", "DanceGRPO-like", AlgorithmKind.DANCE_GRPO),
    /** Plus a reverse KL to the frozen base model, on the policy's own states. */
    FLOW_GRPO("flow_grpo", "FlowGRPO-like", AlgorithmKind.FLOW_GRPO),
    /** Plus the diffusion loss on the real video of each prompt. */
    DDRL_REAL("ddrl_real", "DDRL (real data)", AlgorithmKind.DDRL),
    /** Plus the diffusion loss on videos sampled once from the base model. */
    DDRL_SYNTHETIC("ddrl_synthetic", "DDRL (synthetic data)", AlgorithmKind.DDRL);

    private final String key;
    private final String label;
    private final AlgorithmKind algorithm;

    Arm(String key, String label, AlgorithmKind algorithm) {
        this.key = key;
        this.label = label;
        this.algorithm = algorithm;
    }

    /** The name in configs, results.json and the report. */
    public String key() {
        return key;
    }

    /** The name docs/EXPERIMENT.md gives the arm. */
    public String label() {
        return label;
    }

    /** The RL algorithm the arm trains with; null for the base model. */
    public AlgorithmKind algorithm() {
        return algorithm;
    }

    public static List<String> keys() {
        return Arrays.stream(values()).map(Arm::key).toList();
    }

    /** The arm of that key; the error names {@code field}. */
    public static Arm parse(String field, String key) {
        for (Arm a : values()) if (a.key.equals(key)) return a;
        throw new IllegalArgumentException(field + ": unknown arm '" + key + "'; known: " + keys());
    }
}
