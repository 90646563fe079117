package org.ddrl.rl.testing;

import java.util.List;
import org.ddrl.rl.reward.Reward;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Tensor;

/** The same score for every video (cosmos-rl's fake_reward with a value): all advantages are 0. */
public final class ConstantReward implements Reward {
    private final double value;

    public ConstantReward(double value) {
        this.value = value;
    }

    @Override
    public String name() {
        return "constant";
    }

    @Override
    public Tensor score(Tensor videos, List<String> prompts) {
        return Tensor.full(value, DType.F32, videos.device(), videos.size(0));
    }
}
