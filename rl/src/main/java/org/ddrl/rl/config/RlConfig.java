package org.ddrl.rl.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Everything one RL fine-tuning run needs, as written in a config file (JSON or YAML, snake_case names; see
 * {@link ConfigLoader}). Fields a file leaves out take the reference recipe of its {@code algorithm}
 * ({@link #preset}); the values in parentheses below are the DDRL preset's.
 *
 * <p>One iteration: draw {@code prompts_per_iteration} prompts, roll out {@code group_size} videos per prompt with the
 * sampler (in micro-batches of {@code micro_batch}, recording every step), score them, turn rewards into advantages,
 * then for each of {@code inner_epochs} passes accumulate the gradient of the loss over every micro-batch and trained
 * step and take one optimizer step; finally update the EMA and log one line of metrics.
 *
 * @param algorithm           which arm: its regularizer and its preset; required
 * @param seed                seeds every random draw of the run (prompts, noise, step choice, caption dropout) (0)
 * @param iterations          rollout-and-update iterations of a full run (256)
 * @param promptsPerIteration prompts (groups) per rollout batch (16)
 * @param groupSize           rollouts per prompt, G (8)
 * @param microBatch          rollouts sampled and trained together; must divide prompts_per_iteration * group_size.
 *                            Training recomputes each micro-batch exactly as it was sampled, which is what makes the
 *                            ratio exactly 1 on the first update (8)
 * @param innerEpochs         passes over each rollout batch, one optimizer step each; after the first, ratios move
 *                            away from 1 and the PPO clip acts (1)
 * @param sharedInitialNoise  all rollouts of a group start from the same noise (DanceGRPO's init_same_noise) (false)
 * @param sampler             the rollout sampler, by type (edm_churn_2ab with the DDRL preset's settings)
 * @param guidance            classifier-free guidance scale w on the velocity, v_u + w (v_c - v_u), in rollouts and
 *                            training alike; 1 = no guidance (1: CFG off, as DDRL)
 * @param detachUnconditional with guidance: no gradient through the unconditional branch (Flow-GRPO at ac4c86e8) (false)
 * @param trainOn             which recorded steps are trained (every other eligible step)
 * @param ratio               the per-step log-ratio, see {@link Ratio} (squared_error)
 * @param clipRange           PPO clip eps (1e-4)
 * @param lossScale           every loss is multiplied by this before backward (cosmos-rl 10); matters only through
 *                            gradient clipping and AdamW's eps (10)
 * @param advantage           rewards to advantages (group z-score, eps 1e-4, unbiased std, clip 5)
 * @param rewardClip          if set, raw rewards are clamped to [-reward_clip, reward_clip] before anything else
 *                            (cosmos-rl clips its remote rewards to 5); null = no clamp (null)
 * @param reward              the training reward (vividness)
 * @param optimizer           AdamW, clipping and warm-up (lr 1e-5, betas 0.9/0.99, eps 1e-8, wd 1e-4, clip 1, warm-up 50)
 * @param ema                 weight average for evaluation (power, sigma_rel 0.1)
 * @param ddrl                DDRL's data term; required for algorithm ddrl, refused otherwise
 * @param flowGrpo            the reverse-KL term; required for algorithm flow_grpo, refused otherwise
 */
public record RlConfig(AlgorithmKind algorithm, long seed, int iterations, int promptsPerIteration, int groupSize, int microBatch,
                       int innerEpochs, boolean sharedInitialNoise, SamplerConfig sampler, double guidance, boolean detachUnconditional,
                       TrainOnConfig trainOn, Ratio ratio, double clipRange, double lossScale, AdvantageConfig advantage, Double rewardClip,
                       RewardConfig reward, OptimizerConfig optimizer, EmaConfig ema, DdrlConfig ddrl, FlowGrpoConfig flowGrpo) {
    /** The per-step log-ratio log(pi_theta / pi_old) of a recorded transition x -> x'. */
    public enum Ratio {
        /**
         * The exact Gaussian log-density difference, mean over elements of
         * -((x' - mu_theta)^2 - (x' - mu_old)^2) / (2 std^2) (Flow-GRPO, DanceGRPO, DDPO, which compute it as
         * log p_theta - log p_old; the same value, formed here from the difference so that it is exactly 0 while the
         * weights are those of the rollout).
         */
        @JsonProperty("gaussian") GAUSSIAN,
        /** The same without the 1 / (2 std^2), as cosmos-rl's DDRL code ships it. */
        @JsonProperty("squared_error") SQUARED_ERROR
    }

    public RlConfig {
        Checks.present("algorithm", algorithm);
        Checks.positive("iterations", iterations);
        Checks.positive("prompts_per_iteration", promptsPerIteration);
        Checks.positive("group_size", groupSize);
        Checks.positive("micro_batch", microBatch);
        long batch = (long) promptsPerIteration * groupSize;
        if (batch > Integer.MAX_VALUE) Checks.fail("prompts_per_iteration", "times group_size is " + batch + ", too many rollouts");
        if (batch % microBatch != 0) {
            Checks.fail("micro_batch", "must divide the " + batch + " rollouts per iteration (prompts_per_iteration " + promptsPerIteration
                    + " x group_size " + groupSize + "), got " + microBatch);
        }
        Checks.positive("inner_epochs", innerEpochs);
        Checks.present("sampler", sampler);
        Checks.finite("guidance", guidance);
        Checks.present("train_on", trainOn);
        Checks.present("ratio", ratio);
        Checks.positive("clip_range", clipRange);
        Checks.positive("loss_scale", lossScale);
        Checks.present("advantage", advantage);
        if (rewardClip != null) Checks.positive("reward_clip", rewardClip);
        Checks.present("reward", reward);
        Checks.present("optimizer", optimizer);
        Checks.present("ema", ema);
        if (algorithm == AlgorithmKind.DDRL) Checks.present("ddrl", ddrl);
        else if (ddrl != null) Checks.fail("ddrl", "applies to algorithm ddrl only, but algorithm is " + algorithm.wire());
        if (algorithm == AlgorithmKind.FLOW_GRPO) {
            Checks.present("flow_grpo", flowGrpo);
            if (flowGrpo.klForm() == FlowGrpoConfig.KlForm.FLOW_GRPO && !(sampler instanceof SamplerConfig.FlowGrpoSdeConfig)) {
                Checks.fail("flow_grpo", "kl_form flow_grpo divides by Flow-GRPO's diffusion coefficient and needs sampler type flow_grpo_sde;"
                        + " use kl_form gaussian or squared_error with another sampler");
            }
        } else if (flowGrpo != null) {
            Checks.fail("flow_grpo", "applies to algorithm flow_grpo only, but algorithm is " + algorithm.wire());
        }
    }

    /** Rollouts per iteration. */
    public int rolloutsPerIteration() {
        return promptsPerIteration * groupSize;
    }

    /**
     * The reference recipe of an arm (the defaults of a config file naming it):
     * <ul>
     *   <li>ddrl: cosmos-rl's DDRL preset (EDM churn 2AB, 20 steps, 16 x 8 rollouts, every other step, squared-error
     *       ratio, clip 1e-4, loss scale 10, lr 1e-5 with betas 0.9/0.99 and 50 warm-up steps, power EMA 0.1,
     *       data_beta 0.01 on real data with text dropout 0.2).</li>
     *   <li>dance_grpo: the FLUX recipe (SDE eta 0.3, 16 steps, shift 3, 12 per prompt with shared initial noise,
     *       9 of the first 15 steps at random, Gaussian ratio, std eps 1e-8, lr 1e-5, EMA decay 0.995).</li>
     *   <li>flow_grpo: SD3.5-M recipe (SDE a = 0.7, 10 steps, shift 3, 24 per prompt x 48 prompts, first 9 steps,
     *       group mean with global std, KL beta 0.04 in Flow-GRPO's form, lr 3e-4 (a LoRA rate there), warm-up-decay EMA 0.9).</li>
     *   <li>ddpo: DDIM eta 1, 50 steps, 256 single rollouts with per-prompt statistics (buffer 16, min 16, eps 1e-6),
     *       all steps, lr 3e-4 (LoRA there), no EMA.</li>
     * </ul>
     * Every arm: PPO clip 1e-4, advantage clip 5, weight decay 1e-4, AdamW eps 1e-8, gradient clip 1, one inner epoch,
     * micro-batches of 8, CFG off, vividness reward.
     */
    public static RlConfig preset(AlgorithmKind algorithm) {
        TrainOnConfig everyOther = new TrainOnConfig(TrainOnConfig.Mode.EVERY_OTHER, 1, List.of(), false);
        AdvantageConfig group = new AdvantageConfig(AdvantageConfig.Normalization.GROUP, 1e-4, true, 5, false, 16, 16);
        return switch (algorithm) {
            case DDRL -> new RlConfig(algorithm, 0, 256, 16, 8, 8, 1, false, SamplerConfig.EdmChurn2abConfig.DEFAULT, 1, false, everyOther,
                    Ratio.SQUARED_ERROR, 1e-4, 10, group, null, RewardConfig.DEFAULT, new OptimizerConfig(1e-5, 0.9, 0.99, 1e-8, 1e-4, 1, 50),
                    new EmaConfig(EmaConfig.Kind.POWER, 0.1, 0.999), DdrlConfig.DEFAULT, null);
            case DANCE_GRPO -> new RlConfig(algorithm, 0, 300, 16, 12, 8, 1, true, SamplerConfig.DanceGrpoSdeConfig.DEFAULT, 1, false,
                    new TrainOnConfig(TrainOnConfig.Mode.RANDOM_FRACTION, 0.6, List.of(), true), Ratio.GAUSSIAN, 1e-4, 1,
                    new AdvantageConfig(AdvantageConfig.Normalization.GROUP, 1e-8, true, 5, false, 16, 16), null, RewardConfig.DEFAULT,
                    new OptimizerConfig(1e-5, 0.9, 0.999, 1e-8, 1e-4, 1, 0), new EmaConfig(EmaConfig.Kind.DECAY, 0.1, 0.995), null, null);
            case FLOW_GRPO -> new RlConfig(algorithm, 0, 300, 48, 24, 8, 1, false, SamplerConfig.FlowGrpoSdeConfig.DEFAULT, 1, false,
                    new TrainOnConfig(TrainOnConfig.Mode.FIRST_FRACTION, 0.99, List.of(), false), Ratio.GAUSSIAN, 1e-4, 1,
                    new AdvantageConfig(AdvantageConfig.Normalization.GROUP_MEAN_GLOBAL_STD, 1e-4, false, 5, false, 16, 16), null,
                    RewardConfig.DEFAULT, new OptimizerConfig(3e-4, 0.9, 0.999, 1e-8, 1e-4, 1, 0),
                    new EmaConfig(EmaConfig.Kind.WARMUP_DECAY, 0.1, 0.9), null, FlowGrpoConfig.DEFAULT);
            case DDPO -> new RlConfig(algorithm, 0, 100, 256, 1, 8, 1, false, SamplerConfig.DdimConfig.DEFAULT, 1, false,
                    new TrainOnConfig(TrainOnConfig.Mode.ALL, 1, List.of(), false), Ratio.GAUSSIAN, 1e-4, 1,
                    new AdvantageConfig(AdvantageConfig.Normalization.PER_PROMPT_TRACKER, 1e-6, false, 5, false, 16, 16), null,
                    RewardConfig.DEFAULT, new OptimizerConfig(3e-4, 0.9, 0.999, 1e-8, 1e-4, 1, 0), new EmaConfig(EmaConfig.Kind.NONE, 0.1, 0.999),
                    null, null);
        };
    }
}
