package org.ddrl.rl.experiment;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.ddrl.diffusion.data.MovingShapes;
import org.ddrl.diffusion.data.MovingShapesConfig;
import org.ddrl.diffusion.data.Split;
import org.ddrl.rl.reward.AttributeClassifier;
import org.ddrl.rl.reward.AttributeClassifierTraining;
import org.ddrl.tensor.io.AtomicFiles;
import org.ddrl.tensor.rng.Generator;

/**
 * The proxy reward's attribute classifier, trained on real TRAIN videos before any arm runs and kept in the output
 * directory: a later run whose recipe and video size are the same (recorded beside the weights) loads it instead.
 */
final class RewardClassifierCache {
    private RewardClassifierCache() {}

    /** Makes sure {@code file} holds a classifier of this recipe; returns true when it was loaded from an earlier run. */
    static boolean prepare(ExperimentConfig.ClassifierRecipe recipe, MovingShapesConfig video, Path file, PrintStream log) throws IOException {
        Path stamp = file.resolveSibling(file.getFileName() + ".recipe");
        String want = recipe + " " + video;
        if (Files.isRegularFile(file) && Files.isRegularFile(stamp) && Files.readString(stamp, StandardCharsets.UTF_8).equals(want)) {
            AttributeClassifier.read(file); // fails here, naming the file, if it is damaged
            log.printf("reward classifier: loaded %s (trained by an earlier run with the same recipe)%n", file);
            return true;
        }
        long t0 = System.nanoTime();
        log.printf(Locale.ROOT, "reward classifier: training on %d real videos (%d steps of %d)...%n", recipe.videos(), recipe.steps(),
                recipe.batchSize());
        AttributeClassifier classifier = new AttributeClassifier(recipe.width(), new Generator(recipe.seed()));
        MovingShapes train = new MovingShapes(video, Split.TRAIN, recipe.videos(), recipe.seed());
        AttributeClassifierTraining.train(classifier, train, new AttributeClassifierTraining.Options(recipe.steps(), recipe.batchSize(),
                recipe.lr(), recipe.seed()), null);
        int check = Math.min(256, recipe.videos());
        AttributeClassifierTraining.Accuracy acc = AttributeClassifierTraining.accuracy(classifier,
                new MovingShapes(video, Split.VALIDATION, check, recipe.seed()), check, 64);
        Files.createDirectories(file.toAbsolutePath().getParent());
        classifier.saveTo(file);
        AtomicFiles.writeString(stamp, want);
        log.printf(Locale.ROOT, "reward classifier: trained in %.1f s; accuracy on %d validation videos: %s; saved %s%n",
                (System.nanoTime() - t0) / 1e9, check, acc, file);
        return false;
    }
}
