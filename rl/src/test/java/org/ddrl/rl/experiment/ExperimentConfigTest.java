package org.ddrl.rl.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.ddrl.rl.config.AlgorithmKind;
import org.ddrl.rl.config.ConfigException;
import org.ddrl.rl.config.DdrlConfig;
import org.ddrl.rl.config.FlowGrpoConfig;
import org.ddrl.rl.config.RewardConfig;
import org.ddrl.rl.config.RlConfig;
import org.ddrl.rl.config.SamplerConfig;
import org.junit.jupiter.api.Test;

class ExperimentConfigTest {
    @Test
    void defaultsRunEveryArmOfTheExperimentWithThreeSeeds() {
        ExperimentConfig c = ExperimentConfig.defaults();
        assertEquals(List.of(Arm.values()), c.armList());
        assertEquals(Arm.DDRL_REAL, c.reference());
        assertTrue(c.seeds().size() >= 3, "at least 3 seeds: " + c.seeds());
        assertNull(c.baseCheckpoint(), "the shipped checkpoint by default");
    }

    @Test
    void armsShareEverythingButTheirRegularizer() {
        ExperimentConfig c = ExperimentConfig.defaults();
        RlConfig dance = c.armConfig(Arm.DANCE_GRPO, 7), flow = c.armConfig(Arm.FLOW_GRPO, 7), real = c.armConfig(Arm.DDRL_REAL, 7),
                synthetic = c.armConfig(Arm.DDRL_SYNTHETIC, 7);
        for (RlConfig r : List.of(dance, flow, real, synthetic)) {
            assertEquals(7, r.seed());
            assertEquals(dance.sampler(), r.sampler());
            assertEquals(dance.iterations(), r.iterations());
            assertEquals(dance.rolloutsPerIteration(), r.rolloutsPerIteration());
            assertEquals(dance.optimizer(), r.optimizer());
            assertEquals(dance.advantage(), r.advantage());
            assertEquals(dance.trainOn(), r.trainOn());
            assertEquals(dance.ratio(), r.ratio());
            assertEquals(dance.clipRange(), r.clipRange());
            assertEquals(dance.ema(), r.ema());
            assertEquals(dance.reward(), r.reward());
            assertEquals(dance.sharedInitialNoise(), r.sharedInitialNoise());
        }
        assertEquals(AlgorithmKind.DANCE_GRPO, dance.algorithm());
        assertEquals(AlgorithmKind.FLOW_GRPO, flow.algorithm());
        assertEquals(c.flowGrpo().get("kl_beta").asDouble(), flow.flowGrpo().klBeta());
        assertEquals(FlowGrpoConfig.KlForm.GAUSSIAN, flow.flowGrpo().klForm());
        assertEquals(DdrlConfig.Anchor.REAL, real.ddrl().anchor());
        assertEquals(DdrlConfig.Anchor.SYNTHETIC, synthetic.ddrl().anchor());
        assertEquals(c.ddrl().get("data_beta").asDouble(), real.ddrl().dataBeta());
        assertEquals(real.ddrl().dataBeta(), synthetic.ddrl().dataBeta());
        // The reward: the classifier's log-probability and vividness, with the config's weights.
        List<RewardConfig.Term> terms = dance.reward().terms();
        assertEquals(2, terms.size());
        assertEquals(new RewardConfig.Term.AttributeClassifierTerm(c.reward().classifierWeight(), ExperimentConfig.CLASSIFIER_FILE), terms.get(0));
        assertEquals(new RewardConfig.Term.VividnessTerm(c.reward().vividnessWeight(), c.reward().saturationWeight(), c.reward().contrastWeight()),
                terms.get(1));
        assertTrue(dance.sampler() instanceof SamplerConfig.DanceGrpoSdeConfig);
    }

    @Test
    void demoIsTheExperimentReducedToDdrlAndOneBaselineWithOneSeed() {
        ExperimentConfig d = ExperimentConfig.demo(), e = ExperimentConfig.defaults();
        assertEquals(List.of(Arm.NO_RL, Arm.DANCE_GRPO, Arm.DDRL_REAL), d.armList());
        assertEquals(1, d.seeds().size());
        assertEquals(e.rl(), d.rl());
        assertEquals(e.ddrl(), d.ddrl());
        assertEquals(e.reward(), d.reward());
        assertEquals(e.eval(), d.eval());
    }

