package org.ddrl.diffusion.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ddrl.diffusion.model.ModelTesting.mask;
import static org.ddrl.diffusion.model.ModelTesting.maxAbs;
import static org.ddrl.diffusion.model.ModelTesting.maxAbsDiff;

import org.ddrl.autodiff.nn.MultiheadAttention;
import org.ddrl.autodiff.nn.Rope3d;
import org.ddrl.autodiff.optim.AdamW;
import org.ddrl.diffusion.text.TextEncoder;
import org.ddrl.diffusion.text.Tokens;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.GradMode;
import org.ddrl.tensor.Scope;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;
import org.junit.jupiter.api.Test;

class VideoDiTTest {
    private static final int TEXT_DIM = 16;
    private static final int TEXT_LEN = 5;

    /** 32 wide, 2 deep, 2 heads of 16: small enough for many forward passes. */
    private static DiTConfig config(int pt, int ph, int pw) {
        return new DiTConfig(3, 3, pt, ph, pw, 32, 2, 2, 2.0, TEXT_DIM, 32, 10000);
    }

    private static Tensor forward(VideoDiT m, Tensor x, Tensor text, Tensor textMask) {
        Tensor t = Tensor.linspace(0.1, 0.9, x.size(0));
        return m.forward(x, t, text, textMask);
    }

