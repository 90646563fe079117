package org.ddrl.rl.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.ddrl.rl.config.RlConfig;
import org.ddrl.rl.reward.Vividness;
import org.ddrl.rl.testing.Runs;
import org.ddrl.rl.testing.TinyData;
import org.ddrl.rl.testing.TinyVideoNet;
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
}
