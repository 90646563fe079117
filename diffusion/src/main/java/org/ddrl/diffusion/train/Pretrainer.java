package org.ddrl.diffusion.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import org.ddrl.autodiff.optim.AdamW;
import org.ddrl.autodiff.optim.ClipGrad;
import org.ddrl.autodiff.optim.Ema;
import org.ddrl.autodiff.optim.Scheduler;
import org.ddrl.diffusion.config.PretrainConfig;
import org.ddrl.diffusion.config.TrainConfig;
import org.ddrl.diffusion.data.Batch;
import org.ddrl.diffusion.data.BatchIterator;
import org.ddrl.diffusion.data.MovingShapes;
import org.ddrl.diffusion.model.TextToVideo;
import org.ddrl.diffusion.noise.DiffusionLoss;
import org.ddrl.diffusion.noise.RectifiedFlow;
import org.ddrl.diffusion.noise.TimeSampler;
import org.ddrl.diffusion.text.TextDropout;
import org.ddrl.diffusion.text.Tokens;
import org.ddrl.diffusion.text.Vocabulary;
import org.ddrl.diffusion.text.WordTokenizer;
import org.ddrl.kernels.cpu.HostMemory;
import org.ddrl.kernels.cpu.Parallel;
import org.ddrl.tensor.Scope;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;

/**
 * Pre-trains a text-to-video model with flow matching on moving-shapes videos:
 * <pre>
 * each step: a batch of videos x0 and captions (prefetched), captions dropped to "" with p = text_dropout,
 *            t ~ the time distribution, eps ~ N(0, I), x_t = (1 - t) x0 + t eps,
 *            loss = mean((model(x_t, t, captions) - (eps - x0))^2), backward,
 *            global gradient-norm clipping, AdamW at the warm-up/cosine rate, EMA update
 * </pre>
 * Each step runs in its own {@link Scope}, so memory stays flat. Every step appends a line to {@value #METRICS}
 * (step, loss, grad_norm, lr, videos_per_s, wall_s, host_mb: the off-heap memory in use);
 * every checkpoint_every steps, and after the last, a checkpoint goes to {@value #CHECKPOINTS}/ (see
 * {@link RunCheckpoint}); at the end (and every sample_every steps) the EMA model draws the sample prompts into
 * {@value #SAMPLES}/step_NNNNNN/ with their attribute accuracy.
 *
 * <p>A resumed run restores weights, optimizer, EMA, the noise generator's counter and the data position from the
 * newest complete checkpoint, and continues with exactly the losses the uninterrupted run has (the same thread count
 * assumed: parallel reductions split by it).
 */
public final class Pretrainer {
    public static final String CHECKPOINTS = "checkpoints";
    public static final String METRICS = "metrics.jsonl";
    public static final String SAMPLES = "samples";
    /** The resolved config of the run, written when it starts. */
    public static final String CONFIG = "config.json";
    /** Steps in the mean loss a run reports. */
    private static final int RECENT = 50;

    private final PretrainConfig config;
    private final TrainConfig train;
    private final Path out;
    private final PrintStream log;
    private final Vocabulary vocab;
    private final WordTokenizer tokenizer;
    private final TextToVideo<?> model;
    private final AdamW optimizer;
    private final Ema ema;
    private final Generator noise;
    private final TimeSampler times;
    private final long startStep;
    private final double startWall;
    private long skipped;

    /**
     * What a run did: its last step, the mean loss of its last {@value #RECENT} steps (in this session), its wall time
     * (with the sessions before a resume), its newest checkpoint, and its final samples (null when it stopped early).
     */
    public record Result(long step, double recentLoss, double wallSeconds, Path checkpoint, Samples.Result samples, Path samplesDir) {}

