package org.ddrl.rl.reward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.ddrl.diffusion.data.Attributes;
import org.ddrl.diffusion.data.Batch;
import org.ddrl.diffusion.data.Dataset;
import org.ddrl.diffusion.data.MovingShapes;
import org.ddrl.diffusion.data.MovingShapesConfig;
import org.ddrl.diffusion.data.Sample;
import org.ddrl.diffusion.data.Split;
import org.ddrl.tensor.GradMode;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attribute classifier learns colour, shape and direction from real moving-shapes videos (4 frames of 16x16, a
 * short run to stay fast), and its reward prefers a video's true caption.
 */
class AttributeClassifierTest {
    private static final MovingShapesConfig SIZE = new MovingShapesConfig(4, 16, 16);
    private static AttributeClassifier classifier;
    private static AttributeClassifierTraining.Accuracy accuracy;

    @TempDir
    Path dir;

    /** The first n videos of a split drawn once into memory, so training does not redraw them at every step. */
    private static Dataset inMemory(MovingShapes source, int n) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        Batch all = source.batch(idx);
        return new Dataset() {
            @Override
            public int size() {
                return n;
            }

            @Override
            public Sample get(int i) {
                Dataset.checkIndex(i, n);
                return new Sample(all.videos().select(0, i).contiguous(), all.captions().get(i), all.attributes().get(i));
            }

            @Override
            public int[] videoShape() {
                return source.videoShape();
            }
        };
    }

    @BeforeAll
    static void train() {
        classifier = new AttributeClassifier(12, new Generator(3));
        Dataset train = inMemory(new MovingShapes(SIZE, Split.TRAIN, 2048, 1), 2048);
        AttributeClassifierTraining.train(classifier, train, new AttributeClassifierTraining.Options(300, 32, 3e-3, 5), null);
        accuracy = AttributeClassifierTraining.accuracy(classifier, new MovingShapes(SIZE, Split.VALIDATION, 256, 1), 256, 64);
    }

    @Test
    void reachesHighAccuracyOnUnseenRealVideos() {
        assertTrue(accuracy.colour() > 0.95 && accuracy.direction() > 0.95 && accuracy.shape() > 0.85 && accuracy.all() > 0.85,
                accuracy.toString());
    }

    @Test
    void theRewardPrefersTheTrueCaption() {
        MovingShapes val = new MovingShapes(SIZE, Split.VALIDATION, 64, 2);
        Batch b = val.batch(java.util.stream.IntStream.range(0, 64).toArray());
        List<String> wrong = new ArrayList<>();
        for (Attributes a : b.attributes()) {
            wrong.add(new Attributes(a.colour() == org.ddrl.diffusion.data.Colour.RED ? org.ddrl.diffusion.data.Colour.BLUE
                    : org.ddrl.diffusion.data.Colour.RED, a.shape(), a.direction()).caption());
        }
        AttributeClassifierReward reward = new AttributeClassifierReward(classifier);
        float[] right = reward.score(b.videos(), b.captions()).toFloatArray(), other = reward.score(b.videos(), wrong).toFloatArray();
        int better = 0;
        for (int i = 0; i < right.length; i++) {
            assertTrue(right[i] <= 0, "a log-probability");
            if (right[i] > other[i]) better++;
        }
        assertTrue(better >= 60, better + " of 64 videos score higher with their own caption");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> reward.score(b.videos().narrow(0, 0, 1), List.of("a dog")));
        assertTrue(e.getMessage().contains("'a dog'"), e.getMessage());
    }

    @Test
    void savesAndReadsBack() throws IOException {
        Path file = dir.resolve("classifier.safetensors");
        classifier.saveTo(file);
        AttributeClassifier back = AttributeClassifier.read(file);
        assertEquals(12, back.width());
        Tensor v = new MovingShapes(SIZE, Split.VALIDATION, 4, 3).batch(new int[] {0, 1, 2, 3}).videos();
        try (var noGrad = GradMode.noGrad()) {
            // Equal up to rounding: the CPU reductions' lane order may change once the JIT compiles them.
            assertArrayEquals(classifier.forward(v).toFloatArray(), back.forward(v).toFloatArray(), 1e-5f);
        }
        Path bare = dir.resolve("bare.safetensors");
        org.ddrl.tensor.io.Safetensors.save(bare, Map.of("x", Tensor.zeros(2)));
        IOException e = assertThrows(IOException.class, () -> AttributeClassifier.read(bare));
        assertTrue(e.getMessage().contains("attribute_classifier.width"), e.getMessage());
        assertTrue(Files.size(file) > 0);
    }
}
