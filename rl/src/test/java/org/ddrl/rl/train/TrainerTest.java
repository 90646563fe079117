package org.ddrl.rl.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.ddrl.rl.algo.FlowGrpoLike;
import org.ddrl.rl.config.RlConfig;
import org.ddrl.rl.policy.ModulePolicy;
import org.ddrl.rl.reward.Vividness;
import org.ddrl.rl.testing.Runs;
import org.ddrl.rl.testing.TinyData;
import org.ddrl.rl.testing.TinyVideoNet;
import org.ddrl.diffusion.sampling.FlowGrpoSde;
import org.ddrl.rl.config.TrainOnConfig;
import org.ddrl.tensor.Scope;
import org.ddrl.tensor.rng.Generator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loop's bookkeeping: determinism, the arms' terms and metrics, synthetic anchors, the metrics file. */
class TrainerTest {
    @TempDir
    Path dir;

    private static RlTrainer trainer(RlConfig config, ModulePolicy<TinyVideoNet> policy) {
        return new RlTrainer(config, policy, new Vividness(), new DatasetPrompts(new TinyData(9)), Runs.SHAPE, null);
    }

    @Test
    void aSeedDeterminesTheRunBitForBit() {
        String extra = "\"sampler\": {\"type\": \"edm_churn_2ab\", \"steps\": 4}, \"seed\": 5, \"optimizer\": {\"lr\": 0.001}";
        float[][] weights = new float[2][];
        Object[] rewards = new Object[2];
        for (int run = 0; run < 2; run++) {
            ModulePolicy<TinyVideoNet> policy = TinyVideoNet.policy(Runs.CAPTIONS, 4, 21);
            RlTrainer t = trainer(Runs.config("ddrl", extra), policy);
            t.step();
            rewards[run] = t.step().get("reward_mean");
            weights[run] = policy.module().getSubmodule("out").parameters().getFirst().toFloatArray();
        }
        assertEquals(rewards[0], rewards[1]);
        assertArrayEquals(weights[0], weights[1], 0f);
        ModulePolicy<TinyVideoNet> other = TinyVideoNet.policy(Runs.CAPTIONS, 4, 21);
        Map<String, Object> m = trainer(Runs.config("ddrl", extra.replace("\"seed\": 5", "\"seed\": 6")), other).step();
        assertNotEquals(rewards[0], m.get("reward_mean"), "another seed draws other rollouts");
    }

    @Test
    void flowGrpoLogsAKlThatStartsAtZeroAndGrows() {
        RlConfig config = Runs.config("flow_grpo", "\"sampler\": {\"type\": \"flow_grpo_sde\", \"steps\": 4}, \"optimizer\": {\"lr\": 0.01}");
        ModulePolicy<TinyVideoNet> policy = TinyVideoNet.policy(Runs.CAPTIONS, 4, 22);
        RlTrainer t = trainer(config, policy);
        FlowGrpoLike flow = (FlowGrpoLike) t.algorithm();
        assertTrue(!flow.reference().parameters().values().iterator().next().requiresGrad(), "the reference is frozen");
        assertEquals(0.0, (double) t.step().get("kl"), 0.0, "the policy starts as the reference");
        double kl = (double) t.step().get("kl");
        assertTrue(kl > 0, "after an update the policy has moved: kl " + kl);
    }

    @Test
    void flowGrpoKlFormsScaleTheSameMeanGap() {
        double[] kls = new double[3];
        String[] forms = {"squared_error", "gaussian", "flow_grpo"};
        for (int i = 0; i < 3; i++) {
            RlConfig config = Runs.config("flow_grpo", "\"sampler\": {\"type\": \"flow_grpo_sde\", \"steps\": 4}, \"optimizer\": {\"lr\": 0.01},"
                    + " \"train_on\": {\"mode\": \"list\", \"steps\": [1]}, \"flow_grpo\": {\"kl_form\": \"" + forms[i] + "\"}");
            RlTrainer t = trainer(config, TinyVideoNet.policy(Runs.CAPTIONS, 4, 23));
            t.step();
            kls[i] = (double) t.step().get("kl");
        }
        // The first update is the same for every form (the KL's gradient is 0 while policy = reference), so the second
        // iteration's mean gaps are identical and the logged values differ by the forms' scales only.
        FlowGrpoSde sampler4 = new FlowGrpoSde(4, 3, 0.7);
        double[] t = sampler4.levels();
        double g = sampler4.diffusion(1), std = g * Math.sqrt(t[1] - t[2]);
        assertEquals(kls[0] / (2 * std * std), kls[1], 1e-6 * kls[1], "gaussian = squared error / (2 std^2)");
        assertEquals(kls[0] / (2 * g * g), kls[2], 1e-6 * kls[2], "flow_grpo = squared error / (2 g^2)");
    }

