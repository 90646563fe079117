package org.ddrl.rl.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.function.Supplier;
import org.ddrl.diffusion.model.DiTConfig;
import org.ddrl.diffusion.model.TextToVideo;
import org.ddrl.diffusion.model.VideoDiT;
import org.ddrl.diffusion.text.TextEncoder;
import org.ddrl.diffusion.text.Vocabulary;
import org.ddrl.diffusion.text.WordTokenizer;
import org.ddrl.rl.policy.ModulePolicy;
import org.ddrl.rl.policy.TextToVideoPolicy;
import org.ddrl.rl.config.RlConfig;
import org.ddrl.rl.reward.Vividness;
import org.ddrl.rl.testing.Runs;
import org.ddrl.rl.testing.TinyData;
import org.ddrl.rl.testing.TinyVideoNet;
import org.ddrl.tensor.GradMode;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;
import org.junit.jupiter.api.Test;

/**
 * The PPO ratio is exactly 1 on the first update of every arm (the recomputation reproduces the rollout bit for bit,
 * so the 1e-4 clip is inert), and moves once the weights have changed (second inner epoch).
 */
class RatioTest {
    private static final String[][] ARMS = {
            {"ddrl", "\"sampler\": {\"type\": \"edm_churn_2ab\", \"steps\": 6}"},
            {"dance_grpo", "\"sampler\": {\"type\": \"dance_grpo_sde\", \"steps\": 6}"},
            {"flow_grpo", "\"sampler\": {\"type\": \"flow_grpo_sde\", \"steps\": 6}"},
            {"ddpo", "\"sampler\": {\"type\": \"ddim\", \"steps\": 6}"}};

    @Test
    void ratioIsExactlyOneOnTheFirstUpdateOfEveryArm() {
        for (String[] arm : ARMS) {
            RlConfig config = Runs.config(arm[0], arm[1] + ", \"inner_epochs\": 2, \"optimizer\": {\"lr\": 0.01, \"warmup_steps\": 0}");
            RlTrainer trainer = new RlTrainer(config, TinyVideoNet.policy(Runs.CAPTIONS, 8, 1), new Vividness(),
                    new DatasetPrompts(new TinyData(12)), Runs.SHAPE, null);
            Map<String, Object> m = trainer.step();
            assertEquals(0.0, (double) m.get("ratio_first_epoch_max_dev"), 0.0, arm[0] + ": ratio on the first update, " + m);
            double lo = (double) m.get("ratio_min"), hi = (double) m.get("ratio_max");
            assertTrue(lo < 1 || hi > 1, arm[0] + ": the second epoch sees the updated weights, " + m);
            assertEquals(0, (int) m.get("skipped_steps"), arm[0]);
        }
    }

    /**
     * The same with the experiment's DiT and text encoder. Here the ratio is 1 only up to rounding: the CPU kernels'
     * results change in the last bits once the JIT compiles their Vector API code (under -XX:TieredStopAtLevel=1 every
     * call repeats exactly), and the model's first calls, the rollout, run before that while the recomputation runs
     * after. DDRL's unnormalised squared-error ratio magnifies a last-bit change of the mean at sigma ~ 200 (it was
     * 2e-7 to 1e-6 when measured); the test checks that it stays below the clip range, so the clip stays inert.
     */
    @Test
    void ratioIsOneWithTheRealTextToVideoModel() {
        WordTokenizer tokenizer = new WordTokenizer(Vocabulary.build(Runs.CAPTIONS), 8);
        Supplier<TextToVideo<VideoDiT>> build = () -> {
            Generator gen = new Generator(41);
            TextToVideo<VideoDiT> m = new TextToVideo<>(new TextEncoder(tokenizer.vocabulary().size(), 8, 16, 1, 2, gen),
                    new VideoDiT(new DiTConfig(3, 3, 1, 2, 2, 32, 2, 2, 2.0, 16, 16, 100), gen));
            // Move every weight off its initial value: the DiT's zero-initialised output layer would otherwise
            // predict a zero velocity, and the ratio would be 1 for want of any dependence on the weights.
            try (var noGrad = GradMode.noGrad()) {
                for (Tensor p : m.parameters()) p.copyFrom(p.add(Tensor.randn(gen, p.shape()).mul(0.05)));
            }
            return m;
        };
        for (String[] arm : new String[][] {ARMS[0], ARMS[1]}) {
            RlConfig config = Runs.config(arm[0], arm[1] + ", \"inner_epochs\": 2, \"optimizer\": {\"lr\": 0.01, \"warmup_steps\": 0}");
            ModulePolicy<TextToVideo<VideoDiT>> policy = TextToVideoPolicy.of(build.get(), build, tokenizer);
            Map<String, Object> m = new RlTrainer(config, policy, new Vividness(), new DatasetPrompts(new TinyData(6)), Runs.SHAPE, null).step();
            assertTrue((double) m.get("ratio_first_epoch_max_dev") < config.clipRange(), arm[0] + ": ratio on the first update, " + m);
            double lo = (double) m.get("ratio_min"), hi = (double) m.get("ratio_max");
            assertTrue(lo < 1 - 1e-4 || hi > 1 + 1e-4, arm[0] + ": the second epoch sees the updated weights, " + m);
        }
    }
}
