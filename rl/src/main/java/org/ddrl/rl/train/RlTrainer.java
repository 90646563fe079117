package org.ddrl.rl.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.ddrl.autodiff.optim.AdamW;
import org.ddrl.autodiff.optim.ClipGrad;
import org.ddrl.autodiff.optim.Ema;
import org.ddrl.autodiff.optim.EmaProfile;
import org.ddrl.autodiff.optim.LrSchedule;
import org.ddrl.autodiff.optim.Scheduler;
import org.ddrl.diffusion.sampling.ClassifierFreeGuidance;
import org.ddrl.diffusion.sampling.InitialNoise;
import org.ddrl.diffusion.sampling.LogProbs;
import org.ddrl.diffusion.sampling.Sampler;
import org.ddrl.diffusion.sampling.Step;
import org.ddrl.diffusion.sampling.Trajectory;
import org.ddrl.diffusion.sampling.VelocityModel;
import org.ddrl.rl.algo.Advantages;
import org.ddrl.rl.algo.Algorithm;
import org.ddrl.rl.algo.Algorithms;
import org.ddrl.rl.algo.PerPromptStatTracker;
import org.ddrl.rl.algo.PpoLoss;
import org.ddrl.rl.algo.StepContext;
import org.ddrl.rl.config.AdvantageConfig;
import org.ddrl.rl.config.DdrlConfig;
import org.ddrl.rl.config.RlConfig;
import org.ddrl.rl.policy.Policy;
import org.ddrl.rl.reward.Reward;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.GradMode;
import org.ddrl.tensor.Scope;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;

/**
 * The RL fine-tuning loop shared by every arm. One {@link #step()} is one iteration:
 * <ol>
 *   <li>draw prompts_per_iteration prompts (with their anchor videos when the arm needs them);</li>
 *   <li>roll out group_size videos per prompt with the sampler, without gradients, in micro-batches, recording every
 *       step (group members are contiguous; their initial noise is shared when shared_initial_noise);</li>
 *   <li>score the videos with the reward, clamp them if reward_clip is set, and turn them into advantages;</li>
 *   <li>for each inner epoch: for each micro-batch and each of its trained steps, recompute the step's mean with
 *       gradients through the same code the rollout used, form the log-ratio, the PPO clipped loss and the arm's extra
 *       term ({@link Algorithm}), and backpropagate {@code loss_scale * (micro_batch / rollouts) / trained_steps} times
 *       their sum, so that the gradients of all micro-batches and steps accumulate into the mean over samples and steps;
 *       then clip the gradient norm and take one optimizer step (skipped, and counted, when the norm is not finite);</li>
 *   <li>update the EMA and emit one metrics map.</li>
 * </ol>
 * Each iteration runs in its own {@link Scope}, so memory stays flat across iterations. All randomness comes from
 * generators derived from the config's seed, so a run with the same seed, model and data repeats bit for bit.
 *
 * <p>Construct the trainer with no scope open (or in one that outlives it): the optimizer state, the EMA, a frozen
 * reference and synthetic anchors live as long as the trainer.
 */
public final class RlTrainer {
    private final RlConfig config;
    private final Policy policy;
    private final Reward reward;
    private final PromptSource prompts;
    private final int[] sampleShape;
    private final Consumer<Map<String, Object>> sink;
    private final Sampler sampler;
    private final VelocityModel rolloutModel;
    private final Algorithm algorithm;
    private final AdamW optimizer;
    private final Scheduler scheduler;
    private final Ema ema;
    private final PerPromptStatTracker tracker;
    private final Generator promptGen, noiseGen, samplerGen, stepGen, regularizerGen;
    private final Device device;
    private List<Integer> eligible;
    private int iteration;

