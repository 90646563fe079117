package org.ddrl.rl.reward;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ddrl.tensor.Tensor;

/**
 * A batched reward on generated videos. Videos are [B, 3, T, H, W] with values in [-1, 1] (anything outside is
 * clamped by the rewards that read colours); prompts are the B captions the videos were generated for. The result
 * is an F32 tensor [B] on the videos' device, higher is better. Rewards are evaluated without gradients and must be
 * deterministic for the same inputs, so that a seeded run repeats bit for bit. Close a reward when done with it.
 */
public interface Reward extends AutoCloseable {
    /** A short name for logs and metrics, e.g. "vividness". */
    String name();

    /** One score per video, F32 [B] on the videos' device. */
    Tensor score(Tensor videos, List<String> prompts);

    /**
     * The score together with the named terms it is made of (for logging). A plain reward is its own only term;
     * {@link WeightedSum} lists each weighted part, unweighted.
     */
    default Scores evaluate(Tensor videos, List<String> prompts) {
        Tensor total = score(videos, prompts);
        return new Scores(total, Map.of(name(), total));
    }

    /** Releases what the reward holds (connections of a remote reward); a no-op by default. */
    @Override
    default void close() {}

    /** A reward's total [B] and its named terms, each [B], in a fixed order. */
    record Scores(Tensor total, Map<String, Tensor> terms) {
        public Scores {
            terms = Collections.unmodifiableMap(new LinkedHashMap<>(terms));
        }
    }
}