    private Pretrainer(PretrainConfig config, boolean resume, PrintStream log) throws IOException {
        this.config = config;
        this.train = config.train();
        this.out = Path.of(train.outDir());
        this.log = log;
        if (train.threads() > 0) Parallel.setThreads(train.threads());
        Path ckptRoot = out.resolve(CHECKPOINTS);
        Checkpoints.removeLeftovers(ckptRoot);
        Path from = resume ? resumePoint(ckptRoot) : null;
        if (!resume) {
            var existing = Checkpoints.latest(ckptRoot);
            if (existing.isPresent()) {
                throw new CheckpointException(out + " already holds a checkpoint (" + existing.get().getFileName()
                        + "); resume it with --resume, or choose another output directory");
            }
        }
        vocab = from == null ? Models.captionVocabulary() : RunCheckpoint.vocabulary(from);
        tokenizer = Models.tokenizer(vocab, config.model());
        model = Models.build(config.model(), vocab, new Generator(Seeds.derive(train.seed(), Seeds.INIT)));
        model.backbone().setGradientCheckpointing(train.gradientCheckpointing());
        model.train();
        var params = model.namedParameters();
        optimizer = new AdamW(params, new AdamW.Options().lr(train.lr()).betas(train.beta1(), train.beta2()).weightDecay(train.weightDecay()));
        ema = new Ema(params, train.ema().emaProfile());
        noise = new Generator(Seeds.derive(train.seed(), Seeds.NOISE));
        times = train.time().sampler();
        if (from == null) {
            startStep = 0;
            startWall = 0;
        } else {
            RunState st = RunCheckpoint.state(from);
            if (st.noiseSeed() != noise.seed() || st.batches() != st.step()) {
                throw new CheckpointException("checkpoint " + from + ": " + RunCheckpoint.STATE + " has noise seed " + st.noiseSeed()
                        + " and " + st.batches() + " batches after " + st.step() + " steps; this run expects seed " + noise.seed()
                        + " and one batch per step");
            }
            RunCheckpoint.restore(from, model, ema, optimizer);
            noise.setOffset(st.noiseOffset());
            startStep = st.step();
            startWall = st.wallSeconds();
            skipped = st.skippedSteps();
            log.printf(Locale.ROOT, "resuming from %s (step %d)%n", from, startStep);
        }
    }

    /** Runs (or, with resume, continues) the training the config describes; progress and messages go to {@code log}. */
    public static Result run(PretrainConfig config, boolean resume, PrintStream log) throws IOException {
        return run(config, resume, log, config.train().steps());
    }

    /**
     * As {@link #run(PretrainConfig, boolean, PrintStream)}, but stops after step {@code until} (at most train.steps)
     * with a checkpoint, as a job with a time slot would: a later run with resume continues the same run. Samples
     * are drawn only when the run is complete.
     */
    public static Result run(PretrainConfig config, boolean resume, PrintStream log, long until) throws IOException {
        if (until < 1) throw new IllegalArgumentException("Pretrainer.run: the step to stop after must be >= 1, got " + until);
        return new Pretrainer(config, resume, log).run(Math.min(until, config.train().steps()));
    }

    /** The newest complete checkpoint, verified and made for this config. */
    private Path resumePoint(Path ckptRoot) throws IOException {
        Path from = Checkpoints.latest(ckptRoot).orElseThrow(() -> new CheckpointException(
                "--resume: " + ckptRoot + " holds no complete checkpoint (a step_NNNNNN directory with a " + Checkpoints.MANIFEST + ")"));
        Checkpoints.verify(from);
        List<String> mismatches = config.resumeMismatches(RunCheckpoint.config(from));
        if (!mismatches.isEmpty()) {
            throw new CheckpointException("the config does not match checkpoint " + from + ", so resuming it would not continue the same run:\n  "
                    + String.join("\n  ", mismatches));
        }
        return from;
    }