    /**
     * @param config      the run's settings
     * @param policy      the model to fine-tune (its current weights are the base model)
     * @param reward      scores the sampled videos
     * @param prompts     the prompts (with anchor videos for DDRL with real data)
     * @param sampleShape one sample's shape without the batch dim, e.g. [3, T, H, W]
     * @param sink        receives each iteration's metrics (e.g. a {@link MetricsLog}); may be null
     */
    public RlTrainer(RlConfig config, Policy policy, Reward reward, PromptSource prompts, int[] sampleShape, Consumer<Map<String, Object>> sink) {
        this.config = Objects.requireNonNull(config, "config");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.reward = Objects.requireNonNull(reward, "reward");
        this.sampleShape = sampleShape.clone();
        this.sink = sink;
        if (policy.parameters().isEmpty()) throw new IllegalArgumentException("RlTrainer: the policy has no trainable parameters");
        this.device = policy.parameters().values().iterator().next().device();
        this.sampler = config.sampler().build();
        this.rolloutModel = guided(policy.model());
        this.algorithm = Algorithms.create(config, policy, this::guided);
        long seed = config.seed();
        this.promptGen = new Generator(Seeds.derive(seed, Seeds.PROMPTS));
        this.noiseGen = new Generator(Seeds.derive(seed, Seeds.NOISE));
        this.samplerGen = new Generator(Seeds.derive(seed, Seeds.SAMPLER));
        this.stepGen = new Generator(Seeds.derive(seed, Seeds.STEPS));
        this.regularizerGen = new Generator(Seeds.derive(seed, Seeds.REGULARIZER));
        this.prompts = anchoredPrompts(prompts);
        var o = config.optimizer();
        this.optimizer = new AdamW(policy.parameters(), new AdamW.Options().lr(o.lr()).betas(o.beta1(), o.beta2()).eps(o.eps()).weightDecay(o.weightDecay()));
        this.scheduler = new Scheduler(optimizer, o.warmupSteps() > 0 ? LrSchedule.linearWarmup(o.warmupSteps()) : LrSchedule.constant());
        this.ema = switch (config.ema().kind()) {
            case NONE -> null;
            case POWER -> new Ema(policy.parameters(), EmaProfile.power(config.ema().sigmaRel()));
            case DECAY -> new Ema(policy.parameters(), EmaProfile.decay(config.ema().decay()));
            case WARMUP_DECAY -> new Ema(policy.parameters(), EmaProfile.warmupDecay(config.ema().decay()));
        };
        AdvantageConfig a = config.advantage();
        this.tracker = a.normalization() == AdvantageConfig.Normalization.PER_PROMPT_TRACKER
                ? new PerPromptStatTracker(a.trackerBufferSize(), a.trackerMinCount(), a.stdEps()) : null;
    }

    private VelocityModel guided(VelocityModel model) {
        return config.guidance() == 1 ? model : new ClassifierFreeGuidance(model, config.guidance(), config.detachUnconditional());
    }

    private PromptSource anchoredPrompts(PromptSource source) {
        Objects.requireNonNull(source, "prompts");
        if (!algorithm.needsAnchors()) return source;
        DdrlConfig d = config.ddrl();
        if (d.anchor() == DdrlConfig.Anchor.SYNTHETIC) {
            if (d.syntheticPoolSize() > source.size()) {
                throw new IllegalArgumentException("ddrl.synthetic_pool_size: " + d.syntheticPoolSize() + " exceeds the " + source.size()
                        + " prompts of the prompt source");
            }
            return SyntheticAnchors.sample(source, d.syntheticPoolSize(), policy, this::guided, sampler, sampleShape, config.microBatch(),
                    new Generator(Seeds.derive(config.seed(), Seeds.ANCHORS)));
        }
        if (!source.hasAnchors()) {
            throw new IllegalArgumentException("RlTrainer: " + config.algorithm().wire() + " with real anchors needs a prompt source with videos"
                    + " (e.g. DatasetPrompts), got " + source.getClass().getSimpleName());
        }
        return source;
    }

    public RlConfig config() {
        return config;
    }

    public Sampler sampler() {
        return sampler;
    }

    /** The weight average, or null when the config has none. */
    public Ema ema() {
        return ema;
    }

    public Algorithm algorithm() {
        return algorithm;
    }

    /** The prompts training draws from (the synthetic anchors for DDRL with synthetic data). */
    public PromptSource prompts() {
        return prompts;
    }

    /** Iterations done. */
    public int iteration() {
        return iteration;
    }

    /** Runs the remaining iterations of {@code config.iterations()}. */
    public void run() {
        while (iteration < config.iterations()) step();
    }

