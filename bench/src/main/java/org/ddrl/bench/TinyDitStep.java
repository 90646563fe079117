package org.ddrl.bench;

import java.util.List;
import org.ddrl.autodiff.optim.AdamW;
import org.ddrl.autodiff.optim.ClipGrad;
import org.ddrl.autodiff.optim.Ema;
import org.ddrl.diffusion.config.PretrainConfig;
import org.ddrl.diffusion.config.TrainConfig;
import org.ddrl.diffusion.data.Batch;
import org.ddrl.diffusion.data.MovingShapes;
import org.ddrl.diffusion.model.TextToVideo;
import org.ddrl.diffusion.noise.DiffusionLoss;
import org.ddrl.diffusion.noise.RectifiedFlow;
import org.ddrl.diffusion.noise.TimeSampler;
import org.ddrl.diffusion.text.TextDropout;
import org.ddrl.diffusion.text.Tokens;
import org.ddrl.diffusion.text.Vocabulary;
import org.ddrl.diffusion.text.WordTokenizer;
import org.ddrl.diffusion.train.Models;
import org.ddrl.tensor.Scope;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;

/**
 * One optimizer step of the tiny pre-training (the embedded default config, {@code pretrain-tiny.yaml}: VideoDiT with
 * 8x2x2 patches, width 128, depth 3, 4 heads, pooled text; text encoder width 64, depth 1; 16 videos of 3x8x16x16
 * and their captions), built the way {@code Pretrainer} builds it and stepped the way it steps: text dropout,
 * noise levels, Gaussian noise, forward, flow-matching loss, backward, gradient clipping, AdamW, EMA, zeroed
 * gradients. The batches are made once up front and cycled, so the data generation (a background thread in
 * training) is left out.
 */
final class TinyDitStep implements AutoCloseable {
    /** Distinct batches cycled through; a handful keeps the caption mix varied without timing data generation. */
    private static final int BATCHES = 4;

    private final TrainConfig train;
    private final WordTokenizer tokenizer;
    private final TextToVideo<?> model;
    private final AdamW optimizer;
    private final Ema ema;
    private final Generator noise = new Generator(2);
    private final TimeSampler times;
    private final Batch[] batches = new Batch[BATCHES];
    private int next;

    TinyDitStep() {
        PretrainConfig config = PretrainConfig.defaults();
        train = config.train();
        Vocabulary vocab = Models.captionVocabulary();
        tokenizer = Models.tokenizer(vocab, config.model());
        model = Models.build(config.model(), vocab, new Generator(1));
        model.train();
        var params = model.namedParameters();
        optimizer = new AdamW(params, new AdamW.Options().lr(train.lr()).betas(train.beta1(), train.beta2()).weightDecay(train.weightDecay()));
        ema = new Ema(params, train.ema().emaProfile());
        times = train.time().sampler();
        var data = new MovingShapes(config.video(), config.data().dataSplit(), config.data().videos(), config.data().seed());
        int b = train.batchSize();
        for (int i = 0; i < BATCHES; i++) {
            int[] indices = new int[b];
            for (int j = 0; j < b; j++) indices[j] = (i * b + j) * 37 % data.size();
            batches[i] = data.batch(indices);
        }
    }

    /** Parameters of the video model and the text encoder. */
    long parameters() {
        return model.numParameters();
    }

    /** One step; returns the loss (finite unless training diverged). */
    double step() {
        Batch batch = batches[next];
        next = (next + 1) % BATCHES;
        try (Scope scope = Scope.open()) {
            Tensor x0 = batch.videos();
            List<String> captions = TextDropout.apply(batch.captions(), train.textDropout(), noise);
            Tokens tokens = tokenizer.encode(captions);
            Tensor t = times.sample(noise, batch.size());
            Tensor eps = Tensor.randn(noise, x0.shape());
            Tensor v = model.forward(RectifiedFlow.interpolate(x0, eps, t), t, tokens);
            Tensor loss = DiffusionLoss.velocityMse(v, x0, eps);
            loss.backward();
            double value = loss.item();
            ClipGrad.clipGradNorm(optimizer.params(), train.gradClip());
            optimizer.step();
            ema.update();
            optimizer.zeroGrad();
            return value;
        }
    }

    @Override
    public void close() {
        for (Batch b : batches) b.close();
    }
}
