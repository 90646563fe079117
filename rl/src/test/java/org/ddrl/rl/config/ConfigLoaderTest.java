package org.ddrl.rl.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.ddrl.rl.reward.HttpReward;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading configs: presets as defaults, typed sections, YAML and JSON, and errors that name the field. */
class ConfigLoaderTest {
    @TempDir
    Path dir;

    private static ConfigException fails(String json) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.parseJson(json, "run.json"));
    }

    private static void assertMessage(ConfigException e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "'" + p + "' in: " + e.getMessage());
    }

    @Test
    void aBareAlgorithmGivesItsReferencePreset() {
        for (AlgorithmKind k : AlgorithmKind.values()) {
            RlConfig c = ConfigLoader.parseJson("{\"algorithm\": \"" + k.wire() + "\"}", "t");
            assertEquals(RlConfig.preset(k), c, k.wire());
        }
        RlConfig ddrl = RlConfig.preset(AlgorithmKind.DDRL);
        assertEquals(new SamplerConfig.EdmChurn2abConfig(20, 0.01, 200, 7, 1, 1), ddrl.sampler());
        assertEquals(8, ddrl.groupSize());
        assertEquals(1e-4, ddrl.clipRange());
        assertEquals(RlConfig.Ratio.SQUARED_ERROR, ddrl.ratio());
        assertEquals(0.01, ddrl.ddrl().dataBeta());
        assertEquals(0.2, ddrl.ddrl().textDropout());
        assertEquals(1e-4, ddrl.advantage().stdEps());
        assertEquals(5, ddrl.advantage().clip());
        assertEquals(new OptimizerConfig(1e-5, 0.9, 0.99, 1e-8, 1e-4, 1, 50), ddrl.optimizer());
        assertEquals(TrainOnConfig.Mode.EVERY_OTHER, ddrl.trainOn().mode());
        RlConfig dance = RlConfig.preset(AlgorithmKind.DANCE_GRPO);
        assertTrue(dance.sharedInitialNoise());
        assertEquals(0.6, dance.trainOn().fraction());
        assertEquals(AdvantageConfig.Normalization.PER_PROMPT_TRACKER, RlConfig.preset(AlgorithmKind.DDPO).advantage().normalization());
        assertEquals(new SamplerConfig.DdimConfig(50, 1, 1), RlConfig.preset(AlgorithmKind.DDPO).sampler());
    }

    @Test
    void givenFieldsOverrideAndTheRestKeepTheirDefaults() {
        RlConfig c = ConfigLoader.parseJson("{\"algorithm\": \"ddrl\", \"seed\": 7, \"optimizer\": {\"lr\": 3e-5},"
                + " \"sampler\": {\"type\": \"edm_churn_2ab\", \"steps\": 10}, \"ddrl\": {\"anchor\": \"synthetic\"}}", "t");
        assertEquals(7, c.seed());
        assertEquals(3e-5, c.optimizer().lr());
        assertEquals(0.99, c.optimizer().beta2(), "unchanged fields keep the preset");
        assertEquals(new SamplerConfig.EdmChurn2abConfig(10, 0.01, 200, 7, 1, 1), c.sampler());
        assertEquals(DdrlConfig.Anchor.SYNTHETIC, c.ddrl().anchor());
        assertEquals(0.01, c.ddrl().dataBeta());
    }

    @Test
    void anotherSamplerTypeStartsFromThatTypesDefaults() {
        RlConfig c = ConfigLoader.parseJson("{\"algorithm\": \"ddrl\", \"sampler\": {\"type\": \"dance_grpo_sde\", \"eta\": 0.5}}", "t");
        assertEquals(new SamplerConfig.DanceGrpoSdeConfig(16, 3, 0.5, true), c.sampler());
    }

    @Test
    void rewardTermsTakeTheirTypesDefaults() throws IOException {
        Path file = dir.resolve("arm.yaml");
        Files.writeString(file, """
                algorithm: dance_grpo
                reward:
                  terms:
                    - type: vividness
                      contrast_weight: 0.5
                    - type: jpeg_compressibility
                      weight: -0.002
                    - type: http
                      url: http://localhost:8000/score
                      layout: batch
                optimizer:
                  lr: 1e-5
                reward_clip: 5
                """);
        RlConfig c = ConfigLoader.load(file);
        List<RewardConfig.Term> t = c.reward().terms();
        assertEquals(new RewardConfig.Term.VividnessTerm(1, 1, 0.5), t.get(0));
        assertEquals(new RewardConfig.Term.JpegCompressibilityTerm(-0.002, 95), t.get(1));
        RewardConfig.Term.HttpTerm http = assertInstanceOf(RewardConfig.Term.HttpTerm.class, t.get(2));
        assertEquals(HttpReward.Layout.BATCH, http.layout());
        assertEquals(3, http.maxAttempts());
        assertEquals(120, http.requestTimeoutS());
        assertEquals(1e-5, c.optimizer().lr());
        assertEquals(5.0, c.rewardClip());
        assertNull(RlConfig.preset(AlgorithmKind.DDRL).rewardClip());
    }

    @Test
    void theResolvedConfigRoundTripsThroughJson() throws IOException {
        for (AlgorithmKind k : AlgorithmKind.values()) {
            RlConfig c = RlConfig.preset(k);
            assertEquals(c, ConfigLoader.parseJson(ConfigLoader.toJson(c), "round trip"), k.wire());
        }
        Path file = dir.resolve("c.json");
        Files.writeString(file, ConfigLoader.toJson(RlConfig.preset(AlgorithmKind.FLOW_GRPO)));
        assertEquals(RlConfig.preset(AlgorithmKind.FLOW_GRPO), ConfigLoader.load(file));
    }

    @Test
    void unknownFieldsAreRejectedWithTheirPath() {
        assertMessage(fails("{\"algorithm\": \"ddrl\", \"optimizer\": {\"learning_rate\": 1}}"), "run.json", "optimizer.learning_rate",
                "unknown field", "lr");
        assertMessage(fails("{\"algorithm\": \"ddrl\", \"itrations\": 3}"), "itrations", "unknown field");
        assertMessage(fails("{\"algorithm\": \"ddrl\", \"reward\": {\"terms\": [{\"type\": \"vividness\", \"wieght\": 1}]}}"),
                "reward.terms[0].wieght", "unknown field");
    }

    @Test
    void invalidValuesNameTheField() {
        assertMessage(fails("{\"algorithm\": \"ddrl\", \"optimizer\": {\"lr\": -1}}"), "run.json: optimizer.lr: must be finite and > 0, got -1.0");
        assertMessage(fails("{\"algorithm\": \"ddrl\", \"micro_batch\": 7}"), "micro_batch: must divide the 128 rollouts");
        assertMessage(fails("{\"algorithm\": \"ddrl\", \"sampler\": {\"type\": \"edm_churn_2ab\", \"sigma_max\": 0.001}}"),
                "sampler.sigma_max: must exceed sigma_min");
        assertMessage(fails("{\"algorithm\": \"ddrl\", \"ddrl\": {\"text_dropout\": 1.5}}"), "ddrl.text_dropout: must be in [0.0, 1.0]");
        assertMessage(fails("{\"algorithm\": \"dance_grpo\", \"train_on\": {\"mode\": \"list\"}}"), "train_on.steps: must list at least one step");
        assertMessage(fails("{\"algorithm\": \"ddrl\", \"reward\": {\"terms\": [{\"type\": \"attribute_classifier\"}]}}"),
                "reward.terms[0].path: is required");
        assertMessage(fails("{\"algorithm\": \"ddrl\", \"reward\": {\"terms\": []}}"), "reward.terms: must list at least one reward term");
    }

    @Test
    void wrongTypesAndSectionsAreRejected() {
        assertMessage(fails("{\"algorithm\": \"ddrl\", \"group_size\": 2.5}"), "group_size");
        assertMessage(fails("{\"algorithm\": \"ddrl\", \"optimizer\": {\"lr\": \"fast\"}}"), "optimizer.lr");
        assertMessage(fails("{\"algorithm\": \"ddrl\", \"sampler\": {\"type\": \"heun\"}}"), "sampler", "unknown type 'heun'", "edm_churn_2ab");
        assertMessage(fails("{\"algorithm\": \"ddrl\", \"ratio\": \"exact\"}"), "ratio");
        assertMessage(fails("{\"algorithm\": \"dance_grpo\", \"ddrl\": {\"data_beta\": 0.1}}"), "ddrl: applies to algorithm ddrl only",
                "dance_grpo");
        assertMessage(fails("{\"algorithm\": \"ddrl\", \"ddrl\": null}"), "ddrl: is required");
        assertMessage(fails("{\"algorithm\": \"flow_grpo\", \"sampler\": {\"type\": \"edm_churn_2ab\"}}"), "flow_grpo: kl_form flow_grpo",
                "flow_grpo_sde");
        assertMessage(fails("{\"seed\": 1}"), "algorithm: is required");
        assertMessage(fails("{\"algorithm\": \"ppo\"}"), "algorithm: must be one of [ddrl, dance_grpo, flow_grpo, ddpo]");
        assertMessage(fails("{\"algorithm\": \"ddrl\",}"), "not valid JSON", "line 1");
        assertMessage(assertThrows(ConfigException.class, () -> ConfigLoader.parseYaml("algorithm: ddrl\n  bad: [", "run.yaml")),
                "run.yaml", "not valid YAML");
        assertThrows(ConfigException.class, () -> ConfigLoader.load(dir.resolve("x.toml")));
    }
}
