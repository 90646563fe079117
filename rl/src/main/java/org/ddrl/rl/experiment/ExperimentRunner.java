package org.ddrl.rl.experiment;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.ddrl.autodiff.nn.Module;
import org.ddrl.diffusion.data.Attributes;
import org.ddrl.diffusion.data.MovingShapes;
import org.ddrl.diffusion.data.MovingShapesConfig;
import org.ddrl.diffusion.data.Split;
import org.ddrl.diffusion.model.TextToVideo;
import org.ddrl.diffusion.model.VideoModel;
import org.ddrl.diffusion.text.WordTokenizer;
import org.ddrl.kernels.cpu.Parallel;
import org.ddrl.rl.config.ConfigLoader;
import org.ddrl.rl.config.RlConfig;
import org.ddrl.rl.judge.FeatureNet;
import org.ddrl.rl.judge.FeatureNetTraining;
import org.ddrl.rl.judge.Judge;
import org.ddrl.rl.judge.JudgeVote;
import org.ddrl.rl.judge.Metric;
import org.ddrl.rl.judge.Metrics;
import org.ddrl.rl.policy.Policy;
import org.ddrl.rl.policy.TextToVideoPolicy;
import org.ddrl.rl.report.ArmResult;
import org.ddrl.rl.report.CurvePoint;
import org.ddrl.rl.report.ExperimentResult;
import org.ddrl.rl.report.Report;
import org.ddrl.rl.report.SampleGrid;
import org.ddrl.rl.report.SeedRun;
import org.ddrl.rl.reward.Reward;
import org.ddrl.rl.train.DatasetPrompts;
import org.ddrl.rl.train.MetricsLog;
import org.ddrl.rl.train.PromptSource;
import org.ddrl.rl.train.RlTrainer;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.io.AtomicFiles;
import org.ddrl.tensor.rng.Generator;

/**
 * Runs an experiment: every arm of the config from the same base model, for every seed, evaluated by the same
 * {@link Evaluator} at the same steps, then results.json, report.html (with charts and GIF grids) and results.md in
 * the output directory, rewritten after each seed so a long run can be watched.
 *
 * <p>Order of work: load the base model; train (or load from {@code cache/}) the reward's attribute classifier and the
 * judge's feature network; then per seed, evaluate the base model once (it is every arm's step 0 and the whole no-RL
 * arm: same weights, same evaluation noise), train each RL arm with evaluations every {@code eval.every} iterations,
 * and tally each arm's judge vote against the reference arm at every evaluated step. Each run's per-iteration trainer
 * metrics go to runs/ARM/seed_S/metrics.jsonl.
 */
public final class ExperimentRunner {
    public static final String CACHE = "cache";
    public static final String FEATURE_NET_FILE = "cache/feature_net.safetensors";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ExperimentRunner() {}

    /** Where the outputs are, and the result. */
    public record Outcome(Path report, Path results, Path markdown, ExperimentResult result, double seconds) {}