    @Test
    void aFileOnlyListsWhatItChanges() {
        ExperimentConfig c = ExperimentConfig.parseYaml("seeds: [4, 5]\nrl: {iterations: 3, optimizer: {lr: 1.0e-3}}\nddrl: {data_beta: 0.5}\n",
                "my.yaml");
        assertEquals(List.of(4L, 5L), c.seeds());
        RlConfig r = c.armConfig(Arm.DDRL_REAL, 4);
        assertEquals(3, r.iterations());
        assertEquals(1e-3, r.optimizer().lr());
        assertEquals(0.5, r.ddrl().dataBeta());
        ExperimentConfig d = ExperimentConfig.defaults();
        assertEquals(d.armConfig(Arm.DDRL_REAL, 4).optimizer().beta2(), r.optimizer().beta2(), "untouched fields keep the defaults");
        assertEquals(d.armConfig(Arm.DDRL_REAL, 4).groupSize(), r.groupSize());
    }

    @Test
    void badFieldsAreNamedWithTheirFile() {
        assertMessage("my.yaml: eval.per_promt: unknown field; known fields: [every, feature_net, grid_videos, heldout_videos, per_prompt,", "eval: {per_promt: 3}\n");
        assertMessage("my.yaml: arms: unknown arm 'ddrl'", "arms: [ddrl]\nreference_arm: ddrl\n");
        assertMessage("my.yaml: reference_arm: must be one of the arms [no_rl, dance_grpo]", "arms: [no_rl, dance_grpo]\n");
        assertMessage("my.yaml: rl.algorithm: is set by the experiment", "rl: {algorithm: ddrl}\n");
        assertMessage("my.yaml: ddrl.anchor: is set by the arm", "ddrl: {anchor: real}\n");
        assertMessage("my.yaml: eval.per_prompt: must be >= 2", "eval: {per_prompt: 1}\n");
        assertMessage("my.yaml: seeds: lists a seed twice", "seeds: [1, 1]\n");
        assertMessage("rl section for arm dance_grpo: optimizer.lr: must be finite and > 0", "rl: {optimizer: {lr: -1}}\n");
        assertMessage("my.yaml: not valid YAML", "seeds: [1\n");
        assertMessage("my.yaml: eval.feature_net.videos: must be at least batch_size", "eval: {feature_net: {videos: 2}}\n");
    }

    @Test
    void setOverridesFieldsByPathOverTheFile() throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("experiment", ".yaml");
        try {
            java.nio.file.Files.writeString(file, "ddrl: {data_beta: 0.5, text_dropout: 0.1}\n");
            ExperimentConfig c = ExperimentConfig.load(file, new java.util.LinkedHashMap<>(java.util.Map.of("ddrl.data_beta", "0.3",
                    "arms", "[no_rl, ddrl_real]")));
            assertEquals(0.3, c.armConfig(Arm.DDRL_REAL, 1).ddrl().dataBeta(), "--set wins over the file");
            assertEquals(0.1, c.armConfig(Arm.DDRL_REAL, 1).ddrl().textDropout(), "the file wins over the defaults");
            assertEquals(List.of(Arm.NO_RL, Arm.DDRL_REAL), c.armList());
            ConfigException e = assertThrows(ConfigException.class, () -> ExperimentConfig.load(null, java.util.Map.of("eval.every", "0")));
            assertEquals("experiment.yaml with --set [eval.every]: eval.every: must be >= 1, got 0", e.getMessage());
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }

    @Test
    void seedAndThreadOverrides() {
        ExperimentConfig c = ExperimentConfig.defaults().withSeedCount(2).withThreads(3);
        assertEquals(List.of(1L, 2L), c.seeds());
        assertEquals(3, c.threads());
        assertThrows(ConfigException.class, () -> ExperimentConfig.defaults().withSeedCount(0));
        assertThrows(ConfigException.class, () -> ExperimentConfig.defaults().withThreads(0));
    }

    private static void assertMessage(String expected, String yaml) {
        ConfigException e = assertThrows(ConfigException.class, () -> ExperimentConfig.parseYaml(yaml, "my.yaml"));
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
    }
}
