package org.ddrl.rl.reward;

import java.util.ArrayList;
import java.util.List;
import org.ddrl.diffusion.data.Attributes;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.GradMode;
import org.ddrl.tensor.Tensor;

/**
 * Text alignment as the experiment defines it: the log-probability of the prompt's colour, shape and direction under
 * a trained {@link AttributeClassifier}, {@code log p(colour) + log p(shape) + log p(direction)} (at most 0). Prompts
 * must be moving-shapes captions ("a red circle moving left", see {@link Attributes#parse}). The classifier runs in
 * eval mode on the videos' device, which must be its parameters' device.
 */
public final class AttributeClassifierReward implements Reward {
    private final AttributeClassifier classifier;

    public AttributeClassifierReward(AttributeClassifier classifier) {
        this.classifier = classifier;
        classifier.eval();
    }

    public AttributeClassifier classifier() {
        return classifier;
    }

    @Override
    public String name() {
        return "attribute_log_prob";
    }

    @Override
    public Tensor score(Tensor videos, List<String> prompts) {
        RewardInputs.check("AttributeClassifierReward", videos, prompts);
        List<Attributes> attributes = new ArrayList<>(prompts.size());
        for (String p : prompts) attributes.add(Attributes.parse(p));
        try (var noGrad = GradMode.noGrad()) {
            return classifier.logProb(videos.to(DType.F32), attributes);
        }
    }
}
