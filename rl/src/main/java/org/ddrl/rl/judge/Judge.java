package org.ddrl.rl.judge;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.ddrl.diffusion.data.AttributeDetector;
import org.ddrl.diffusion.data.Attributes;
import org.ddrl.diffusion.data.Detection;
import org.ddrl.diffusion.data.MovingShapes;
import org.ddrl.diffusion.data.MovingShapesConfig;
import org.ddrl.tensor.Tensor;

/**
 * The experiment's judge, never used for training: attribute accuracy from the analytic {@link AttributeDetector},
 * {@link FvdMini} and {@link Diversity} in the feature space of a {@link FeatureNet}, {@link SaturationDrift}, and the
 * pairwise {@link JudgeVote}. The real side (features' Gaussian fit, mean saturation) is computed once from the real
 * videos given, which should show the same prompts as the videos judged, in the same proportions (see
 * {@link #pretrained}).
 */
public final class Judge {
    /** The seed of the real videos {@link #pretrained} compares against, apart from every training seed. */
    public static final long REAL_SEED = 0x7EA1_1DEAL;

    private final FeatureNet net;
    private final FvdMini fvd;
    private final double realSaturation;

    public Judge(FeatureNet net, Tensor realVideos) {
        this.net = net;
        this.fvd = new FvdMini(net, realVideos);
        this.realSaturation = SaturationDrift.meanSaturation(realVideos);
    }

    /**
     * The judge with the pre-trained {@link FeatureNet} ({@link FeatureNetTraining#pretrained}) and, as the real side,
     * {@code perPrompt} real videos of each of the evaluation prompts, drawn with {@link #REAL_SEED}: FVD-mini then
     * compares like with like, since the mix of prompts alone moves the feature distribution far more than realism does.
     */
    public static Judge pretrained(MovingShapesConfig config, List<Attributes> prompts, int perPrompt) {
        List<Attributes> distinct = List.copyOf(new LinkedHashSet<>(prompts));
        if (distinct.isEmpty() || perPrompt < 1 || distinct.size() * perPrompt < 2) {
            throw new IllegalArgumentException("Judge.pretrained: needs at least 2 real videos; got " + distinct.size() + " prompts x "
                    + perPrompt);
        }
        Tensor[] videos = new Tensor[distinct.size() * perPrompt];
        for (int p = 0; p < distinct.size(); p++) {
            for (int i = 0; i < perPrompt; i++) {
                // Index by position, not by i: generate's noise depends on (seed, index) alone, and prompts must not share it.
                int index = p * perPrompt + i;
                videos[index] = MovingShapes.generate(config, distinct.get(p), REAL_SEED, index);
            }
        }
        return new Judge(FeatureNetTraining.pretrained(config), Tensor.stack(0, videos));
    }

    /** One arm's judge scores, and each video's verdict by its (prompt, seed) key for the vote. */
    public record ArmScores(double judgeAccuracy, double fvdMini, double diversity, double saturationDrift,
                            Map<String, Verdict> verdicts) {
        public ArmScores {
            verdicts = Map.copyOf(verdicts);
        }

        /** These scores with the trainer's numbers and a vote (NaN where not taken, e.g. for a point of a curve). */
        public Metrics metrics(TrainerMetrics trainer, double vote) {
            return new Metrics(trainer.proxyReward(), judgeAccuracy, fvdMini, diversity, saturationDrift, trainer.heldoutDiffusionLoss(),
                    trainer.reverseKl(), vote);
        }
    }

    /** Scores one arm's videos (at least 2). */
    public ArmScores score(Samples samples) {
        double[][] features = net.features(samples.videos());
        List<Detection> detections = AttributeDetector.detectAll(samples.videos());
        double accuracy = AttributeDetector.accuracy(detections, samples.prompts()).all();
        Map<String, Verdict> verdicts = new LinkedHashMap<>();
        for (int i = 0; i < samples.size(); i++) {
            boolean correct = samples.prompts().get(i).equals(detections.get(i).attributes());
            Verdict v = new Verdict(correct, fvd.real().mahalanobis(features[i]));
            if (verdicts.put(samples.key(i), v) != null) {
                throw new IllegalArgumentException("Judge.score: video '" + samples.key(i) + "' appears twice; (prompt, seed) pairs must be unique");
            }
        }
        return new ArmScores(accuracy, fvd.score(features), Diversity.of(features, samples.prompts()),
                SaturationDrift.meanSaturation(samples.videos()) - realSaturation, verdicts);
    }

    /**
     * Every arm's metrics: the judge's scores of its videos, the trainer's numbers for it, and its vote against the
     * reference arm (which must be among the arms; all arms must share the same (prompt, seed) videos).
     */
    public Map<String, Metrics> evaluate(Map<String, Samples> arms, String referenceArm, Map<String, TrainerMetrics> trainer) {
        Map<String, ArmScores> scores = new LinkedHashMap<>();
        arms.forEach((arm, samples) -> scores.put(arm, score(samples)));
        return combine(scores, referenceArm, trainer);
    }

    /** {@link #evaluate} from scores already computed. */
    public static Map<String, Metrics> combine(Map<String, ArmScores> scores, String referenceArm, Map<String, TrainerMetrics> trainer) {
        ArmScores reference = scores.get(referenceArm);
        if (reference == null) throw new IllegalArgumentException("Judge: reference arm '" + referenceArm + "' is not among " + scores.keySet());
        Map<String, Metrics> out = new LinkedHashMap<>();
        scores.forEach((arm, s) -> {
            TrainerMetrics t = trainer.get(arm);
            if (t == null) throw new IllegalArgumentException("Judge: no trainer metrics for arm '" + arm + "'; have " + trainer.keySet());
            out.put(arm, s.metrics(t, JudgeVote.tally(s.verdicts(), reference.verdicts()).net()));
        });
        return out;
    }
}