    /** One iteration; returns its metrics (also given to the sink). */
    public Map<String, Object> step() {
        long t0 = System.nanoTime();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("iteration", iteration);
        Stats stats = new Stats();
        int groups = config.promptsPerIteration(), g = config.groupSize(), total = config.rolloutsPerIteration(), micro = config.microBatch();
        try (Scope scope = Scope.open()) {
            int[] idx = Tensor.randint(promptGen, 0, prompts.size(), DType.I32, Device.CPU, groups).toIntArray();
            PromptSource.Prompts drawn = prompts.get(idx, algorithm.needsAnchors());
            List<String> captions = new ArrayList<>(total);
            for (String c : drawn.captions()) captions.addAll(Collections.nCopies(g, c));
            Tensor anchors = drawn.anchors() == null ? null : drawn.anchors().to(DType.F32).to(device);
            Tensor noise = (config.sharedInitialNoise() ? InitialNoise.sharedPerGroup(noiseGen, groups, g, sampleShape)
                    : InitialNoise.independent(noiseGen, groups, g, sampleShape)).to(device);

            List<Trajectory> rollouts = new ArrayList<>(total / micro);
            try (var noGrad = GradMode.noGrad()) {
                for (int at = 0; at < total; at += micro) {
                    rollouts.add(sampler.sample(rolloutModel, noise.narrow(0, at, micro), policy.condition(captions.subList(at, at + micro)), samplerGen));
                }
            }
            long t1 = System.nanoTime();

            Tensor samples = Tensor.cat(0, rollouts.stream().map(Trajectory::sample).toArray(Tensor[]::new));
            Reward.Scores scores;
            try (var noGrad = GradMode.noGrad()) {
                scores = reward.evaluate(samples, captions);
            }
            double[] rewards = hostDoubles(scores.total(), total, "reward " + reward.name());
            if (config.rewardClip() != null) for (int i = 0; i < total; i++) rewards[i] = Math.clamp(rewards[i], -config.rewardClip(), config.rewardClip());
            double[] adv = advantages(rewards, captions);
            putRewardMetrics(m, rewards, scores, adv);
            long t2 = System.nanoTime();

            if (eligible == null) {
                List<Integer> e = TrainSteps.eligible(rollouts.getFirst(), config.trainOn().dropLastStep());
                TrainSteps.validate(config.trainOn(), e, rollouts.getFirst().size());
                eligible = e;
            }
            int skipped = 0;
            double gradNorm = Double.NaN, lr = optimizer.lr();
            for (int epoch = 0; epoch < config.innerEpochs(); epoch++) {
                for (int c = 0; c < rollouts.size(); c++) {
                    trainMicroBatch(rollouts.get(c), captions.subList(c * micro, (c + 1) * micro), slice(adv, c * micro, micro),
                            anchors == null ? null : groupRows(anchors, c * micro, micro), (double) micro / total, epoch, stats);
                }
                lr = optimizer.lr();
                gradNorm = ClipGrad.clipGradNorm(optimizer.params(), config.optimizer().gradClip());
                if (Double.isFinite(gradNorm)) optimizer.step();
                else skipped++;
                optimizer.zeroGrad();
                scheduler.step();
            }
            if (ema != null) ema.update();
            long t3 = System.nanoTime();
            stats.putInto(m);
            m.put("grad_norm", gradNorm);
            m.put("skipped_steps", skipped);
            m.put("lr", lr);
            m.put("rollout_s", (t1 - t0) / 1e9);
            m.put("reward_s", (t2 - t1) / 1e9);
            m.put("train_s", (t3 - t2) / 1e9);
        }
        iteration++;
        algorithm.afterIteration(iteration);
        m.put("wall_s", (System.nanoTime() - t0) / 1e9);
        if (sink != null) sink.accept(m);
        return m;
    }

