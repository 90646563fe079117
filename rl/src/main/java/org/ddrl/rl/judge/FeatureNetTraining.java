package org.ddrl.rl.judge;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import org.ddrl.autodiff.nn.Losses;
import org.ddrl.autodiff.optim.AdamW;
import org.ddrl.autodiff.optim.LrSchedule;
import org.ddrl.autodiff.optim.Scheduler;
import org.ddrl.diffusion.data.Attributes;
import org.ddrl.diffusion.data.Batch;
import org.ddrl.diffusion.data.BatchIterator;
import org.ddrl.diffusion.data.MovingShapes;
import org.ddrl.diffusion.data.MovingShapesConfig;
import org.ddrl.diffusion.data.Split;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.GradMode;
import org.ddrl.tensor.Scope;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.io.SafetensorsFile;
import org.ddrl.tensor.rng.Generator;

/**
 * Trains a {@link FeatureNet} on real moving-shapes videos (the TRAIN split): each video of a batch gets a
 * {@link Distortion} drawn uniformly (NONE included), and the loss is the sum of the cross-entropies of colour, shape,
 * direction and distortion. Keeps one pre-trained network per video size for the judge.
 *
 * <p>The pre-trained network uses {@link Recipe#PRETRAINED}: seeds of its own (weights {@value #WEIGHT_SEED}, data
 * {@value #DATA_SEED}), chosen apart from any seed the reward classifier or the policy use, so the judge shares no
 * initialization or data order with what it judges.
 */
public final class FeatureNetTraining {
    /** The seed of the pre-trained network's initial weights. */
    public static final long WEIGHT_SEED = 0x5EED_FEA7L;
    /** The seed of the pre-trained network's training videos and their order. */
    public static final long DATA_SEED = 0xDA7A_FEA7L;

    private static final Map<MovingShapesConfig, FeatureNet> PRETRAINED = new ConcurrentHashMap<>();

    private FeatureNetTraining() {}

    /**
     * How to train: optimizer steps, videos per step, peak learning rate (AdamW, linear warm-up over the first tenth
     * of the steps, then a cosine down to 5% of it), the number of distinct training videos and the seeds.
     */
    public record Recipe(int steps, int batchSize, double lr, int videos, long weightSeed, long dataSeed) {
        /**
         * About 30 s on two CPU cores for the tiny videos (32 s of CPU time in one measurement; 16 frames of 32x32
         * take about 4 times as long); colour, shape and direction all right on about 75% of validation videos (colour
         * and direction on nearly all, shape is the hard part), the distortion on about 60%.
         */
        public static final Recipe PRETRAINED = new Recipe(400, 16, 3e-3, 4096, WEIGHT_SEED, DATA_SEED);

        public Recipe {
            if (steps < 1 || batchSize < 1 || videos < batchSize || !(lr > 0)) {
                throw new IllegalArgumentException("FeatureNetTraining.Recipe: needs steps >= 1, batch size >= 1, videos >= batch size "
                        + "and lr > 0; got steps " + steps + ", batch size " + batchSize + ", videos " + videos + ", lr " + lr);
            }
        }

        /** The recipe as safetensors metadata, so a cached file can be checked against the recipe that asks for it. */
        Map<String, String> metadata(MovingShapesConfig config) {
            return Map.of("feature_net_recipe", toString(), "video_size", config.toString());
        }
    }

    /** What a training run ended with: the mean loss over its last tenth of steps, and its wall time. */
    public record Report(double finalLoss, double seconds) {}

    /** A new network of the recipe's weight seed, trained by the recipe. */
    public static FeatureNet trainNew(MovingShapesConfig config, Recipe recipe) {
        FeatureNet net = new FeatureNet(config, new Generator(recipe.weightSeed()));
        train(net, recipe);
        return net;
    }

    /** Trains {@code net} in place (the parameters must live outside any scope that closes before the net is used). */
    public static Report train(FeatureNet net, Recipe recipe) {
        long t0 = System.nanoTime();
        MovingShapes data = new MovingShapes(net.config(), Split.TRAIN, recipe.videos(), recipe.dataSeed());
        AdamW optimizer = new AdamW(net.namedParameters(), new AdamW.Options().lr(recipe.lr()).weightDecay(1e-4));
        int warmup = Math.max(1, recipe.steps() / 10), tail = Math.max(1, recipe.steps() / 10);
        Scheduler schedule = new Scheduler(optimizer, recipe.steps() > warmup
                ? LrSchedule.warmupCosine(warmup, recipe.steps(), 0.05) : LrSchedule.linearWarmup(warmup));
        double tailLoss = 0;
        SplittableRandom random = new SplittableRandom(recipe.dataSeed());
        net.train();
        try (BatchIterator batches = new BatchIterator(data, recipe.batchSize(), BatchIterator.FOREVER, recipe.dataSeed(), true, true, 2)) {
            for (int step = 0; step < recipe.steps(); step++) {
                try (Batch batch = batches.next(); Scope scope = Scope.open()) {
                    Distortion[] kinds = new Distortion[batch.size()];
                    Tensor videos = distort(batch.videos(), kinds, random);
                    Tensor loss = loss(net, videos, batch.attributes(), kinds);
                    optimizer.zeroGrad();
                    loss.backward();
                    optimizer.step();
                    schedule.step();
                    if (step >= recipe.steps() - tail) tailLoss += loss.item() / tail;
                }
            }
        }
        net.eval();
        return new Report(tailLoss, (System.nanoTime() - t0) / 1e9);
    }

