package org.ddrl.rl.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ddrl.diffusion.sampling.Sampler;
import org.ddrl.rl.config.RlConfig;
import org.ddrl.rl.policy.ModulePolicy;
import org.ddrl.rl.reward.Vividness;
import org.ddrl.rl.testing.Runs;
import org.ddrl.rl.testing.TinyVideoNet;
import org.ddrl.tensor.GradMode;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;
import org.junit.jupiter.api.Test;

/** A short DanceGRPO-like run on the vividness reward raises the saturation of the policy's samples. */
class DanceGrpoVividnessTest {
    private static double meanSaturation(ModulePolicy<TinyVideoNet> policy, Sampler sampler) {
        try (var noGrad = GradMode.noGrad()) {
            Generator gen = new Generator(1234);
            Tensor noise = Tensor.randn(gen, 24, 3, 4, 8, 8);
            java.util.List<String> captions = new java.util.ArrayList<>();
            for (int i = 0; i < 24; i++) captions.add(Runs.CAPTIONS.get(i % 3));
            return Vividness.saturation(sampler.sample(policy.model(), noise, policy.condition(captions), gen).sample()).mean().item();
        }
    }

    @Test
    void vividnessRewardRaisesSaturation() {
        RlConfig config = Runs.config("dance_grpo", "\"iterations\": 12, \"group_size\": 8, \"micro_batch\": 8,"
                + " \"sampler\": {\"type\": \"dance_grpo_sde\", \"steps\": 6}, \"optimizer\": {\"lr\": 0.003}");
        ModulePolicy<TinyVideoNet> policy = TinyVideoNet.policy(Runs.CAPTIONS, 8, 11);
        RlTrainer trainer = new RlTrainer(config, policy, new Vividness(), new CaptionPrompts(Runs.CAPTIONS), Runs.SHAPE, null);
        double before = meanSaturation(policy, trainer.sampler());
        StringBuilder log = new StringBuilder();
        for (int i = 0; i < config.iterations(); i++) log.append(MetricsLog.line(trainer.step())).append('\n');
        double after = meanSaturation(policy, trainer.sampler());
        assertTrue(after > before + 0.03, "mean saturation before " + before + ", after " + after + "\n" + log);
    }
}
