package org.ddrl.rl.judge;

import java.util.Map;
import java.util.TreeSet;

/**
 * The pairwise judge vote, the analogue of the paper's delta-vote. For each (prompt, seed) both arms generated, one
 * video beats the other when
 * <ol>
 *   <li>it shows all of the prompt's attributes and the other does not, or</li>
 *   <li>both do, and its realism distance is smaller.</li>
 * </ol>
 * Anything else is a tie: equal distances, or neither video right (a judge asked to pick the more real of two wrong
 * videos would reward the wrong thing, so such pairs count for nobody).
 *
 * <p>An arm's vote against the reference arm is (wins - losses) / pairs, in [-1, 1]; the reference arm against itself
 * scores 0.
 */
public final class JudgeVote {
    private JudgeVote() {}

    /** Wins, losses and ties of one arm against the reference over the pairs they share. */
    public record Tally(int wins, int losses, int ties) {
        public int pairs() {
            return wins + losses + ties;
        }

        /** (wins - losses) / pairs. */
        public double net() {
            return (wins - losses) / (double) pairs();
        }
    }

    /** +1 when {@code a} beats {@code b}, -1 when it loses, 0 for a tie. */
    public static int compare(Verdict a, Verdict b) {
        if (a.correct() != b.correct()) return a.correct() ? 1 : -1;
        if (!a.correct()) return 0;
        return Integer.signum(Double.compare(b.realismDistance(), a.realismDistance()));
    }

    /**
     * The arm's verdicts against the reference's, paired by video key ({@link Samples#key}); both must hold exactly the
     * same keys, so that every arm is judged on the same prompts and seeds.
     */
    public static Tally tally(Map<String, Verdict> arm, Map<String, Verdict> reference) {
        if (!arm.keySet().equals(reference.keySet()) || arm.isEmpty()) {
            TreeSet<String> onlyArm = new TreeSet<>(arm.keySet()), onlyRef = new TreeSet<>(reference.keySet());
            onlyArm.removeAll(reference.keySet());
            onlyRef.removeAll(arm.keySet());
            throw new IllegalArgumentException("JudgeVote: the arms must share the same non-empty set of (prompt, seed) videos; "
                    + arm.size() + " vs " + reference.size() + " videos, only in the arm: " + first(onlyArm)
                    + ", only in the reference: " + first(onlyRef));
        }
        int wins = 0, losses = 0, ties = 0;
        for (Map.Entry<String, Verdict> e : arm.entrySet()) {
            switch (compare(e.getValue(), reference.get(e.getKey()))) {
                case 1 -> wins++;
                case -1 -> losses++;
                default -> ties++;
            }
        }
        return new Tally(wins, losses, ties);
    }

    private static String first(TreeSet<String> keys) {
        if (keys.isEmpty()) return "none";
        return keys.stream().limit(3).toList() + (keys.size() > 3 ? " and " + (keys.size() - 3) + " more" : "");
    }
}
