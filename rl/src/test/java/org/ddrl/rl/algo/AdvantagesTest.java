package org.ddrl.rl.algo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Advantages against values worked out by hand. */
class AdvantagesTest {
    private static final double[] REWARDS = {1, 2, 3, 4, 5, 5, 5, 5};

    @Test
    void groupZScoreUsesTheUnbiasedStdPlusEps() {
        // Group 1: mean 2.5, unbiased variance (2.25 + 0.25 + 0.25 + 2.25) / 3 = 5/3, std 1.2909944487358056.
        // Group 2: all equal, std 0, so A = 0 / (0 + eps) = 0.
        double s = Math.sqrt(5.0 / 3) + 1e-4;
        double[] expected = {-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s, 0, 0, 0, 0};
        double[] a = Advantages.groupZScore(REWARDS, 4, 1e-4, true);
        assertArrayEquals(expected, a, 1e-15);
        assertEquals(-1.161805010833055, a[0], 1e-12);
        assertEquals(0.3872683369443517, a[2], 1e-12);
    }

    @Test
    void populationStdAndTheOneSampleGroup() {
        // Population variance of group 1: 5/4.
        double[] a = Advantages.groupZScore(REWARDS, 4, 1e-4, false);
        assertEquals(1.5 / (Math.sqrt(1.25) + 1e-4), a[3], 1e-15);
        assertEquals(1.3415207972320402, a[3], 1e-12);
        // cosmos-rl with num_rollout = 1: A = R, no centring.
        assertArrayEquals(REWARDS, Advantages.groupZScore(REWARDS, 1, 1e-4, true), 0);
    }

    @Test
    void groupMeanOverGlobalStd() {
        // Batch mean 3.75, population variance 2.1875, std 1.479019945774904; group means 2.5 and 5.
        double s = Math.sqrt(2.1875) + 1e-4;
        double[] a = Advantages.groupMeanGlobalStd(REWARDS, 4, 1e-4);
        assertArrayEquals(new double[] {-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s, 0, 0, 0, 0}, a, 1e-15);
        assertEquals(1.0141165388816098, a[3], 1e-12);
    }

    @Test
    void expTransformThenClip() {
        assertArrayEquals(new double[] {-1, -Math.exp(-1), -Math.E, -Math.exp(-0.5)}, Advantages.expTransform(new double[] {0, 1, -1, 0.5}), 1e-15);
        assertArrayEquals(new double[] {-5, -5, 0.3, 4.99, 5}, Advantages.clip(new double[] {-7, -5, 0.3, 4.99, 6}, 5), 0);
        // -exp(-A) is below -5 for A < -ln 5: the clip after the transform bounds it.
        assertArrayEquals(new double[] {-5}, Advantages.clip(Advantages.expTransform(new double[] {-2}), 5), 0);
    }

    @Test
    void rejectsRaggedGroups() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Advantages.groupZScore(new double[5], 2, 1e-4, true));
        assertTrue(e.getMessage().contains("5 rewards") && e.getMessage().contains("groups of 2"), e.getMessage());
    }

    @Test
    void perPromptTrackerFollowsDdpo() {
        PerPromptStatTracker t = new PerPromptStatTracker(3, 2, 1e-6);
        // First batch: "a" has one reward (< min_count 2), "b" two. Batch mean 2, population std sqrt(2/3).
        double[] a1 = t.update(List.of("a", "b", "b"), new double[] {1, 2, 3});
        double batchStd = Math.sqrt(2.0 / 3) + 1e-6;
        assertEquals((1 - 2) / batchStd, a1[0], 1e-12, "a uses the batch statistics");
        // b's buffer [2, 3]: mean 2.5, population std 0.5.
        assertEquals((2 - 2.5) / (0.5 + 1e-6), a1[1], 1e-12);
        assertEquals((3 - 2.5) / (0.5 + 1e-6), a1[2], 1e-12);
        // Second batch: b's buffer keeps the last 3: [3, 10, 20] after dropping 2; a's is [1, 4].
        double[] a2 = t.update(List.of("b", "b", "a"), new double[] {10, 20, 4});
        double bMean = 11, bStd = Math.sqrt(((3 - 11) * (3 - 11) + 1 + 81) / 3.0) + 1e-6;
        assertEquals((10 - bMean) / bStd, a2[0], 1e-12);
        assertEquals((20 - bMean) / bStd, a2[1], 1e-12);
        assertEquals((4 - 2.5) / (1.5 + 1e-6), a2[2], 1e-12);
        assertEquals(3, t.count("b"));
        assertEquals(2, t.count("a"));
        assertEquals(0, t.count("c"));
    }
}
