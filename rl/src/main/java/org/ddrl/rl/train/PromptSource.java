package org.ddrl.rl.train;

import java.util.List;
import org.ddrl.tensor.Tensor;

/**
 * Where the trainer's prompts come from: a fixed, indexed set of captions, optionally each paired with an anchor
 * video (DDRL's data term needs one). The trainer draws indices uniformly in [0, size()).
 */
public interface PromptSource {
    /** Number of prompts. */
    int size();

    /** Whether {@link Prompts#anchors()} can be asked for. */
    boolean hasAnchors();

    /**
     * The prompts at {@code indices}, with their anchor videos [n, 3, T, H, W] (F32, on the CPU or any device) when
     * {@code withAnchors}; anchors is null otherwise.
     */
    Prompts get(int[] indices, boolean withAnchors);

    /** Captions and their anchors (null when not asked for). */
    record Prompts(List<String> captions, Tensor anchors) {
        public Prompts {
            captions = List.copyOf(captions);
        }
    }
}
