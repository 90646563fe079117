package org.ddrl.rl.config;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import org.ddrl.diffusion.sampling.DanceGrpoSde;
import org.ddrl.diffusion.sampling.Ddim;
import org.ddrl.diffusion.sampling.EdmChurn2ab;
import org.ddrl.diffusion.sampling.FlowGrpoSde;
import org.ddrl.diffusion.sampling.Sampler;

/**
 * The rollout sampler, chosen by {@code type}. Fields a config leaves out take the defaults of that type (the
 * reference's settings, listed on each record).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = SamplerConfig.EdmChurn2abConfig.class, name = "edm_churn_2ab"),
        @JsonSubTypes.Type(value = SamplerConfig.FlowGrpoSdeConfig.class, name = "flow_grpo_sde"),
        @JsonSubTypes.Type(value = SamplerConfig.DanceGrpoSdeConfig.class, name = "dance_grpo_sde"),
        @JsonSubTypes.Type(value = SamplerConfig.DdimConfig.class, name = "ddim")})
public sealed interface SamplerConfig {
    /** The sampler these settings describe. */
    Sampler build();

    /** The number of denoising steps. */
    int steps();

    /**
     * Cosmos/DDRL: EDM churn noise before every step and the 2nd-order "2ab" multistep solver on Karras levels
     * ({@link EdmChurn2ab}). Defaults: the DDRL preset.
     *
     * @param steps   denoising steps (20)
     * @param sigmaMin smallest noise level (0.01)
     * @param sigmaMax largest noise level (200)
     * @param rho     Karras exponent (7)
     * @param sChurn  churn amount; eta = min(s_churn / (steps + 1), sqrt(1.2) - 1) (1, so eta = 1/21)
     * @param sNoise  scale of the churn noise (1)
     */
    record EdmChurn2abConfig(int steps, double sigmaMin, double sigmaMax, double rho, double sChurn, double sNoise) implements SamplerConfig {
        public static final EdmChurn2abConfig DEFAULT = new EdmChurn2abConfig(20, 0.01, 200, 7, 1, 1);

        public EdmChurn2abConfig {
            Checks.positive("steps", steps);
            Checks.positive("sigma_min", sigmaMin);
            Checks.positive("sigma_max", sigmaMax);
            if (!(sigmaMax > sigmaMin)) Checks.fail("sigma_max", "must exceed sigma_min (" + sigmaMin + "), got " + sigmaMax);
            Checks.positive("rho", rho);
            Checks.positive("s_churn", sChurn);
            Checks.positive("s_noise", sNoise);
        }

        @Override
        public Sampler build() {
            return new EdmChurn2ab(steps, sigmaMin, sigmaMax, rho, sChurn, sNoise);
        }
    }

    /**
     * Flow-GRPO's SDE ({@link FlowGrpoSde}): diffusion g = a sqrt(t / (1 - t)) on diffusers' SD3 grid.
     *
     * @param steps      denoising steps (10)
     * @param shift      timestep shift (3)
     * @param noiseLevel a (0.7)
     */
    record FlowGrpoSdeConfig(int steps, double shift, double noiseLevel) implements SamplerConfig {
        public static final FlowGrpoSdeConfig DEFAULT = new FlowGrpoSdeConfig(10, 3, 0.7);

        public FlowGrpoSdeConfig {
            Checks.atLeast("steps", steps, 2);
            Checks.positive("shift", shift);
            Checks.positive("noise_level", noiseLevel);
        }

        @Override
        public Sampler build() {
            return new FlowGrpoSde(steps, shift, noiseLevel);
        }
    }

    /**
     * DanceGRPO's SDE ({@link DanceGrpoSde}): constant diffusion eta, std eta sqrt(t - t'); the sample is the last
     * x0-prediction.
     *
     * @param steps            denoising steps (16)
     * @param shift            timestep shift (3)
     * @param eta              noise scale (0.3)
     * @param quantizeTimestep feed the network floor(1000 t) / 1000, as the reference (true)
     */
    record DanceGrpoSdeConfig(int steps, double shift, double eta, boolean quantizeTimestep) implements SamplerConfig {
        public static final DanceGrpoSdeConfig DEFAULT = new DanceGrpoSdeConfig(16, 3, 0.3, true);

        public DanceGrpoSdeConfig {
            Checks.positive("steps", steps);
            Checks.positive("shift", shift);
            Checks.positive("eta", eta);
        }

        @Override
        public Sampler build() {
            return new DanceGrpoSde(steps, shift, eta, quantizeTimestep);
        }
    }

    /**
     * DDIM in RF variables ({@link Ddim}); DDPO samples with eta = 1.
     *
     * @param steps denoising steps (50)
     * @param shift timestep shift (1: DDPO's SD schedule has none)
     * @param eta   stochasticity in (0, 1] (1); 0 would make every step deterministic and untrainable
     */
    record DdimConfig(int steps, double shift, double eta) implements SamplerConfig {
        public static final DdimConfig DEFAULT = new DdimConfig(50, 1, 1);

        public DdimConfig {
            Checks.positive("steps", steps);
            Checks.positive("shift", shift);
            if (!(eta > 0 && eta <= 1)) Checks.fail("eta", "must be in (0, 1] (eta = 0 has no trainable step), got " + eta);
        }

        @Override
        public Sampler build() {
            return new Ddim(steps, shift, eta);
        }
    }
}