    public static Outcome run(ExperimentConfig c, Path out, PrintStream log) throws IOException {
        long t0 = System.nanoTime();
        if (c.threads() > 0) Parallel.setThreads(c.threads());
        Files.createDirectories(out);
        List<Arm> arms = c.armList();
        Arm referenceArm = c.reference();
        RlConfig shared = c.armConfig(Arm.DANCE_GRPO, 0);
        log.printf(Locale.ROOT, "experiment: arms %s, seeds %s, %d CPU threads, output %s%n", c.arms(), c.seeds(), Parallel.threads(),
                out.toAbsolutePath());

        BaseModel base = c.baseCheckpoint() == null ? BaseModel.shipped(out.resolve(CACHE).resolve("base"))
                : BaseModel.load(Path.of(c.baseCheckpoint()));
        MovingShapesConfig video = base.video();
        log.printf("base model: %s; videos of %d frames of %dx%d%n", base.source(), video.frames(), video.height(), video.width());

        boolean classifierCached = RewardClassifierCache.prepare(c.reward().classifier(), video, out.resolve(ExperimentConfig.CLASSIFIER_FILE), log);
        FeatureNetResult fn = featureNet(c.eval().featureNet(), video, out.resolve(FEATURE_NET_FILE), log);

        ExperimentConfig.Eval e = c.eval();
        List<Attributes> evalPrompts = Evaluator.prompts(e.prompts());
        Judge judge = new Judge(fn.net(), realVideos(video, evalPrompts, e.realPerPrompt()));
        Evaluator.HeldOut heldOut = Evaluator.HeldOut.of(video, e.heldoutVideos(), e.seed());
        Reward evalReward = shared.reward().build(out);
        Policy basePolicy = policy(base.model(), base);
        int[] sampleShape = video.videoShape();
        Evaluator evaluator = new Evaluator(basePolicy, judge, evalReward, shared.sampler().build(), shared.guidance(), evalPrompts,
                e.perPrompt(), sampleShape, heldOut, e.seed());
        PromptSource prompts = new DatasetPrompts(new MovingShapes(video, Split.TRAIN, c.trainData().videos(), c.trainData().seed()));

        int iterations = shared.iterations();
        TreeSet<Integer> evalSteps = new TreeSet<>();
        for (int s = 0; s <= iterations; s += e.every()) evalSteps.add(s);
        evalSteps.add(iterations);
        long trainingArms = arms.stream().filter(a -> a.algorithm() != null).count();
        Progress progress = new Progress(log, c.seeds().size() * (1 + trainingArms * (iterations + evalSteps.size() - 1)));

        Map<String, Object> runInfo = new LinkedHashMap<>();
        runInfo.put("base_model", base.source());
        runInfo.put("video", Map.of("frames", video.frames(), "height", video.height(), "width", video.width()));
        runInfo.put("threads", Parallel.threads());
        runInfo.put("reward_classifier", classifierCached ? "loaded from " + ExperimentConfig.CLASSIFIER_FILE : "trained in this run");
        runInfo.put("feature_net", fn.loaded() ? "loaded from " + FEATURE_NET_FILE : "trained in this run");
        runInfo.put("eval_steps", List.copyOf(evalSteps));
        runInfo.put("rollouts_per_arm", (long) iterations * shared.rolloutsPerIteration());

        Map<Arm, List<SeedRun>> runs = new LinkedHashMap<>();
        for (Arm a : arms) runs.put(a, new ArrayList<>());
        Map<Arm, Tensor> gridVideos = new LinkedHashMap<>();
        Path report = null;
        for (long seed : c.seeds()) {
            String basePrefix = "[seed " + seed + "]";
            Evaluator.Point basePoint = evaluator.evaluate(basePolicy, true, seed);
            progress.advance(1);
            progress.log(basePrefix, "base model evaluated: " + describe(basePoint));
            Map<Arm, Map<Integer, Evaluator.Point>> points = new LinkedHashMap<>();
            Map<Arm, Double> walls = new LinkedHashMap<>();
            for (Arm arm : arms) {
                Map<Integer, Evaluator.Point> p = new LinkedHashMap<>();
                if (arm.algorithm() == null) {
                    for (int s : evalSteps) p.put(s, basePoint);
                    walls.put(arm, basePoint.seconds());
                } else {
                    long a0 = System.nanoTime();
                    p.put(0, basePoint);
                    train(c, arm, seed, base, prompts, sampleShape, evaluator, evalSteps, p, out, progress);
                    walls.put(arm, (System.nanoTime() - a0) / 1e9);
                }
                points.put(arm, p);
            }
            Map<Integer, Evaluator.Point> ref = points.get(referenceArm);
            for (Arm arm : arms) {
                List<CurvePoint> curve = new ArrayList<>();
                for (int s : evalSteps) {
                    Evaluator.Point pt = points.get(arm).get(s);
                    double vote = JudgeVote.tally(pt.scores().verdicts(), ref.get(s).scores().verdicts()).net();
                    curve.add(new CurvePoint(s, pt.scores().metrics(pt.trainer(), vote)));
                }
                Metrics last = curve.getLast().metrics();
                runs.get(arm).add(new SeedRun(seed, last, walls.get(arm), curve));
                if (seed == c.seeds().getFirst()) gridVideos.put(arm, points.get(arm).get(iterations).videos());
            }
            runInfo.put("wall_time_s", (System.nanoTime() - t0) / 1e9);
            ExperimentResult result = result(c, arms, referenceArm, runs, runInfo);
            report = Report.write(out, result, grid(evaluator, e, c.seeds().getFirst(), gridVideos));
            AtomicFiles.writeString(out.resolve(ResultsMarkdown.FILE), ResultsMarkdown.render(result, setup(c, shared, base, runInfo)));
            log.printf(Locale.ROOT, "%s done; report so far: %s%n", basePrefix, report.toAbsolutePath());
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        runInfo.put("wall_time_s", seconds);
        ExperimentResult result = result(c, arms, referenceArm, runs, runInfo);
        report = Report.write(out, result, grid(evaluator, e, c.seeds().getFirst(), gridVideos));
        Path md = out.resolve(ResultsMarkdown.FILE);
        AtomicFiles.writeString(md, ResultsMarkdown.render(result, setup(c, shared, base, runInfo)));
        return new Outcome(report, out.resolve(Report.RESULTS_FILE), md, result, seconds);
    }

    /** Trains one arm for one seed, evaluating at the given steps into {@code points}. */
    private static void train(ExperimentConfig c, Arm arm, long seed, BaseModel base, PromptSource prompts, int[] sampleShape,
                              Evaluator evaluator, TreeSet<Integer> evalSteps, Map<Integer, Evaluator.Point> points, Path out,
                              Progress progress) throws IOException {
        RlConfig rc = c.armConfig(arm, seed);
        String prefix = "[seed " + seed + " " + arm.key() + "]";
        Path metricsFile = out.resolve("runs").resolve(arm.key()).resolve("seed_" + seed).resolve("metrics.jsonl");
        Files.deleteIfExists(metricsFile);
        Policy policy = policy(base.copy(), base);
        try (Reward reward = rc.reward().build(out); MetricsLog metrics = new MetricsLog(metricsFile)) {
            RlTrainer trainer = new RlTrainer(rc, policy, reward, prompts, sampleShape, m -> {
                metrics.accept(m);
                progress.advance(1);
                int it = ((Number) m.get("iteration")).intValue() + 1;
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "iteration %d/%d: rollout reward %.4f", it, rc.iterations(),
                        ((Number) m.get("reward_mean")).doubleValue()));
                for (String k : new String[] {"data_loss", "kl"}) {
                    if (m.get(k) instanceof Number v) line.append(String.format(Locale.ROOT, ", %s %.4g", k, v.doubleValue()));
                }
                line.append(String.format(Locale.ROOT, ", %.1f s", ((Number) m.get("wall_s")).doubleValue()));
                progress.log(prefix, line.toString());
            });
            while (trainer.iteration() < rc.iterations()) {
                trainer.step();
                int step = trainer.iteration();
                if (evalSteps.contains(step)) {
                    Evaluator.Point pt = evaluator.evaluate(policy, false, seed);
                    points.put(step, pt);
                    progress.advance(1);
                    progress.log(prefix, "evaluated at step " + step + ": " + describe(pt));
                }
            }
        }
    }

    private static String describe(Evaluator.Point p) {
        return String.format(Locale.ROOT, "proxy_reward %.4f, judge_accuracy %.3f, fvd_mini %.4g, diversity %.4g, saturation_drift %+.4f, "
                        + "heldout_diffusion_loss %.4f, reverse_kl %.4g (%.1f s)", p.trainer().proxyReward(), p.scores().judgeAccuracy(),
                p.scores().fvdMini(), p.scores().diversity(), p.scores().saturationDrift(), p.trainer().heldoutDiffusionLoss(),
                p.trainer().reverseKl(), p.seconds());
    }

    private record FeatureNetResult(FeatureNet net, boolean loaded) {}

    /** The judge's feature network of this recipe, loaded from {@code file} when an earlier run left one, else trained and saved. */
    private static FeatureNetResult featureNet(ExperimentConfig.FeatureNetRecipe r, MovingShapesConfig video, Path file, PrintStream log)
            throws IOException {
        FeatureNetTraining.Recipe recipe = r.recipe();
        Path stamp = file.resolveSibling(file.getFileName() + ".recipe");
        String want = recipe + " " + video;
        if (Files.isRegularFile(file) && Files.isRegularFile(stamp) && Files.readString(stamp).equals(want)) {
            FeatureNet net = new FeatureNet(video, new Generator(recipe.weightSeed()));
            net.load(file);
            net.eval();
            log.printf("judge feature network: loaded %s (trained by an earlier run with the same recipe)%n", file);
            return new FeatureNetResult(net, true);
        }
        log.printf(Locale.ROOT, "judge feature network: training on %d real videos (%d steps of %d)...%n", recipe.videos(), recipe.steps(),
                recipe.batchSize());
        long t0 = System.nanoTime();
        FeatureNet net = FeatureNetTraining.trainNew(video, recipe);
        Files.createDirectories(file.toAbsolutePath().getParent());
        net.save(file);
        AtomicFiles.writeString(stamp, want);
        log.printf(Locale.ROOT, "judge feature network: trained in %.1f s; saved %s%n", (System.nanoTime() - t0) / 1e9, file);
        return new FeatureNetResult(net, false);
    }

    /** The judge's real side: {@code perPrompt} real videos of each evaluation prompt, from the judge's own seed. */
    static Tensor realVideos(MovingShapesConfig video, List<Attributes> prompts, int perPrompt) {
        Tensor[] videos = new Tensor[prompts.size() * perPrompt];
        for (int p = 0; p < prompts.size(); p++) {
            for (int i = 0; i < perPrompt; i++) videos[p * perPrompt + i] = MovingShapes.generate(video, prompts.get(p), Judge.REAL_SEED, p * perPrompt + i);
        }
        return Tensor.stack(0, videos);
    }

    /** The report's grid: the first seed's last evaluation, round-robin over prompts (video i of each prompt in turn). */
    private static SampleGrid grid(Evaluator evaluator, ExperimentConfig.Eval e, long seed, Map<Arm, Tensor> videos) {
        if (videos.isEmpty()) return null;
        List<Attributes> prompts = evaluator.videoPrompts();
        long[] seeds = evaluator.videoSeeds(seed);
        long[] rows = new long[e.gridVideos()];
        for (int k = 0; k < rows.length; k++) rows[k] = (long) (k % e.prompts()) * e.perPrompt() + k / e.prompts();
        List<String> captions = new ArrayList<>();
        long[] gridSeeds = new long[rows.length];
        for (int k = 0; k < rows.length; k++) {
            captions.add(prompts.get((int) rows[k]).caption());
            gridSeeds[k] = seeds[(int) rows[k]];
        }
        Map<String, Tensor> byArm = new LinkedHashMap<>();
        videos.forEach((arm, v) -> byArm.put(arm.key(), v.to(Device.CPU).indexSelect(0, Tensor.of(rows, rows.length))));
        return new SampleGrid(captions, gridSeeds, byArm);
    }

    private static ExperimentResult result(ExperimentConfig c, List<Arm> arms, Arm reference, Map<Arm, List<SeedRun>> runs,
                                           Map<String, Object> runInfo) {
        Map<String, Object> config = new LinkedHashMap<>(c.toMap());
        config.put("run", new LinkedHashMap<>(runInfo));
        List<ArmResult> out = new ArrayList<>();
        for (Arm a : arms) out.add(new ArmResult(a.key(), armConfig(c, a), runs.get(a)));
        return new ExperimentResult(c.title(), config, reference.key(), out);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> armConfig(ExperimentConfig c, Arm a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("label", a.label());
        if (a.algorithm() == null) {
            m.put("training", "none: the base model");
            return m;
        }
        try {
            Map<String, Object> rl = JSON.readValue(ConfigLoader.toJson(c.armConfig(a, c.seeds().getFirst())), Map.class);
            rl.remove("seed");
            m.put("rl", rl);
        } catch (IOException e) {
            throw new IllegalStateException("ExperimentRunner: the config of arm " + a.key() + " cannot be written as JSON", e);
        }
        return m;
    }

    private static String setup(ExperimentConfig c, RlConfig shared, BaseModel base, Map<String, Object> runInfo) {
        return String.format(Locale.ROOT, "Base model: %s. Seeds %s. Each RL arm: %d iterations x %d prompts x %d rollouts, sampler %s with %d "
                        + "steps; data_beta %s, kl_beta %s; reward %s x attribute classifier + %s x vividness. Evaluation: %d prompts x %d videos "
                        + "every %d iterations. Wall time %.0f s on %s threads.", base.source(), c.seeds(), shared.iterations(),
                shared.promptsPerIteration(), shared.groupSize(), shared.sampler().getClass().getSimpleName().replace("Config", ""),
                shared.sampler().steps(), c.ddrl().path("data_beta").asText(), c.flowGrpo().path("kl_beta").asText(), c.reward().classifierWeight(),
                c.reward().vividnessWeight(), c.eval().prompts(), c.eval().perPrompt(), c.eval().every(),
                ((Number) runInfo.get("wall_time_s")).doubleValue(), runInfo.get("threads"));
    }

    /** The trainer's view of a text-to-video model: the video network and text encoder trained together. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static Policy policy(TextToVideo<?> model, BaseModel base) {
        return policyOf((TextToVideo) model, (Supplier) base::blank, base.tokenizer());
    }

    private static <M extends Module & VideoModel> Policy policyOf(TextToVideo<M> model, Supplier<TextToVideo<M>> blank, WordTokenizer tokenizer) {
        return TextToVideoPolicy.of(model, blank, tokenizer);
    }

    /** Metric names, to check a results file against. */
    public static List<String> metricKeys() {
        List<String> out = new ArrayList<>();
        for (Metric m : Metric.values()) out.add(m.key());
        return out;
    }
}