    @Test
    void ddrlWithSyntheticAnchorsSamplesThemOnceFromTheBaseModel() {
        RlConfig config = Runs.config("ddrl", "\"sampler\": {\"type\": \"edm_churn_2ab\", \"steps\": 4},"
                + " \"ddrl\": {\"anchor\": \"synthetic\", \"synthetic_pool_size\": 5}");
        RlTrainer t = trainer(config, TinyVideoNet.policy(Runs.CAPTIONS, 4, 24));
        SyntheticAnchors anchors = (SyntheticAnchors) t.prompts();
        assertEquals(5, anchors.size());
        float[] before = anchors.videos().toFloatArray();
        Map<String, Object> m = t.step();
        assertTrue((double) m.get("data_loss") > 0);
        assertArrayEquals(before, anchors.videos().toFloatArray(), 0f, "anchors stay fixed while the policy trains");
        PromptSource.Prompts p = anchors.get(new int[] {4, 0}, true);
        assertEquals(List.of(Runs.CAPTIONS.get(1), Runs.CAPTIONS.get(0)), p.captions());
        assertArrayEquals(anchors.videos().select(0, 4).toFloatArray(), p.anchors().select(0, 0).toFloatArray(), 0f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> trainer(Runs.config("ddrl",
                "\"ddrl\": {\"anchor\": \"synthetic\", \"synthetic_pool_size\": 50}"), TinyVideoNet.policy(Runs.CAPTIONS, 4, 24)));
        assertTrue(e.getMessage().contains("ddrl.synthetic_pool_size") && e.getMessage().contains("9 prompts"), e.getMessage());
    }

    @Test
    void ddrlWithRealAnchorsNeedsVideos() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RlTrainer(Runs.config("ddrl", ""),
                TinyVideoNet.policy(Runs.CAPTIONS, 4, 25), new Vividness(), new CaptionPrompts(Runs.CAPTIONS), Runs.SHAPE, null));
        assertTrue(e.getMessage().contains("needs a prompt source with videos"), e.getMessage());
    }

    @Test
    void ddpoRunsWithItsPerPromptTrackerAndEveryStochasticStep() {
        RlConfig config = Runs.config("ddpo", "\"sampler\": {\"type\": \"ddim\", \"steps\": 5}, \"group_size\": 1, \"prompts_per_iteration\": 8");
        Map<String, Object> m = new RlTrainer(config, TinyVideoNet.policy(Runs.CAPTIONS, 4, 26), new Vividness(), new CaptionPrompts(Runs.CAPTIONS),
                Runs.SHAPE, null).step();
        // DDIM's last step (to t = 0) has no noise, so 4 of the 5 steps are trained.
        assertEquals(4.0, (double) m.get("trained_steps"), 0.0);
        assertNull(m.get("kl"));
        assertNull(m.get("data_loss"));
    }

    @Test
    void metricsAreWrittenOneJsonLinePerIteration() throws IOException {
        Path log = dir.resolve("out/metrics.jsonl");
        RlConfig config = Runs.config("dance_grpo", "\"sampler\": {\"type\": \"dance_grpo_sde\", \"steps\": 4}, \"iterations\": 2");
        try (MetricsLog sink = new MetricsLog(log)) {
            new RlTrainer(config, TinyVideoNet.policy(Runs.CAPTIONS, 4, 27), new Vividness(), new CaptionPrompts(Runs.CAPTIONS), Runs.SHAPE, sink).run();
        }
        List<String> lines = Files.readAllLines(log);
        assertEquals(2, lines.size());
        ObjectMapper json = new ObjectMapper();
        for (int i = 0; i < 2; i++) {
            JsonNode n = json.readTree(lines.get(i));
            assertEquals(i, n.get("iteration").asInt());
            for (String key : List.of("reward_mean", "reward_std", "reward_vividness_mean", "advantage_mean", "advantage_std", "ratio_mean",
                    "ratio_min", "ratio_max", "clip_frac", "approx_kl", "policy_loss", "grad_norm", "lr", "wall_s", "rollout_s", "train_s")) {
                assertTrue(n.has(key) && n.get(key).isNumber(), key + " in " + lines.get(i));
            }
        }
        assertEquals("{\"a\":null}", MetricsLog.line(Map.of("a", Double.NaN)), "JSON has no NaN");
    }

    @Test
    void trainedStepsFollowTheMode() {
        List<Integer> eligible = List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        Generator gen = new Generator(1);
        assertEquals(List.of(0, 2, 4, 6, 8), TrainSteps.select(cfg("every_other", 1, List.of()), eligible, gen));
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8), TrainSteps.select(cfg("first_fraction", 0.99, List.of()), eligible, gen));
        assertEquals(eligible, TrainSteps.select(cfg("all", 1, List.of()), eligible, gen));
        assertEquals(List.of(7, 3), TrainSteps.select(cfg("list", 1, List.of(7, 3)), eligible, gen));
        List<Integer> random = TrainSteps.select(cfg("random_fraction", 0.6, List.of()), eligible, gen);
        assertEquals(6, random.size());
        assertEquals(6, random.stream().distinct().count());
        assertTrue(eligible.containsAll(random));
        assertEquals(random, TrainSteps.select(cfg("random_fraction", 0.6, List.of()), eligible, new Generator(1)),
                "the same seed draws the same steps");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainSteps.validate(cfg("list", 1, List.of(12)), eligible, 11));
        assertTrue(e.getMessage().contains("train_on.steps: step 12 is not trainable"), e.getMessage());
    }

    @Test
    void memoryStaysFlatAcrossIterations() {
        RlConfig config = Runs.config("ddrl", "\"sampler\": {\"type\": \"edm_churn_2ab\", \"steps\": 4}");
        RlTrainer t = trainer(config, TinyVideoNet.policy(Runs.CAPTIONS, 4, 28));
        try (Scope outer = Scope.open()) {
            t.step();
            int after1 = outer.size();
            t.step();
            t.step();
            assertEquals(after1, outer.size(), "an iteration leaves nothing behind in the caller's scope");
        }
    }

    private static TrainOnConfig cfg(String mode, double fraction, List<Integer> steps) {
        return Runs.config("dance_grpo", "\"train_on\": {\"mode\": \"" + mode + "\", \"fraction\": " + fraction + ", \"steps\": " + steps + "}")
                .trainOn();
    }
}
