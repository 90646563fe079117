package org.ddrl.diffusion.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ddrl.diffusion.model.ModelTesting.mask;
import static org.ddrl.diffusion.model.ModelTesting.maxAbs;
import static org.ddrl.diffusion.model.ModelTesting.maxAbsDiff;

import java.util.List;
import org.ddrl.diffusion.text.TextEncoder;
import org.ddrl.diffusion.text.Tokens;
import org.ddrl.tensor.GradMode;
import org.ddrl.tensor.Scope;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;
import org.junit.jupiter.api.Test;

class UNet3DTest {
    private static final int TEXT_DIM = 16;
    private static final int TEXT_LEN = 5;

    /** 8 channels at full resolution, 16 at half, attention at half resolution; 2 heads of 8. */
    private static UNetConfig config() {
        return new UNetConfig(3, 3, 8, List.of(1, 2), 1, List.of(1), 2, 4, TEXT_DIM, 16);
    }

    private static Tensor forward(UNet3D m, Tensor x, Tensor text, Tensor textMask) {
        return m.forward(x, Tensor.linspace(0.1, 0.9, x.size(0)), text, textMask);
    }

    @Test
    void outputHasTheVideoShapeForSeveralConfigsAndOddFrameCounts() {
        Generator gen = new Generator(1);
        Object[][] cases = {
            {UNetConfig.tiny().withTextDim(TEXT_DIM), new int[] {2, 3, 8, 16, 16}},
            {config(), new int[] {1, 3, 5, 6, 10}},
            // three levels, attention at full resolution too, 4 input and 2 output channels, one frame
            {new UNetConfig(4, 2, 8, List.of(1, 1, 2), 2, List.of(0, 2), 2, 2, TEXT_DIM, 16), new int[] {1, 4, 1, 8, 4}},
        };
        for (Object[] c : cases) {
            UNetConfig cfg = (UNetConfig) c[0];
            int[] shape = (int[]) c[1];
            UNet3D m = new UNet3D(cfg, gen);
            ModelTesting.perturb(m, 0.05, gen);
            try (Scope s = Scope.open(); GradMode.Guard g = GradMode.noGrad()) {
                Tensor out = forward(m, Tensor.randn(gen, shape), Tensor.randn(gen, shape[0], TEXT_LEN, TEXT_DIM),
                        mask(TEXT_LEN, new int[shape[0]]).logicalNot());
                int[] expect = shape.clone();
                expect[1] = cfg.outChannels();
                assertArrayEquals(expect, out.shape(), cfg.toString());
                assertTrue(Double.isFinite(out.sum().item()) && maxAbs(out) > 0, cfg + ": output is not a finite, non-zero video");
            }
        }
    }

    @Test
    void untrainedModelPredictsExactlyZero() {
        Generator gen = new Generator(2);
        UNet3D m = new UNet3D(config(), gen);
        try (Scope s = Scope.open()) {
            Tensor out = forward(m, Tensor.randn(gen, 2, 3, 3, 4, 4), Tensor.randn(gen, 2, TEXT_LEN, TEXT_DIM), mask(TEXT_LEN, 1, 5));
            assertEquals(0.0, maxAbs(out));
        }
    }

    @Test
    void textChangesTheOutputButPaddedTokensDoNot() {
        Generator gen = new Generator(3);
        UNet3D m = new UNet3D(config(), gen);
        ModelTesting.perturb(m, 0.05, gen);
        try (Scope s = Scope.open(); GradMode.Guard g = GradMode.noGrad()) {
            Tensor x = Tensor.randn(gen, 2, 3, 2, 4, 4);
            Tensor text = Tensor.randn(gen, 2, TEXT_LEN, TEXT_DIM);
            Tensor textMask = mask(TEXT_LEN, 1, 3);
            Tensor keep = textMask.unsqueeze(-1);
            Tensor otherPadding = Tensor.where(keep, text, Tensor.randn(gen, 2, TEXT_LEN, TEXT_DIM).mul(10));
            assertArrayEquals(forward(m, x, text, textMask).toFloatArray(), forward(m, x, otherPadding, textMask).toFloatArray(), 0f);
            Tensor otherReal = Tensor.where(keep, Tensor.randn(gen, 2, TEXT_LEN, TEXT_DIM), text);
            assertTrue(maxAbsDiff(forward(m, x, text, textMask), forward(m, x, otherReal, textMask)) > 1e-4);
        }
    }

