package org.ddrl.autodiff.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.GradMode;
import org.ddrl.tensor.Scope;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;
import org.junit.jupiter.api.Test;

/**
 * End-to-end learning: the layers, losses and autodiff together must fit real tasks. Models are built with
 * no scope open; each step runs in its own scope, so only parameters, gradients and optimizer moments live on.
 */
class LearningTest {
    /** Two interleaved spiral arms, 1.5 turns each, with a little radial noise; labels 0 and 1. */
    private static Tensor[] spiral(int perClass, long seed) {
        java.util.Random rnd = new java.util.Random(seed);
        float[] xy = new float[4 * perClass];
        long[] label = new long[2 * perClass];
        for (int c = 0; c < 2; c++) {
            for (int i = 0; i < perClass; i++) {
                double t = (double) i / perClass;
                double r = 0.1 + 0.9 * t + 0.02 * rnd.nextGaussian();
                double angle = 3 * Math.PI * t + c * Math.PI;
                int k = c * perClass + i;
                xy[2 * k] = (float) (r * Math.cos(angle));
                xy[2 * k + 1] = (float) (r * Math.sin(angle));
                label[k] = c;
            }
        }
        return new Tensor[] {Tensor.of(xy, 2 * perClass, 2), Tensor.of(label)};
    }

    private static double accuracy(Tensor logits, Tensor target) {
        return logits.argmax(-1, false).eq(target).to(DType.F64).mean().item();
    }

    @Test
    void twoLayerMlpLearnsTheSpiral() {
        Tensor[] data = spiral(200, 1);
        Generator gen = new Generator(2);
        Sequential mlp = new Sequential(new Linear(2, 128, gen), new Tanh(), new Linear(128, 2, gen));
        TinyAdam adam = new TinyAdam(mlp.parameters(), 0.01);
        for (int step = 0; step < 800; step++) {
            try (Scope s = Scope.open()) {
                mlp.zeroGrad();
                Losses.crossEntropy(mlp.forward(data[0]), data[1]).backward();
                adam.step();
            }
        }
        try (Scope s = Scope.open(); GradMode.Guard g = GradMode.noGrad()) {
            double acc = accuracy(mlp.forward(data[0]), data[1]);
            assertTrue(acc >= 0.97, "training accuracy " + acc);
        }
    }

    /** Pre-norm block: causal self-attention and a GELU MLP, each around a residual connection. */
    static final class Block extends Module {
        private final LayerNorm norm1 = registerModule("norm1", new LayerNorm(DIM));
        private final MultiheadAttention attn;
        private final LayerNorm norm2 = registerModule("norm2", new LayerNorm(DIM));
        private final FeedForward mlp;

        Block(Generator gen) {
            attn = registerModule("attn", new MultiheadAttention(DIM, 2, gen));
            mlp = registerModule("mlp", new FeedForward(DIM, 2 * DIM, FeedForward.Activation.GELU, true, gen));
        }

        @Override
        public Tensor forward(Tensor... in) {
            Tensor x = single(in);
            Tensor h = norm1.forward(x);
            x = x.add(attn.forward(h, h, h, null, null, true, null));
            return x.add(mlp.forward(norm2.forward(x)));
        }
    }

    /** Token and learned position embeddings, blocks, a final norm and a linear head over the vocabulary. */
    static final class TinyTransformer extends Module {
        private final Embedding tokens;
        private final Embedding positions;
        private final ModuleList<Block> blocks;
        private final LayerNorm norm = registerModule("norm", new LayerNorm(DIM));
        private final Linear head;

        TinyTransformer(int vocab, int length, int depth, Generator gen) {
            tokens = registerModule("tokens", new Embedding(vocab, DIM, gen));
            positions = registerModule("positions", new Embedding(length, DIM, gen));
            blocks = registerModule("blocks", new ModuleList<>());
            for (int i = 0; i < depth; i++) blocks.add(new Block(gen));
            head = registerModule("head", new Linear(DIM, vocab, gen));
        }

        /** ids [B, T] to logits [B, T, vocab]. */
        @Override
        public Tensor forward(Tensor... in) {
            Tensor ids = single(in);
            Tensor x = tokens.forward(ids).add(positions.forward(Tensor.arange(ids.size(1))));
            for (Block b : blocks) x = b.forward(x);
            return head.forward(norm.forward(x));
        }
    }

    private static final int DIM = 32;
    private static final int SYMBOLS = 8;
    private static final int LENGTH = 8;
    private static final int SEP = SYMBOLS;

    /** [B, 2 L + 1] sequences: L random symbols, the separator, the same L symbols. */
    private static Tensor copySequences(Generator gen, int batch) {
        Tensor a = Tensor.randint(gen, 0, SYMBOLS, batch, LENGTH);
        return Tensor.cat(1, a, Tensor.full(SEP, DType.I64, batch, 1), a);
    }

    /** Logits for the positions that predict the copied half, as [B, vocab, L] for cross_entropy, and their targets [B, L]. */
    private static Tensor[] copyPredictions(TinyTransformer model, Tensor seq) {
        Tensor logits = model.forward(seq.slice(1, 0, 2 * LENGTH));
        return new Tensor[] {logits.slice(1, LENGTH, 2 * LENGTH).transpose(1, 2), seq.slice(1, LENGTH + 1, 2 * LENGTH + 1)};
    }

    @Test
    void tinyTransformerLearnsToCopy() {
        Generator gen = new Generator(3);
        TinyTransformer model = new TinyTransformer(SYMBOLS + 1, 2 * LENGTH, 2, gen);
        TinyAdam adam = new TinyAdam(model.parameters(), 3e-3);
        Generator data = new Generator(4);
        // it reaches 100% on held-out sequences after about 60 steps; 150 leave a margin
        for (int step = 0; step < 150; step++) {
            try (Scope s = Scope.open()) {
                model.zeroGrad();
                Tensor[] pt = copyPredictions(model, copySequences(data, 32));
                Losses.crossEntropy(pt[0], pt[1]).backward();
                adam.step();
            }
        }
        model.eval();
        try (Scope s = Scope.open(); GradMode.Guard g = GradMode.noGrad()) {
            Tensor[] pt = copyPredictions(model, copySequences(new Generator(5), 256));
            double acc = accuracy(pt[0].transpose(1, 2), pt[1]);
            assertTrue(acc >= 0.95, "token accuracy on new sequences " + acc);
        }
    }
}
