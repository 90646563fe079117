package org.ddrl.rl.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ddrl.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class JudgeTest {
    private static Judge judge;
    private static Samples real;
    private static Samples vivid;

    @BeforeAll
    static void setUp() {
        real = Videos.samples(8, 8);
        judge = Judge.pretrained(Videos.CONFIG, real.prompts(), 16);
        vivid = new Samples(Videos.saturate(real.videos(), 2.5), real.prompts(), real.seeds());
    }

    @Test
    void realVideosScoreAsReal() {
        Judge.ArmScores s = judge.score(real);
        assertTrue(s.judgeAccuracy() >= 0.9, "detector accuracy " + s.judgeAccuracy());
        assertEquals(0, s.saturationDrift(), 0.05);
        assertTrue(s.diversity() > 0, "diversity " + s.diversity());
        assertEquals(64, s.verdicts().size());
        assertTrue(s.verdicts().containsKey(real.key(0)));
    }

    @Test
    void overColouredVideosDriftLoseRealismAndLoseTheVote() {
        Judge.ArmScores r = judge.score(real), v = judge.score(vivid);
        System.out.printf("Judge on 64 real videos: %s%nJudge on the same over-coloured: %s; vote against the real ones %s%n",
                summary(r), summary(v), JudgeVote.tally(v.verdicts(), r.verdicts()));
        assertTrue(v.saturationDrift() > r.saturationDrift() + 0.1, "drift " + v.saturationDrift() + " vs " + r.saturationDrift());
        assertTrue(v.fvdMini() > 2 * r.fvdMini(), "FVD-mini " + v.fvdMini() + " vs " + r.fvdMini());
        double meanDistance = v.verdicts().values().stream().mapToDouble(Verdict::realismDistance).average().orElseThrow();
        double realDistance = r.verdicts().values().stream().mapToDouble(Verdict::realismDistance).average().orElseThrow();
        assertTrue(meanDistance > realDistance, "realism distance " + meanDistance + " vs " + realDistance);
        assertTrue(JudgeVote.tally(v.verdicts(), r.verdicts()).net() < -0.5, "vote " + JudgeVote.tally(v.verdicts(), r.verdicts()));
    }

    private static String summary(Judge.ArmScores s) {
        return String.format(java.util.Locale.ROOT, "accuracy %.3f, FVD-mini %.2f, diversity %.3f, saturation drift %+.3f, mean realism distance %.2f",
                s.judgeAccuracy(), s.fvdMini(), s.diversity(), s.saturationDrift(),
                s.verdicts().values().stream().mapToDouble(Verdict::realismDistance).average().orElseThrow());
    }

    @Test
    void evaluateCombinesJudgeScoresTrainerNumbersAndVotes() {
        Map<String, Samples> arms = new LinkedHashMap<>();
        arms.put("ddrl", real);
        arms.put("dance", vivid);
        Map<String, TrainerMetrics> trainer = Map.of("ddrl", new TrainerMetrics(0.4, 0.2, Double.NaN), "dance", new TrainerMetrics(0.9, 0.5, 0.01));
        Map<String, Metrics> m = judge.evaluate(arms, "ddrl", trainer);
        assertEquals(List.of("ddrl", "dance"), List.copyOf(m.keySet()));
        Metrics ddrl = m.get("ddrl"), dance = m.get("dance");
        assertEquals(0, ddrl.judgeVoteVsDdrl());
        assertTrue(dance.judgeVoteVsDdrl() < 0);
        assertEquals(0.9, dance.proxyReward());
        assertEquals(0.5, dance.heldoutDiffusionLoss());
        assertEquals(0.01, dance.reverseKl());
        assertTrue(Double.isNaN(ddrl.reverseKl()));
        assertEquals(judge.score(vivid).fvdMini(), dance.fvdMini(), 1e-9);

        assertEquals("Judge: reference arm 'flow' is not among [ddrl, dance]",
                assertThrows(IllegalArgumentException.class, () -> judge.evaluate(arms, "flow", trainer)).getMessage());
        assertEquals("Judge: no trainer metrics for arm 'dance'; have [ddrl]",
                assertThrows(IllegalArgumentException.class, () -> judge.evaluate(arms, "ddrl", Map.of("ddrl", trainer.get("ddrl")))).getMessage());
    }

    @Test
    void theRealSideNeedsTwoVideos() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Judge.pretrained(Videos.CONFIG, List.of(real.prompts().get(0)), 1));
        assertEquals("Judge.pretrained: needs at least 2 real videos; got 1 prompts x 1", e.getMessage());
    }

    @Test
    void aVideoNamedTwiceIsRefused() {
        Tensor two = real.videos().narrow(0, 0, 2);
        Samples twice = new Samples(two, List.of(real.prompts().get(0), real.prompts().get(0)), new long[] {5, 5});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> judge.score(twice));
        assertEquals("Judge.score: video '" + twice.key(1) + "' appears twice; (prompt, seed) pairs must be unique", e.getMessage());
    }
}