    private Result run(long until) throws IOException {
        Files.createDirectories(out);
        Files.writeString(out.resolve(CONFIG), config.toJson(), StandardCharsets.UTF_8);
        log.printf(Locale.ROOT, "pre-training %s: %,d parameters (text encoder %,d), %d steps of %d videos %s, %d threads, output in %s%n",
                model.backbone().describe(), model.numParameters(), model.textEncoder().numParameters(), train.steps(), train.batchSize(),
                config.video(), Parallel.threads(), out);
        var data = new MovingShapes(config.video(), config.data().dataSplit(), config.data().videos(), config.data().seed());
        var scheduler = new Scheduler(optimizer, train.schedule(), startStep);
        double maxNorm = train.gradClip() > 0 ? train.gradClip() : Double.POSITIVE_INFINITY;
        long t0 = System.nanoTime();
        Path lastCheckpoint = null;
        ArrayDeque<Double> recent = new ArrayDeque<>();
        long step = startStep;
        try (MetricsLog metrics = startStep == 0 ? MetricsLog.create(out.resolve(METRICS)) : MetricsLog.resume(out.resolve(METRICS), startStep);
             BatchIterator batches = new BatchIterator(data, train.batchSize(), BatchIterator.FOREVER, train.seed(), true, true,
                     config.data().prefetch(), startStep);
             Progress progress = Progress.create(log, "pretrain", startStep, train.steps(), train.logEvery())) {
            while (step < until) {
                long s0 = System.nanoTime();
                double lr = optimizer.lr(), loss, gradNorm;
                try (Batch batch = batches.next(); Scope scope = Scope.open()) {
                    Tensor x0 = batch.videos();
                    List<String> captions = TextDropout.apply(batch.captions(), train.textDropout(), noise);
                    Tokens tokens = tokenizer.encode(captions);
                    Tensor t = times.sample(noise, batch.size());
                    Tensor eps = Tensor.randn(noise, x0.shape());
                    Tensor v = model.forward(RectifiedFlow.interpolate(x0, eps, t), t, tokens);
                    Tensor lossT = DiffusionLoss.velocityMse(v, x0, eps);
                    lossT.backward();
                    loss = lossT.item();
                    gradNorm = ClipGrad.clipGradNorm(optimizer.params(), maxNorm);
                    boolean finite = Double.isFinite(gradNorm);
                    if (finite) {
                        optimizer.step();
                        ema.update();
                    } else {
                        skipped++;
                    }
                    optimizer.zeroGrad();
                    scheduler.step();
                    step++;
                    double seconds = (System.nanoTime() - s0) / 1e9;
                    recent.addLast(loss);
                    if (recent.size() > RECENT) recent.removeFirst();
                    ObjectNode line = MetricsLog.line();
                    line.put("step", step);
                    line.put("loss", loss);
                    line.put("grad_norm", gradNorm);
                    line.put("lr", lr);
                    line.put("videos_per_s", batch.size() / seconds);
                    line.put("wall_s", wall(t0));
                    line.put("host_mb", HostMemory.allocatedBytes() / 1e6);
                    if (!finite) line.put("skipped", true);
                    metrics.write(line);
                    progress.step(step, loss, batch.size() / seconds);
                }
                boolean last = step == train.steps();
                if (step == until || train.checkpointEvery() > 0 && step % train.checkpointEvery() == 0) {
                    lastCheckpoint = RunCheckpoint.save(out.resolve(CHECKPOINTS),
                            new RunState(step, noise.seed(), noise.offset(), step, wall(t0), skipped), config, model, ema, optimizer, vocab);
                    Checkpoints.prune(out.resolve(CHECKPOINTS), train.keepCheckpoints());
                    progress.message("checkpoint " + lastCheckpoint);
                }
                if (!last && train.sampleEvery() > 0 && step % train.sampleEvery() == 0) {
                    Samples.Result r = sample(step);
                    progress.message(String.format(Locale.ROOT, "step %d samples: %s", step, r.accuracy()));
                }
            }
        }
        if (lastCheckpoint == null) lastCheckpoint = Checkpoints.latest(out.resolve(CHECKPOINTS)).orElse(null);
        double trainWall = wall(t0);
        log.printf(Locale.ROOT, "training took %s (%s in this session)%n", Progress.duration(trainWall), Progress.duration(trainWall - startWall));
        if (step < train.steps()) return new Result(step, mean(recent), trainWall, lastCheckpoint, null, null);
        Samples.Result samples = sample(step);
        Path samplesDir = out.resolve(SAMPLES).resolve(Checkpoints.dirName(step));
        log.printf(Locale.ROOT, "sampling %d videos took %s%nattribute accuracy of the EMA samples (%s): %s%n", samples.prompts().size(),
                Progress.duration(samples.seconds()), samplesDir, samples.accuracy());
        return new Result(step, mean(recent), trainWall, lastCheckpoint, samples, samplesDir);
    }

    /** The EMA weights draw the sample prompts; written under samples/step_NNNNNN. */
    private Samples.Result sample(long step) throws IOException {
        Samples.Result r;
        try (var swap = ema.swapIn(0)) {
            r = Samples.draw(model, tokenizer, config.sample(), config.video());
        }
        Samples.write(out.resolve(SAMPLES).resolve(Checkpoints.dirName(step)), r, config.sample(), step);
        return r;
    }

    private double wall(long t0) {
        return startWall + (System.nanoTime() - t0) / 1e9;
    }

    private static double mean(ArrayDeque<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }
}