    private void trainMicroBatch(Trajectory tr, List<String> captions, float[] adv, Tensor anchors, double share, int epoch, Stats stats) {
        Tensor advantages = Tensor.of(adv, adv.length).to(device);
        List<Integer> steps = TrainSteps.select(config.trainOn(), eligible, stepGen);
        double scale = config.lossScale() * share / steps.size();
        stats.add("trained_steps", steps.size(), 1);
        for (int j = 0; j < steps.size(); j++) {
            try (Scope scope = Scope.open()) {
                Step step = tr.step(steps.get(j));
                Tensor mean = sampler.recomputeMean(rolloutModel, step, policy.condition(captions));
                // Both ratios from the squared-error difference: the Gaussian log-ratio log p_theta - log p_old is it
                // over 2 std^2 exactly (the constants cancel). Forming it from the difference, rather than subtracting
                // two separately reduced log-densities, makes it exactly 0 whenever the recomputed mean equals the
                // recorded one, whatever order the reduction sums in.
                Tensor squaredError = LogProbs.squaredErrorLogRatio(step.next(), mean, step.mean());
                Tensor logRatio = switch (config.ratio()) {
                    case GAUSSIAN -> squaredError.div(2 * step.std() * step.std());
                    case SQUARED_ERROR -> squaredError;
                };
                PpoLoss.Result ppo = PpoLoss.clipped(logRatio, advantages, config.clipRange());
                Tensor policyLoss = ppo.perSample().mean();
                Algorithm.Term term = algorithm.term(new StepContext(policy, sampler, tr, step, mean, captions, anchors, j, steps.size(),
                        regularizerGen));
                Tensor loss = term == null ? policyLoss : policyLoss.add(term.loss());
                loss.mul(scale).backward();

                double n = adv.length;
                stats.add("policy_loss", policyLoss.item(), 1);
                Tensor lr = logRatio.detach();
                stats.add("approx_kl", lr.mul(lr).mean().item() * 0.5, n);
                stats.add("ratio_mean", ppo.ratio().mean().item(), n);
                stats.min("ratio_min", ppo.ratio().min().item());
                stats.max("ratio_max", ppo.ratio().max().item());
                stats.add("clip_frac", ppo.clipped().to(DType.F32).mean().item(), n);
                if (epoch == 0) stats.max("ratio_first_epoch_max_dev", ppo.ratio().sub(1).abs().max().item());
                if (term != null) term.metrics().forEach((k, v) -> stats.add(k, v, 1));
            }
        }
    }

    private double[] advantages(double[] rewards, List<String> captions) {
        AdvantageConfig a = config.advantage();
        double[] adv = switch (a.normalization()) {
            case GROUP -> Advantages.groupZScore(rewards, config.groupSize(), a.stdEps(), a.unbiasedStd());
            case GROUP_MEAN_GLOBAL_STD -> Advantages.groupMeanGlobalStd(rewards, config.groupSize(), a.stdEps());
            case PER_PROMPT_TRACKER -> tracker.update(captions, rewards);
        };
        if (a.expTransform()) adv = Advantages.expTransform(adv);
        return Advantages.clip(adv, a.clip());
    }

    private void putRewardMetrics(Map<String, Object> m, double[] rewards, Reward.Scores scores, double[] adv) {
        m.put("samples", rewards.length);
        putMoments(m, "reward", rewards);
        int n = rewards.length;
        for (Map.Entry<String, Tensor> e : scores.terms().entrySet()) {
            double[] v = hostDoubles(e.getValue(), n, "reward term " + e.getKey());
            double s = 0;
            for (double x : v) s += x;
            m.put("reward_" + e.getKey() + "_mean", s / n);
        }
        putMoments(m, "advantage", adv);
        int flat = 0, g = config.groupSize();
        for (int i = 0; i < n; i += g) {
            boolean same = true;
            for (int j = 1; j < g; j++) same &= rewards[i + j] == rewards[i];
            if (same && g > 1) flat++;
        }
        m.put("flat_groups", flat);
    }

    private static void putMoments(Map<String, Object> m, String name, double[] x) {
        double mean = 0, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            mean += v;
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        mean /= x.length;
        double var = 0;
        for (double v : x) var += (v - mean) * (v - mean);
        m.put(name + "_mean", mean);
        m.put(name + "_std", Math.sqrt(var / x.length));
        m.put(name + "_min", min);
        m.put(name + "_max", max);
    }

    private static double[] hostDoubles(Tensor t, int n, String what) {
        if (t.dim() != 1 || t.size(0) != n) {
            throw new IllegalStateException("RlTrainer: " + what + " returned shape " + Shapes.str(t.shape()) + ", expected [" + n + "]");
        }
        double[] out = t.to(DType.F64).to(Device.CPU).toDoubleArray();
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(out[i])) throw new IllegalStateException("RlTrainer: " + what + " gave " + out[i] + " for video " + i);
        }
        return out;
    }

    private static float[] slice(double[] x, int from, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = (float) x[from + i];
        return out;
    }

    /** The anchor rows of samples [from, from + n): sample s belongs to group s / group_size. */
    private Tensor groupRows(Tensor anchors, int from, int n) {
        long[] rows = new long[n];
        for (int i = 0; i < n; i++) rows[i] = (from + i) / config.groupSize();
        return anchors.indexSelect(0, Tensor.of(rows, n).to(device));
    }
}
