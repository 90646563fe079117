package org.ddrl.rl.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.ddrl.diffusion.data.Batch;
import org.ddrl.rl.algo.DataLoss;
import org.ddrl.rl.config.RlConfig;
import org.ddrl.rl.policy.ModulePolicy;
import org.ddrl.rl.testing.ConstantReward;
import org.ddrl.rl.testing.Runs;
import org.ddrl.rl.testing.TinyData;
import org.ddrl.rl.testing.TinyVideoNet;
import org.ddrl.tensor.GradMode;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;
import org.junit.jupiter.api.Test;

/**
 * With a constant reward every advantage is 0, so the policy term contributes exactly nothing and DDRL reduces to
 * data_beta times diffusion fine-tuning on the paired videos: the data loss must fall, and with data_beta = 0 the
 * weights must not move at all.
 */
class DdrlStepTest {
    private static final String BASE = "\"sampler\": {\"type\": \"edm_churn_2ab\", \"steps\": 6}, \"loss_scale\": 1,"
            + " \"optimizer\": {\"lr\": 0.01, \"weight_decay\": 0, \"warmup_steps\": 0}";

    /** The data loss of the policy on every video of the data set at a few fixed noise levels and noises. */
    private static double dataLoss(ModulePolicy<TinyVideoNet> policy, TinyData data) {
        int[] idx = new int[data.size()];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        Batch b = data.batch(idx);
        double sum = 0;
        try (var noGrad = GradMode.noGrad()) {
            Generator gen = new Generator(99);
            for (double t : new double[] {0.2, 0.5, 0.8}) {
                Tensor noise = Tensor.randn(gen, b.videos().shape());
                sum += DataLoss.edmWeightedX0(policy.model(), b.videos(), noise, t, policy.condition(b.captions())).item();
            }
        }
        return sum / 3;
    }

    @Test
    void aConstantRewardTrainsOnlyTheDataLossWhichFalls() {
        RlConfig config = Runs.config("ddrl", BASE + ", \"iterations\": 8, \"ddrl\": {\"data_beta\": 1.0}");
        ModulePolicy<TinyVideoNet> policy = TinyVideoNet.policy(Runs.CAPTIONS, 8, 3);
        TinyData data = new TinyData(6);
        double before = dataLoss(policy, data);
        RlTrainer trainer = new RlTrainer(config, policy, new ConstantReward(0.5), new DatasetPrompts(data), Runs.SHAPE, null);
        for (int i = 0; i < config.iterations(); i++) {
            Map<String, Object> m = trainer.step();
            assertEquals(0.0, (double) m.get("advantage_max"), 0.0);
            assertEquals(0.0, (double) m.get("policy_loss"), 0.0, "the policy term is zero with zero advantages");
            assertTrue((double) m.get("data_loss") > 0, "the data loss is computed and logged");
        }
        double after = dataLoss(policy, data);
        assertTrue(after < 0.9 * before, "data loss on the paired videos: before " + before + ", after " + after);
    }

    @Test
    void withoutTheDataTermZeroAdvantagesLeaveTheWeightsUnchanged() {
        RlConfig config = Runs.config("ddrl", BASE + ", \"ddrl\": {\"data_beta\": 0}");
        ModulePolicy<TinyVideoNet> policy = TinyVideoNet.policy(Runs.CAPTIONS, 8, 4);
        Map<String, float[]> before = snapshot(policy);
        RlTrainer trainer = new RlTrainer(config, policy, new ConstantReward(-2), new DatasetPrompts(new TinyData(6)), Runs.SHAPE, null);
        Map<String, Object> m = trainer.step();
        assertEquals(0.0, (double) m.get("grad_norm"), 0.0, "no gradient at all");
        Map<String, float[]> after = snapshot(policy);
        before.forEach((name, w) -> assertArrayEquals(w, after.get(name), 0f, name));
    }

    @Test
    void theDataLossIsCosmosEdmWeightedX0LossAtTheStepsSigma() {
        // DataLoss in RF time equals w(sigma) mean (x0 - D(x0 + sigma z, sigma))^2 with the Cosmos denoiser.
        ModulePolicy<TinyVideoNet> policy = TinyVideoNet.policy(Runs.CAPTIONS, 8, 5);
        Batch b = new TinyData(3).batch(new int[] {0, 1, 2});
        Tensor z = Tensor.randn(new Generator(7), b.videos().shape());
        try (var noGrad = GradMode.noGrad()) {
            for (double sigma : new double[] {0.05, 1.0, 7.0}) {
                double t = sigma / (1 + sigma);
                var cond = policy.condition(b.captions());
                double mine = DataLoss.edmWeightedX0(policy.model(), b.videos(), z, t, cond).item();
                Tensor x0Hat = org.ddrl.diffusion.sampling.Denoiser.x0(policy.model(), b.videos().add(z.mul(sigma)), sigma, cond);
                double cosmos = org.ddrl.diffusion.noise.DiffusionLoss.edmX0Mse(x0Hat, b.videos(), sigma).item();
                assertEquals(cosmos, mine, 1e-4 * cosmos, "sigma " + sigma);
            }
        }
        assertEquals(1.0, DataLoss.weight(1.0), 0.0, "t = 1 (sigma = infinity) has weight 1");
        assertEquals(2.0, DataLoss.weight(0.5), 1e-15, "sigma = 1: (1 + 1) / 1");
    }

    private static Map<String, float[]> snapshot(ModulePolicy<TinyVideoNet> policy) {
        Map<String, float[]> out = new LinkedHashMap<>();
        policy.parameters().forEach((k, v) -> out.put(k, v.toFloatArray()));
        return out;
    }

}
