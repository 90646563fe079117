package org.ddrl.rl.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JudgeVoteTest {
    private static final Verdict RIGHT_NEAR = new Verdict(true, 1), RIGHT_FAR = new Verdict(true, 5);
    private static final Verdict WRONG_NEAR = new Verdict(false, 0.5), WRONG_FAR = new Verdict(false, 9);

    @Test
    void correctAttributesComeFirstThenTheSmallerRealismDistance() {
        assertEquals(1, JudgeVote.compare(RIGHT_FAR, WRONG_NEAR));   // right beats wrong however real the wrong one looks
        assertEquals(-1, JudgeVote.compare(WRONG_NEAR, RIGHT_FAR));
        assertEquals(1, JudgeVote.compare(RIGHT_NEAR, RIGHT_FAR));   // both right: the more real one wins
        assertEquals(-1, JudgeVote.compare(RIGHT_FAR, RIGHT_NEAR));
        assertEquals(0, JudgeVote.compare(WRONG_NEAR, WRONG_FAR));   // both wrong: nobody wins
        assertEquals(0, JudgeVote.compare(RIGHT_NEAR, new Verdict(true, 1)));
    }

    @Test
    void tallyPairsByKeyAndNetsWinsMinusLossesOverPairs() {
        Map<String, Verdict> arm = new LinkedHashMap<>(), ref = new LinkedHashMap<>();
        arm.put("a #1", RIGHT_NEAR); ref.put("a #1", RIGHT_FAR);   // win
        arm.put("b #1", WRONG_NEAR); ref.put("b #1", RIGHT_FAR);   // loss
        arm.put("c #2", WRONG_FAR); ref.put("c #2", WRONG_NEAR);   // tie
        arm.put("a #2", RIGHT_FAR); ref.put("a #2", WRONG_FAR);    // win
        JudgeVote.Tally t = JudgeVote.tally(arm, ref);
        assertEquals(new JudgeVote.Tally(2, 1, 1), t);
        assertEquals(0.25, t.net());
        assertEquals(0, JudgeVote.tally(ref, ref).net());
        assertEquals(-0.25, JudgeVote.tally(ref, arm).net());
    }

    @Test
    void armsWithDifferentVideosAreRefused() {
        Map<String, Verdict> arm = Map.of("a #1", RIGHT_NEAR, "b #1", RIGHT_NEAR), ref = Map.of("a #1", RIGHT_NEAR, "c #1", RIGHT_NEAR);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JudgeVote.tally(arm, ref));
        assertEquals("JudgeVote: the arms must share the same non-empty set of (prompt, seed) videos; 2 vs 2 videos, only in "
                + "the arm: [b #1], only in the reference: [c #1]", e.getMessage());
    }
}
