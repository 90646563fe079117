package org.ddrl.rl.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class DiversityTest {
    @Test
    void meanPairwiseDistanceWithinPromptsAveragedOverPrompts() {
        double[][] f = {{0, 0}, {3, 4}, {6, 8}, {1, 1}, {1, 2}, {9, 9}};
        List<String> prompts = List.of("a", "a", "a", "b", "b", "c");
        // Prompt a: pairs at 5, 10, 5 -> 20/3; prompt b: 1; prompt c has no pair and is skipped.
        assertEquals((20.0 / 3 + 1) / 2, Diversity.of(f, prompts), 1e-12);
    }

    @Test
    void collapsedSamplesScoreZeroAndNoPairsGiveNaN() {
        assertEquals(0, Diversity.of(new double[][] {{1, 2}, {1, 2}}, List.of("a", "a")));
        assertTrue(Double.isNaN(Diversity.of(new double[][] {{1, 2}, {1, 2}}, List.of("a", "b"))));
    }
}
