package org.ddrl.rl.reward;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ddrl.tensor.GradMode;
import org.ddrl.tensor.Tensor;

/**
 * {@code sum_j w_j r_j} over named rewards (Flow-GRPO's "multi_score"; the experiment's training reward is the
 * weighted sum of text alignment and vividness). {@link #evaluate} reports each term unweighted under its name.
 */
public final class WeightedSum implements Reward {
    /** One weighted term. */
    public record Term(double weight, Reward reward) {
        public Term {
            if (!Double.isFinite(weight)) throw new IllegalArgumentException("WeightedSum: weight of " + reward.name() + " must be finite, got " + weight);
        }
    }

    private final List<Term> terms;

    public WeightedSum(List<Term> terms) {
        if (terms.isEmpty()) throw new IllegalArgumentException("WeightedSum: needs at least one term");
        List<String> names = new ArrayList<>();
        for (Term t : terms) {
            if (names.contains(t.reward().name())) {
                throw new IllegalArgumentException("WeightedSum: two terms are named '" + t.reward().name() + "'; names key the logged terms");
            }
            names.add(t.reward().name());
        }
        this.terms = List.copyOf(terms);
    }

    public List<Term> terms() {
        return terms;
    }

    @Override
    public String name() {
        return "weighted_sum";
    }

    @Override
    public Tensor score(Tensor videos, List<String> prompts) {
        return evaluate(videos, prompts).total();
    }

    @Override
    public Scores evaluate(Tensor videos, List<String> prompts) {
        RewardInputs.check("WeightedSum", videos, prompts);
        Map<String, Tensor> parts = new LinkedHashMap<>();
        Tensor total = null;
        try (var noGrad = GradMode.noGrad()) {
            for (Term t : terms) {
                Tensor r = t.reward().score(videos, prompts);
                parts.put(t.reward().name(), r);
                Tensor weighted = r.mul(t.weight());
                total = total == null ? weighted : total.add(weighted);
            }
        }
        return new Scores(total, parts);
    }

    /** Closes every term. */
    @Override
    public void close() {
        for (Term t : terms) t.reward().close();
    }
}