    /** The noise level reaches the output through every ResBlock's time projection. */
    @Test
    void noiseLevelChangesTheOutput() {
        Generator gen = new Generator(4);
        UNet3D m = new UNet3D(config(), gen);
        ModelTesting.perturb(m, 0.05, gen);
        try (Scope s = Scope.open(); GradMode.Guard g = GradMode.noGrad()) {
            Tensor x = Tensor.randn(gen, 1, 3, 2, 4, 4);
            Tensor text = Tensor.randn(gen, 1, TEXT_LEN, TEXT_DIM);
            Tensor textMask = mask(TEXT_LEN, 2);
            Tensor a = m.forward(x, Tensor.of(new float[] {0.2f}, 1), text, textMask);
            Tensor b = m.forward(x, Tensor.of(new float[] {0.8f}, 1), text, textMask);
            assertTrue(maxAbsDiff(a, b) > 1e-4);
        }
    }

    private static TextToVideo<UNet3D> textToVideo(long seed) {
        Generator gen = new Generator(seed);
        TextEncoder enc = new TextEncoder(20, TEXT_LEN, TEXT_DIM, 1, 2, gen);
        TextToVideo<UNet3D> m = new TextToVideo<>(enc, new UNet3D(config(), gen));
        ModelTesting.perturb(m, 0.05, gen);
        return m;
    }

    private static void backwardOnce(TextToVideo<?> m, long seed) {
        Generator gen = new Generator(seed);
        try (Scope s = Scope.open()) {
            Tokens tokens = new Tokens(Tensor.randint(gen, 2, 20, 2, TEXT_LEN), mask(TEXT_LEN, 2, 5));
            Tensor x = Tensor.randn(gen, 2, 3, 3, 4, 6);
            Tensor target = Tensor.randn(gen, 2, 3, 3, 4, 6);
            m.forward(x, Tensor.of(new float[] {0.3f, 0.6f}, 2), tokens).sub(target).pow(2).mean().backward();
        }
    }

    @Test
    void gradientReachesEveryParameterOfTheModelAndTheTextEncoder() {
        TextToVideo<UNet3D> m = textToVideo(5);
        backwardOnce(m, 6);
        ModelTesting.assertEveryParameterHasAGradient(m);
    }

    @Test
    void checkpointingGivesTheSameGradients() {
        TextToVideo<UNet3D> plain = textToVideo(7);
        TextToVideo<UNet3D> checkpointed = textToVideo(7);
        checkpointed.backbone().setGradientCheckpointing(true);
        backwardOnce(plain, 8);
        backwardOnce(checkpointed, 8);
        ModelTesting.assertSameGradients(plain, checkpointed, 1e-5, 1e-9);
    }

    @Test
    void badInputsAreRejectedWithTheirShapes() {
        Generator gen = new Generator(9);
        UNet3D m = new UNet3D(config(), gen);
        Tensor text = Tensor.randn(gen, 1, TEXT_LEN, TEXT_DIM);
        Tensor t = Tensor.of(new float[] {0.5f}, 1);
        var odd = assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.randn(gen, 1, 3, 2, 5, 4), t, text, mask(TEXT_LEN, 2)));
        assertTrue(odd.getMessage().contains("[1, 3, 2, 5, 4]") && odd.getMessage().contains("divisible by 2"), odd.getMessage());
        var width = assertThrows(IllegalArgumentException.class,
                () -> m.forward(Tensor.randn(gen, 1, 3, 2, 4, 4), t, Tensor.randn(gen, 1, TEXT_LEN, 8), mask(TEXT_LEN, 2)));
        assertTrue(width.getMessage().contains("text F32[1, 5, 8]") && width.getMessage().contains("[B, L, 16]"), width.getMessage());
        var groups = assertThrows(IllegalArgumentException.class,
                () -> new UNetConfig(3, 3, 12, List.of(1, 2), 1, List.of(1), 2, 8, TEXT_DIM, 16));
        assertTrue(groups.getMessage().contains("8 groups"), groups.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new UNetConfig(3, 3, 8, List.of(1, 2), 1, List.of(2), 2, 4, TEXT_DIM, 16));
    }

    @Test
    void presetsGrowFromTinyToBase() {
        Generator gen = new Generator(10);
        long tiny = new UNet3D(UNetConfig.tiny(), gen).numParameters();
        long small = new UNet3D(UNetConfig.small(), gen).numParameters();
        long base = new UNet3D(UNetConfig.base(), gen).numParameters();
        System.out.printf("UNet3D parameters: tiny %,d, small %,d, base %,d%n", tiny, small, base);
        assertTrue(tiny < 1_000_000 && tiny < small && small < base, tiny + " " + small + " " + base);
    }
}