    @Test
    void outputHasTheVideoShapeForSeveralPatchSizesAndOddFrameCounts() {
        Generator gen = new Generator(1);
        Object[][] cases = {
            {DiTConfig.tiny().withTextDim(TEXT_DIM).withDepth(1), new int[] {2, 3, 8, 16, 16}},
            {config(3, 2, 2), new int[] {1, 3, 9, 8, 6}},
            {config(1, 2, 2), new int[] {2, 3, 5, 4, 6}},
            {new DiTConfig(4, 2, 5, 1, 1, 32, 1, 4, 4.0, TEXT_DIM, 16, 100), new int[] {1, 4, 5, 3, 3}},
        };
        for (Object[] c : cases) {
            DiTConfig cfg = (DiTConfig) c[0];
            int[] shape = (int[]) c[1];
            VideoDiT m = new VideoDiT(cfg, gen);
            ModelTesting.perturb(m, 0.05, gen);
            try (Scope s = Scope.open(); GradMode.Guard g = GradMode.noGrad()) {
                Tensor x = Tensor.randn(gen, shape);
                Tensor out = forward(m, x, Tensor.randn(gen, shape[0], TEXT_LEN, TEXT_DIM), mask(TEXT_LEN, new int[shape[0]]).logicalNot());
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
        VideoDiT m = new VideoDiT(DiTConfig.tiny().withTextDim(TEXT_DIM), gen);
        try (Scope s = Scope.open()) {
            Tensor out = forward(m, Tensor.randn(gen, 2, 3, 4, 8, 8), Tensor.randn(gen, 2, TEXT_LEN, TEXT_DIM), mask(TEXT_LEN, 2, 5));
            assertEquals(0.0, maxAbs(out));
        }
    }

    @Test
    void everyBlockStartsAsTheIdentity() {
        Generator gen = new Generator(3);
        DiTConfig cfg = config(1, 2, 2);
        DiTBlock block = new DiTBlock(cfg, gen);
        Rope3d rope = new Rope3d(cfg.headDim(), cfg.ropeTheta());
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(gen, 2, 12, cfg.width());
            Tensor out = block.forward(x, Tensor.randn(gen, 2, cfg.width()), Tensor.randn(gen, 2, TEXT_LEN, TEXT_DIM),
                    mask(TEXT_LEN, 1, 4).logicalNot(), new MultiheadAttention.RopeInput(rope, rope.tables(3, 2, 2)));
            assertArrayEquals(x.toFloatArray(), out.toFloatArray(), 0f);
        }
    }

    /**
     * Without positions, attention is permutation-equivariant: permuting the tokens permutes the output. With
     * the rotary embedding the block must see where each token is, so the permuted input gives a different result.
     */
    @Test
    void rotaryEmbeddingMakesSelfAttentionDependOnPosition() {
        Generator gen = new Generator(4);
        DiTConfig cfg = config(1, 1, 1);
        DiTBlock block = new DiTBlock(cfg, gen);
        ModelTesting.perturb(block, 0.3, gen);
        Rope3d rope = new Rope3d(cfg.headDim(), cfg.ropeTheta());
        var ropeIn = new MultiheadAttention.RopeInput(rope, rope.tables(2, 2, 2));
        try (Scope s = Scope.open(); GradMode.Guard g = GradMode.noGrad()) {
            Tensor x = Tensor.randn(gen, 1, 8, cfg.width());
            Tensor c = Tensor.randn(gen, 1, cfg.width());
            Tensor text = Tensor.randn(gen, 1, TEXT_LEN, TEXT_DIM);
            Tensor pad = mask(TEXT_LEN, 3).logicalNot();
            Tensor perm = Tensor.of(new long[] {7, 6, 5, 4, 3, 2, 1, 0});
            Tensor plainPermutedFirst = block.forward(x.indexSelect(1, perm), c, text, pad, null);
            Tensor plainPermutedAfter = block.forward(x, c, text, pad, null).indexSelect(1, perm);
            assertTrue(maxAbsDiff(plainPermutedFirst, plainPermutedAfter) < 1e-5, "without RoPE the block is equivariant");
            Tensor ropePermutedFirst = block.forward(x.indexSelect(1, perm), c, text, pad, ropeIn);
            Tensor ropePermutedAfter = block.forward(x, c, text, pad, ropeIn).indexSelect(1, perm);
            double diff = maxAbsDiff(ropePermutedFirst, ropePermutedAfter);
            assertTrue(diff > 1e-2, "with RoPE the output should depend on token positions, differs by " + diff);
        }
    }

    /**
     * At initialization the output ignores the text (it is zero). The zero-initialized final layer blocks
     * every gradient on the first step, so the cross-attention output projection moves on the second and
     * the text shows in the output from the third.
     */
    @Test
    void textConditionsTheOutputOnceTrainingMovesTheZeroInitializedLayers() {
        Generator gen = new Generator(5);
        VideoDiT m = new VideoDiT(config(1, 2, 2), gen);
        Tensor textA = Tensor.randn(gen, 2, TEXT_LEN, TEXT_DIM);
        Tensor textB = Tensor.randn(gen, 2, TEXT_LEN, TEXT_DIM);
        Tensor textMask = mask(TEXT_LEN, 5, 3);
        Tensor x0 = Tensor.randn(gen, 2, 3, 4, 8, 8);
        Tensor eps = Tensor.randn(gen, 2, 3, 4, 8, 8);
        Tensor t = Tensor.of(new float[] {0.3f, 0.7f}, 2);
        Tensor tb = t.reshape(2, 1, 1, 1, 1);
        Tensor xt = x0.mul(tb.rsub(1)).add(eps.mul(tb));
        try (Scope s = Scope.open(); GradMode.Guard g = GradMode.noGrad()) {
            assertEquals(0.0, maxAbsDiff(m.forward(xt, t, textA, textMask), m.forward(xt, t, textB, textMask)));
        }
        AdamW opt = new AdamW(m.parameters(), new AdamW.Options().lr(1e-2));
        for (int step = 0; step < 3; step++) {
            try (Scope s = Scope.open()) {
                opt.zeroGrad();
                m.forward(xt, t, textA, textMask).sub(eps.sub(x0)).pow(2).mean().backward();
                opt.step();
            }
        }
        try (Scope s = Scope.open(); GradMode.Guard g = GradMode.noGrad()) {
            double diff = maxAbsDiff(m.forward(xt, t, textA, textMask), m.forward(xt, t, textB, textMask));
            assertTrue(diff > 1e-5, "after three steps another caption should change the velocity, differs by " + diff);
        }
    }

    @Test
    void paddedTextTokensAreNeverAttendedTo() {
        Generator gen = new Generator(6);
        VideoDiT m = new VideoDiT(config(1, 2, 2), gen);
        ModelTesting.perturb(m, 0.05, gen);
        try (Scope s = Scope.open(); GradMode.Guard g = GradMode.noGrad()) {
            Tensor x = Tensor.randn(gen, 2, 3, 2, 4, 4);
            Tensor text = Tensor.randn(gen, 2, TEXT_LEN, TEXT_DIM);
            Tensor textMask = mask(TEXT_LEN, 2, 4);
            // rows 0 and 1 keep 2 and 4 real tokens; only the padded positions change here
            Tensor keep = textMask.unsqueeze(-1);
            Tensor otherPadding = Tensor.where(keep, text, Tensor.randn(gen, 2, TEXT_LEN, TEXT_DIM).mul(10));
            assertArrayEquals(forward(m, x, text, textMask).toFloatArray(), forward(m, x, otherPadding, textMask).toFloatArray(), 0f);
            Tensor otherReal = Tensor.where(keep, Tensor.randn(gen, 2, TEXT_LEN, TEXT_DIM), text);
            assertTrue(maxAbsDiff(forward(m, x, text, textMask), forward(m, x, otherReal, textMask)) > 1e-4);
        }
    }

    /**
     * With pooled text the caption also reaches the blocks through the mean of its real tokens. Silencing every
     * cross-attention leaves that path alone: two captions with the same mean then give the same velocity, a caption
     * with another mean a different one, and padded tokens never count.
     */
    @Test
    void pooledTextConditionsThroughTheMeanOfTheRealTokens() {
        Generator gen = new Generator(11);
        VideoDiT m = new VideoDiT(config(1, 2, 2).withPooledText(true), gen);
        ModelTesting.perturb(m, 0.05, gen);
        try (Scope s = Scope.open(); GradMode.Guard g = GradMode.noGrad()) {
            for (var e : m.namedParameters().entrySet()) {
                if (e.getKey().contains("cross_attn.out_proj")) e.getValue().copyFrom(Tensor.zeros(e.getValue().shape()));
            }
            Tensor x = Tensor.randn(gen, 2, 3, 2, 4, 4);
            Tensor text = Tensor.randn(gen, 2, TEXT_LEN, TEXT_DIM);
            Tensor textMask = mask(TEXT_LEN, 2, 4);
            // move token 0 by d and token 1 by -d in both rows (both real): the mean stays
            Tensor d = Tensor.randn(gen, 2, 1, TEXT_DIM);
            Tensor shift = Tensor.cat(1, d, d.neg(), Tensor.zeros(2, TEXT_LEN - 2, TEXT_DIM));
            Tensor sameMean = text.add(shift);
            Tensor base = forward(m, x, text, textMask);
            assertTrue(maxAbsDiff(base, forward(m, x, sameMean, textMask)) < 1e-5, "the same mean gives the same velocity");
            Tensor otherMean = text.add(Tensor.cat(1, d, Tensor.zeros(2, TEXT_LEN - 1, TEXT_DIM)));
            assertTrue(maxAbsDiff(base, forward(m, x, otherMean, textMask)) > 1e-4, "another mean changes the velocity");
            Tensor keep = textMask.unsqueeze(-1);
            Tensor otherPadding = Tensor.where(keep, text, Tensor.randn(gen, 2, TEXT_LEN, TEXT_DIM).mul(10));
            assertArrayEquals(base.toFloatArray(), forward(m, x, otherPadding, textMask).toFloatArray(), 0f);
            // without pooling, the silenced cross-attention leaves the velocity blind to the caption
            VideoDiT plain = new VideoDiT(config(1, 2, 2), new Generator(12));
            ModelTesting.perturb(plain, 0.05, gen);
            for (var e : plain.namedParameters().entrySet()) {
                if (e.getKey().contains("cross_attn.out_proj")) e.getValue().copyFrom(Tensor.zeros(e.getValue().shape()));
            }
            assertEquals(0, maxAbsDiff(forward(plain, x, text, textMask), forward(plain, x, otherMean, textMask)));
        }
    }

    @Test
    void pooledTextAddsOneLinearMapThatTrainingReaches() {
        Generator gen = new Generator(13);
        TextEncoder enc = new TextEncoder(20, TEXT_LEN, TEXT_DIM, 1, 2, gen);
        TextToVideo<VideoDiT> m = new TextToVideo<>(enc, new VideoDiT(config(1, 2, 2).withPooledText(true), gen));
        ModelTesting.perturb(m, 0.05, gen);
        VideoDiT plain = new VideoDiT(config(1, 2, 2), new Generator(13));
        assertEquals(plain.numParameters() + (long) TEXT_DIM * 32 + 32, m.backbone().numParameters(), "text_pool is a Linear(text_dim, width)");
        backwardOnce(m, 14);
        ModelTesting.assertEveryParameterHasAGradient(m);
    }

    private static TextToVideo<VideoDiT> textToVideo(long seed) {
        Generator gen = new Generator(seed);
        TextEncoder enc = new TextEncoder(20, TEXT_LEN, TEXT_DIM, 1, 2, gen);
        TextToVideo<VideoDiT> m = new TextToVideo<>(enc, new VideoDiT(config(1, 2, 2), gen));
        ModelTesting.perturb(m, 0.05, gen);
        return m;
    }

    private static void backwardOnce(TextToVideo<?> m, long seed) {
        Generator gen = new Generator(seed);
        try (Scope s = Scope.open()) {
            Tokens tokens = new Tokens(Tensor.randint(gen, 2, 20, 2, TEXT_LEN), mask(TEXT_LEN, 3, 5));
            Tensor x = Tensor.randn(gen, 2, 3, 3, 4, 6);
            Tensor target = Tensor.randn(gen, 2, 3, 3, 4, 6);
            m.forward(x, Tensor.of(new float[] {0.2f, 0.9f}, 2), tokens).sub(target).pow(2).mean().backward();
        }
    }

    @Test
    void gradientReachesEveryParameterOfTheModelAndTheTextEncoder() {
        TextToVideo<VideoDiT> m = textToVideo(7);
        backwardOnce(m, 8);
        ModelTesting.assertEveryParameterHasAGradient(m);
    }

    @Test
    void checkpointingGivesTheSameGradients() {
        TextToVideo<VideoDiT> plain = textToVideo(9);
        TextToVideo<VideoDiT> checkpointed = textToVideo(9);
        checkpointed.backbone().setGradientCheckpointing(true);
        backwardOnce(plain, 10);
        backwardOnce(checkpointed, 10);
        ModelTesting.assertSameGradients(plain, checkpointed, 1e-5, 1e-9);
    }

    @Test
    void badInputsAreRejectedWithTheirShapes() {
        Generator gen = new Generator(11);
        VideoDiT m = new VideoDiT(config(2, 2, 2), gen);
        Tensor text = Tensor.randn(gen, 1, TEXT_LEN, TEXT_DIM);
        Tensor textMask = mask(TEXT_LEN, 2);
        Tensor t = Tensor.of(new float[] {0.5f}, 1);
        var channels = assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.randn(gen, 1, 4, 2, 4, 4), t, text, textMask));
        assertTrue(channels.getMessage().contains("[1, 4, 2, 4, 4]") && channels.getMessage().contains("[B, 3, T, H, W]"), channels.getMessage());
        var frames = assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.randn(gen, 1, 3, 3, 4, 4), t, text, textMask));
        assertTrue(frames.getMessage().contains("[1, 3, 3, 4, 4]") && frames.getMessage().contains("2x2x2"), frames.getMessage());
        var maskType = assertThrows(IllegalArgumentException.class,
                () -> m.forward(Tensor.randn(gen, 1, 3, 2, 4, 4), t, text, textMask.to(DType.F32)));
        assertTrue(maskType.getMessage().contains("text mask F32[1, 5]"), maskType.getMessage());
        var batch = assertThrows(IllegalArgumentException.class,
                () -> m.forward(Tensor.randn(gen, 2, 3, 2, 4, 4), t, text, textMask));
        assertTrue(batch.getMessage().contains("t F32[1]"), batch.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DiTConfig(3, 3, 1, 2, 2, 30, 2, 4, 4.0, 16, 32, 10000));
    }

    @Test
    void presetsGrowFromTinyToBase() {
        Generator gen = new Generator(12);
        long tiny = new VideoDiT(DiTConfig.tiny(), gen).numParameters();
        long small = new VideoDiT(DiTConfig.small(), gen).numParameters();
        long base = new VideoDiT(DiTConfig.base(), gen).numParameters();
        System.out.printf("VideoDiT parameters: tiny %,d, small %,d, base %,d%n", tiny, small, base);
        assertTrue(tiny < 1_000_000 && tiny < small && small < base, tiny + " " + small + " " + base);
    }
}
