package org.ddrl.rl.reward;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.ddrl.autodiff.nn.Losses;
import org.ddrl.autodiff.optim.AdamW;
import org.ddrl.autodiff.optim.ClipGrad;
import org.ddrl.diffusion.data.Attributes;
import org.ddrl.diffusion.data.Batch;
import org.ddrl.diffusion.data.Dataset;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.GradMode;
import org.ddrl.tensor.Scope;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;

/**
 * Trains an {@link AttributeClassifier} on real videos with the sum of the three heads' cross-entropies (AdamW,
 * gradient clipping at norm 1), and measures its accuracy. Every video must carry its attributes.
 */
public final class AttributeClassifierTraining {
    private AttributeClassifierTraining() {}

    /**
     * @param steps     optimizer steps
     * @param batchSize videos per step, drawn uniformly with replacement from the dataset
     * @param lr        AdamW learning rate (betas 0.9, 0.999, weight decay 1e-4)
     * @param seed      seed of the batch draws
     */
    public record Options(int steps, int batchSize, double lr, long seed) {
        public Options {
            if (steps < 1) throw new IllegalArgumentException("AttributeClassifierTraining: steps must be >= 1, got " + steps);
            if (batchSize < 1) throw new IllegalArgumentException("AttributeClassifierTraining: batchSize must be >= 1, got " + batchSize);
            if (!(lr > 0) || Double.isInfinite(lr)) throw new IllegalArgumentException("AttributeClassifierTraining: lr must be finite and > 0, got " + lr);
        }
    }

    /** Fractions of videos whose colour, shape, direction, and all three, are predicted right. */
    public record Accuracy(double colour, double shape, double direction, double all) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "colour %.3f, shape %.3f, direction %.3f, all %.3f", colour, shape, direction, all);
        }
    }

    /**
     * Trains {@code model} in place on {@code data} (videos moved to the model's device) and returns the mean training
     * loss of the last tenth of the steps. {@code log} receives a line every {@code steps / 10} steps (may be null).
     */
    public static double train(AttributeClassifier model, Dataset data, Options options, Consumer<String> log) {
        if (data.size() < 1) throw new IllegalArgumentException("AttributeClassifierTraining.train: the dataset is empty");
        Device device = model.parameters().getFirst().device();
        model.train();
        AdamW opt = new AdamW(model.namedParameters(), new AdamW.Options().lr(options.lr()).weightDecay(1e-4));
        Generator gen = new Generator(options.seed());
        int every = Math.max(1, options.steps() / 10);
        double tail = 0;
        int tailCount = 0;
        for (int step = 0; step < options.steps(); step++) {
            double loss;
            try (Scope scope = Scope.open()) {
                int[] idx = Tensor.randint(gen, 0, data.size(), DType.I32, Device.CPU, options.batchSize()).toIntArray();
                try (Batch batch = data.batch(idx)) {
                    Tensor videos = batch.videos().to(device);
                    AttributeClassifier.Targets t = AttributeClassifier.Targets.of(attributes(batch), device);
                    AttributeClassifier.Logits l = model.logits(videos);
                    Tensor total = Losses.crossEntropy(l.colour(), t.colour()).add(Losses.crossEntropy(l.shape(), t.shape()))
                            .add(Losses.crossEntropy(l.direction(), t.direction()));
                    total.backward();
                    loss = total.item();
                }
            }
            ClipGrad.clipGradNorm(opt.params(), 1.0);
            opt.step();
            opt.zeroGrad();
            if (step >= options.steps() - every) {
                tail += loss;
                tailCount++;
            }
            if (log != null && (step + 1) % every == 0) {
                log.accept(String.format(Locale.ROOT, "classifier step %d/%d: loss %.4f", step + 1, options.steps(), loss));
            }
        }
        model.eval();
        return tail / tailCount;
    }

    /** Accuracy of {@code model} on the first {@code count} videos of {@code data}, in batches of {@code batchSize}. */
    public static Accuracy accuracy(AttributeClassifier model, Dataset data, int count, int batchSize) {
        if (count < 1 || count > data.size()) {
            throw new IllegalArgumentException("AttributeClassifierTraining.accuracy: count must be in [1, " + data.size() + "], got " + count);
        }
        Device device = model.parameters().getFirst().device();
        int colour = 0, shape = 0, direction = 0, all = 0;
        try (var noGrad = GradMode.noGrad()) {
            for (int start = 0; start < count; start += batchSize) {
                int n = Math.min(batchSize, count - start);
                int[] idx = new int[n];
                for (int i = 0; i < n; i++) idx[i] = start + i;
                try (Scope scope = Scope.open(); Batch batch = data.batch(idx)) {
                    AttributeClassifier.Logits l = model.logits(batch.videos().to(device));
                    long[] pc = l.colour().argmax(1, false).to(DType.I64).toLongArray();
                    long[] ps = l.shape().argmax(1, false).to(DType.I64).toLongArray();
                    long[] pd = l.direction().argmax(1, false).to(DType.I64).toLongArray();
                    List<Attributes> truth = attributes(batch);
                    for (int i = 0; i < n; i++) {
                        Attributes a = truth.get(i);
                        boolean c = pc[i] == a.colour().ordinal(), s = ps[i] == a.shape().ordinal(), d = pd[i] == a.direction().ordinal();
                        colour += c ? 1 : 0;
                        shape += s ? 1 : 0;
                        direction += d ? 1 : 0;
                        all += c && s && d ? 1 : 0;
                    }
                }
            }
        }
        return new Accuracy((double) colour / count, (double) shape / count, (double) direction / count, (double) all / count);
    }

    private static List<Attributes> attributes(Batch batch) {
        List<Attributes> out = new ArrayList<>(batch.attributes());
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i) == null) {
                throw new IllegalArgumentException("AttributeClassifierTraining: video " + batch.indices()[i]
                        + " has no attributes; the classifier trains only on labelled videos");
            }
        }
        return out;
    }
}