    /** A distorted copy of videos [B, 3, T, H, W]; writes the distortion drawn for each video into {@code kinds}. */
    static Tensor distort(Tensor videos, Distortion[] kinds, SplittableRandom random) {
        int[] s = videos.shape();
        int n = 3 * s[2] * s[3] * s[4];
        float[] data = videos.toFloatArray();
        Distortion[] all = Distortion.values();
        for (int i = 0; i < s[0]; i++) {
            kinds[i] = all[random.nextInt(all.length)];
            kinds[i].apply(data, i * n, s[2], s[3], s[4], random);
        }
        return Tensor.of(data, s);
    }

    /** Summed cross-entropy of the three attribute heads and the distortion head. */
    static Tensor loss(FeatureNet net, Tensor videos, List<Attributes> truth, Distortion[] kinds) {
        Tensor[] logits = net.heads(net.forward(videos));
        Tensor loss = null;
        for (int head = 0; head < 4; head++) {
            long[] labels = new long[truth.size()];
            for (int i = 0; i < labels.length; i++) labels[i] = head < 3 ? label(truth.get(i), head) : kinds[i].ordinal();
            Tensor l = Losses.crossEntropy(logits[head], Tensor.of(labels, labels.length));
            loss = loss == null ? l : loss.add(l);
        }
        return loss;
    }

    private static int label(Attributes a, int head) {
        return switch (head) {
            case 0 -> a.colour().ordinal();
            case 1 -> a.shape().ordinal();
            default -> a.direction().ordinal();
        };
    }

    /** The fraction of (undistorted) videos whose colour, shape and direction the heads all get right. */
    public static double headAccuracy(FeatureNet net, Tensor videos, List<Attributes> truth) {
        net.eval();
        int right = 0;
        try (GradMode.Guard g = GradMode.noGrad(); Scope scope = Scope.open()) {
            Tensor[] logits = net.heads(net.forward(videos));
            long[][] predicted = new long[3][];
            for (int head = 0; head < 3; head++) predicted[head] = logits[head].argmax(1, false).to(DType.I64).toLongArray();
            for (int i = 0; i < truth.size(); i++) {
                boolean all = true;
                for (int head = 0; head < 3; head++) all &= predicted[head][i] == label(truth.get(i), head);
                right += all ? 1 : 0;
            }
        }
        return right / (double) truth.size();
    }

    /**
     * The judge's network for videos of this size: trained with {@link Recipe#PRETRAINED} on the first call in this
     * process, then the same instance. Built with no scope open, so it lives as long as the process.
     */
    public static FeatureNet pretrained(MovingShapesConfig config) {
        return PRETRAINED.computeIfAbsent(config, c -> outsideScopes(() -> trainNew(c, Recipe.PRETRAINED)));
    }

    /**
     * As {@link #pretrained(MovingShapesConfig)}, with a file cache: loads {@code file} when it holds a network of this
     * size trained by the same recipe (checked by the file's metadata), otherwise trains one and saves it there.
     */
    public static FeatureNet pretrained(MovingShapesConfig config, Path file) throws IOException {
        Map<String, String> want = Recipe.PRETRAINED.metadata(config);
        if (Files.isRegularFile(file)) {
            Map<String, String> has;
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                has = f.metadata();
            }
            if (has != null && has.entrySet().containsAll(want.entrySet())) {
                FeatureNet net = outsideScopes(() -> new FeatureNet(config, new Generator(WEIGHT_SEED)));
                net.load(file);
                net.eval();
                return net;
            }
        }
        FeatureNet net = pretrained(config);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        net.save(file, want);
        return net;
    }

    /** Runs {@code body} on a fresh thread, where no scope of the caller is open, so what it builds is never freed early. */
    private static <T> T outsideScopes(java.util.function.Supplier<T> body) {
        if (Scope.current() == null) return body.get();
        Object[] result = new Object[1];
        RuntimeException[] error = new RuntimeException[1];
        Thread t = Thread.ofPlatform().name("feature-net").start(() -> {
            try {
                result[0] = body.get();
            } catch (RuntimeException e) {
                error[0] = e;
            }
        });
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("FeatureNetTraining: interrupted while building the feature network", e);
        }
        if (error[0] != null) throw error[0];
        @SuppressWarnings("unchecked")
        T out = (T) result[0];
        return out;
    }
}
