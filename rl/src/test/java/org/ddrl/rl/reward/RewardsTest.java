package org.ddrl.rl.reward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.List;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;
import org.junit.jupiter.api.Test;

/** The analytic rewards against hand-computed values, and their argument checks. */
class RewardsTest {
    /** One video [1, 3, T, H, W] whose every pixel has the colour (r, g, b) given in [0, 1]. */
    private static Tensor flat(double r, double g, double b, int t, int h, int w) {
        float[] v = new float[3 * t * h * w];
        double[] c = {r, g, b};
        int plane = t * h * w;
        for (int k = 0; k < 3; k++) java.util.Arrays.fill(v, k * plane, (k + 1) * plane, (float) (2 * c[k] - 1));
        return Tensor.of(v, 1, 3, t, h, w);
    }

    private static List<String> prompts(int n) {
        return Collections.nCopies(n, "");
    }

    @Test
    void vividnessOfFlatAndSplitFrames() {
        // Pure red: saturation (1 - 0) / 1 = 1, no contrast. Grey: saturation 0. Dark orange (0.5, 0.25, 0): 0.5 / 0.5 = 1.
        // Half of (0.8, 0.4, 0.4): (0.8 - 0.4) / 0.8 = 0.5.
        Tensor videos = Tensor.cat(0, flat(1, 0, 0, 2, 4, 4), flat(0.5, 0.5, 0.5, 2, 4, 4), flat(0.5, 0.25, 0, 2, 4, 4), flat(0.8, 0.4, 0.4, 2, 4, 4));
        assertArrayEquals(new float[] {1, 0, 1, 0.5f}, Vividness.saturation(videos).toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {0, 0, 0, 0}, Vividness.contrast(videos).toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {2, 0, 2, 1}, new Vividness(2, 5).score(videos, prompts(4)).toFloatArray(), 1e-6f);
    }

    @Test
    void contrastIsTheLumaStdOfEachFrame() {
        // Left half black, right half white: luma 0 and 1, population std 0.5; grey pixels have no saturation.
        float[] v = new float[3 * 2 * 2 * 2];
        for (int i = 0; i < v.length; i++) v[i] = (i % 2 == 0) ? -1 : 1;
        Tensor video = Tensor.of(v, 1, 3, 2, 2, 2);
        assertEquals(0.5, Vividness.contrast(video).item(), 1e-6);
        assertEquals(0.0, Vividness.saturation(video).item(), 1e-6);
        assertEquals(0.5, new Vividness().score(video, prompts(1)).item(), 1e-6);
        // Values outside [-1, 1] are clamped: 3 reads as 1.
        assertEquals(0.5, Vividness.contrast(video.mul(3)).item(), 1e-6);
    }

    @Test
    void jpegCompressibilityPrefersFlatFrames() {
        Tensor noise = Tensor.rand(new Generator(1), 1, 3, 3, 16, 16).mul(2).sub(1);
        Tensor videos = Tensor.cat(0, flat(0.3, 0.6, 0.2, 3, 16, 16), noise);
        float[] r = new JpegCompressibility().score(videos, prompts(2)).toFloatArray();
        assertTrue(r[0] < 0 && r[1] < 0, "minus a size in kB");
        assertTrue(r[0] > r[1] + 0.1, "a flat frame compresses to fewer bytes than noise: " + r[0] + " vs " + r[1]);
        // Lower quality, smaller files, higher reward.
        float low = new JpegCompressibility(20).score(noise, prompts(1)).toFloatArray()[0];
        assertTrue(low > r[1], low + " vs " + r[1]);
        assertThrows(IllegalArgumentException.class, () -> new JpegCompressibility(0));
    }

    @Test
    void weightedSumAddsWeightedTermsAndReportsThemUnweighted() {
        Tensor videos = Tensor.cat(0, flat(1, 0, 0, 2, 4, 4), flat(0.5, 0.5, 0.5, 2, 4, 4));
        WeightedSum sum = new WeightedSum(List.of(new WeightedSum.Term(0.5, new Vividness(1, 0)), new WeightedSum.Term(-2, new JpegCompressibility())));
        Reward.Scores s = sum.evaluate(videos, prompts(2));
        float[] viv = s.terms().get("vividness").toFloatArray(), jpeg = s.terms().get("jpeg_compressibility").toFloatArray();
        assertEquals(List.of("vividness", "jpeg_compressibility"), List.copyOf(s.terms().keySet()));
        for (int i = 0; i < 2; i++) assertEquals(0.5 * viv[i] - 2 * jpeg[i], s.total().toFloatArray()[i], 1e-5);
        assertArrayEquals(s.total().toFloatArray(), sum.score(videos, prompts(2)).toFloatArray(), 0f);
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> new WeightedSum(List.of(new WeightedSum.Term(1, new Vividness()), new WeightedSum.Term(1, new Vividness()))));
        assertTrue(twice.getMessage().contains("vividness"), twice.getMessage());
    }

    @Test
    void closingTheSumClosesItsTerms() {
        int[] closed = {0};
        class Closing implements Reward {
            private final String name;

            Closing(String name) {
                this.name = name;
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public Tensor score(Tensor videos, List<String> prompts) {
                return Tensor.zeros(DType.F32, videos.size(0));
            }

            @Override
            public void close() {
                closed[0]++;
            }
        }
        try (WeightedSum sum = new WeightedSum(List.of(new WeightedSum.Term(1, new Closing("a")), new WeightedSum.Term(2, new Closing("b"))))) {
            assertEquals(2, sum.terms().size());
        }
        assertEquals(2, closed[0]);
    }

    @Test
    void resultsAreF32OnePerVideo() {
        Tensor videos = Tensor.zeros(DType.F64, 3, 3, 2, 4, 4);
        for (Reward r : List.of(new Vividness(), new JpegCompressibility())) {
            Tensor s = r.score(videos, prompts(3));
            assertEquals(DType.F32, s.dtype(), r.name());
            assertArrayEquals(new int[] {3}, s.shape(), r.name());
        }
    }

    @Test
    void badInputsNameTheRewardAndTheShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Vividness().score(Tensor.zeros(2, 4, 2, 4, 4), prompts(2)));
        assertTrue(e.getMessage().contains("Vividness") && e.getMessage().contains("[2, 4, 2, 4, 4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new JpegCompressibility().score(Tensor.zeros(2, 3, 2, 4, 4), prompts(3)));
        assertTrue(e.getMessage().contains("JpegCompressibility") && e.getMessage().contains("2 videos but 3 prompts"), e.getMessage());
    }
}
