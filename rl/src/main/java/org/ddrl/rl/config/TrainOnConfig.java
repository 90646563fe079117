package org.ddrl.rl.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Locale;

/**
 * Which recorded sampler steps the update trains on. Only <em>eligible</em> steps are ever trained: those whose next
 * state was a Gaussian draw (so a policy probability exists; the last EDM-churn step and DDIM's step to t = 0 are not),
 * minus the last step of the trajectory when {@code drop_last_step} is set (DanceGRPO always drops it).
 *
 * @param mode         how to choose among the eligible steps, see {@link Mode}
 * @param fraction     for RANDOM_FRACTION and FIRST_FRACTION: the share of eligible steps trained, int(n * fraction)
 *                     of them (at least one); ignored otherwise
 * @param steps        for LIST: the step indices (0 = noisiest); each must be eligible; ignored otherwise
 * @param dropLastStep whether the trajectory's last step is ineligible even when it is stochastic
 */
public record TrainOnConfig(Mode mode, double fraction, List<Integer> steps, boolean dropLastStep) {
    /** How trained steps are chosen. */
    public enum Mode {
        /** Eligible steps at even indices, 0, 2, 4, ... (DDRL: [0, 2, ..., 18] of 20). */
        @JsonProperty("every_other") EVERY_OTHER,
        /**
         * A random int(n * fraction) of the n eligible steps, drawn afresh for every rollout micro-batch and inner epoch
         * (DanceGRPO: 9 of 15, but drawn per sample there), in random order.
         */
        @JsonProperty("random_fraction") RANDOM_FRACTION,
        /** The first int(n * fraction) eligible steps in order (Flow-GRPO: 9 of 10). */
        @JsonProperty("first_fraction") FIRST_FRACTION,
        /** Every eligible step (DDPO). */
        @JsonProperty("all") ALL,
        /** The listed steps. */
        @JsonProperty("list") LIST
    }

    public TrainOnConfig {
        Checks.present("mode", mode);
        if (mode == Mode.RANDOM_FRACTION || mode == Mode.FIRST_FRACTION) {
            if (!(fraction > 0 && fraction <= 1)) Checks.fail("fraction", "must be in (0, 1] for mode " + mode.name().toLowerCase(Locale.ROOT) + ", got " + fraction);
        }
        steps = steps == null ? List.of() : List.copyOf(steps);
        if (mode == Mode.LIST) {
            if (steps.isEmpty()) Checks.fail("steps", "must list at least one step for mode list");
            for (int s : steps) if (s < 0) Checks.fail("steps", "step indices must be >= 0, got " + s);
            if (steps.stream().distinct().count() != steps.size()) Checks.fail("steps", "lists a step twice: " + steps);
        }
    }
}
