package org.ddrl.rl.judge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.ddrl.diffusion.data.Batch;
import org.ddrl.diffusion.data.MovingShapes;
import org.ddrl.diffusion.data.MovingShapesConfig;
import org.ddrl.diffusion.data.Split;
import org.ddrl.tensor.GradMode;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.io.SafetensorsFile;
import org.ddrl.tensor.rng.Generator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureNetTest {
    @TempDir
    Path dir;

    @Test
    void thePretrainedNetworkRecognisesValidationVideos() {
        FeatureNet net = FeatureNetTraining.pretrained(Videos.CONFIG);
        assertSame(net, FeatureNetTraining.pretrained(Videos.CONFIG), "trained once per process");
        int[] indices = new int[256];
        Arrays.setAll(indices, i -> i);
        Batch val = new MovingShapes(Videos.CONFIG, Split.VALIDATION, 256, 99).batch(indices);
        double accuracy = FeatureNetTraining.headAccuracy(net, val.videos(), val.attributes());
        System.out.printf("FeatureNet: colour, shape and direction all right on %.1f%% of 256 validation videos%n", 100 * accuracy);
        // About 75% in one measurement: colour and direction are nearly always right, shape is the hard part.
        assertTrue(accuracy > 0.65, "accuracy " + accuracy);
    }

    @Test
    void thePretrainedNetworkTellsDistortionsApart() {
        FeatureNet net = FeatureNetTraining.pretrained(Videos.CONFIG);
        Tensor real = Videos.real(Split.VALIDATION, 140, 98);
        Distortion[] kinds = new Distortion[140];
        Tensor distorted = FeatureNetTraining.distort(real, kinds, new SplittableRandom(4));
        long[] predicted;
        try (GradMode.Guard g = GradMode.noGrad()) {
            net.eval();
            predicted = net.heads(net.forward(distorted))[3].argmax(1, false).toLongArray();
        }
        int right = 0;
        for (int i = 0; i < kinds.length; i++) right += predicted[i] == kinds[i].ordinal() ? 1 : 0;
        System.out.printf("FeatureNet: distortion recognised in %d of %d validation videos%n", right, kinds.length);
        // Mild brightness changes look like the renderer's own lighting, and saturation like contrast: well above the
        // 1 in 7 of chance, far from perfect (about 60% in one measurement).
        assertTrue(right > 0.45 * kinds.length, right + " of " + kinds.length);
    }

    @Test
    void featuresAreOneVectorPerVideoWhateverTheBatching() {
        FeatureNet net = FeatureNetTraining.pretrained(Videos.CONFIG);
        Tensor videos = Videos.real(Split.TRAIN, 7, 3);
        double[][] whole = net.features(videos), inThrees = net.features(videos, 3);
        assertEquals(7, whole.length);
        for (int i = 0; i < 7; i++) {
            assertEquals(FeatureNet.FEATURES, whole[i].length);
            assertArrayEquals(whole[i], inThrees[i], 1e-4);
            for (double v : whole[i]) assertTrue(Double.isFinite(v));
        }
        assertFalse(Arrays.equals(whole[0], whole[1]), "different videos, different features");
    }

    @Test
    void saveAndLoadGiveTheSameFeatures() throws Exception {
        FeatureNet net = FeatureNetTraining.pretrained(Videos.CONFIG);
        Tensor videos = Videos.real(Split.TRAIN, 4, 5);
        Path file = dir.resolve("feature-net.safetensors");
        net.save(file);
        FeatureNet other = new FeatureNet(Videos.CONFIG, new Generator(123));
        assertFalse(Arrays.deepEquals(net.features(videos), other.features(videos)));
        other.load(file);
        assertClose(net.features(videos), other.features(videos));
    }

    @Test
    void theFileCacheIsUsedOnlyWhenItHoldsTheSameRecipe() throws Exception {
        FeatureNet net = FeatureNetTraining.pretrained(Videos.CONFIG);
        Tensor videos = Videos.real(Split.TRAIN, 4, 5);
        Path file = dir.resolve("cache/feature-net.safetensors");
        // A file from another recipe is replaced by the pretrained network, with this recipe in its metadata.
        Files.createDirectories(file.getParent());
        new FeatureNet(Videos.CONFIG, new Generator(7)).save(file, Map.of("feature_net_recipe", "another"));
        assertClose(net.features(videos), FeatureNetTraining.pretrained(Videos.CONFIG, file).features(videos));
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(FeatureNetTraining.Recipe.PRETRAINED.toString(), f.metadata().get("feature_net_recipe"));
        }
        // Now it is loaded, not trained: a new instance with the same weights.
        FeatureNet loaded = FeatureNetTraining.pretrained(Videos.CONFIG, file);
        assertFalse(loaded == net);
        assertClose(net.features(videos), loaded.features(videos));
    }

    /**
     * Equal up to rounding: the same weights on the same input can differ in the last bits between runs, because the
     * Vector API's interpreted and compiled code sum in different orders.
     */
    private static void assertClose(double[][] want, double[][] got) {
        assertEquals(want.length, got.length);
        for (int i = 0; i < want.length; i++) assertArrayEquals(want[i], got[i], 1e-4);
    }

    @Test
    void videosOfAnotherSizeAreRefused() {
        FeatureNet net = new FeatureNet(Videos.CONFIG, new Generator(1));
        Tensor standard = Tensor.zeros(1, 3, 16, 32, 32);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.forward(standard));
        assertEquals("FeatureNet(frames=8, height=16, width=16, features=32): expected videos [B, 3, 8, 16, 16], got [1, 3, 16, 32, 32]",
                e.getMessage());
        assertEquals(2, FeatureNet.stemStride(MovingShapesConfig.STANDARD));
        assertEquals(32, new FeatureNet(MovingShapesConfig.STANDARD, new Generator(1)).forward(standard).size(1));
    }

    @Test
    void recipesAreChecked() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new FeatureNetTraining.Recipe(10, 32, 1e-3, 16, 1, 2));
        assertEquals("FeatureNetTraining.Recipe: needs steps >= 1, batch size >= 1, videos >= batch size and lr > 0; got steps 10, "
                + "batch size 32, videos 16, lr 0.001", e.getMessage());
    }
}
