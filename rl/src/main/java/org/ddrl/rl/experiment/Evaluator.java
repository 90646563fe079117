package org.ddrl.rl.experiment;

import java.util.ArrayList;
import java.util.List;
import org.ddrl.diffusion.data.Attributes;
import org.ddrl.diffusion.data.MovingShapes;
import org.ddrl.diffusion.data.MovingShapesConfig;
import org.ddrl.diffusion.data.Split;
import org.ddrl.diffusion.noise.DiffusionLoss;
import org.ddrl.diffusion.noise.PerSample;
import org.ddrl.diffusion.noise.RectifiedFlow;
import org.ddrl.diffusion.sampling.ClassifierFreeGuidance;
import org.ddrl.diffusion.sampling.Conditioning;
import org.ddrl.diffusion.sampling.Sampler;
import org.ddrl.diffusion.sampling.Step;
import org.ddrl.diffusion.sampling.Trajectory;
import org.ddrl.diffusion.sampling.VelocityModel;
import org.ddrl.rl.judge.Judge;
import org.ddrl.rl.judge.Samples;
import org.ddrl.rl.judge.TrainerMetrics;
import org.ddrl.rl.policy.Policy;
import org.ddrl.rl.reward.Reward;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.GradMode;
import org.ddrl.tensor.Scope;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;

/**
 * One evaluation of a policy, the same for every arm: videos for the evaluation prompts from fixed noise with the
 * rollout sampler, scored by the proxy reward and the {@link Judge}; the reverse KL of the policy's sampling path to the
 * base model's; and the diffusion loss on held-out real videos.
 *
 * <p>Reverse KL: along each evaluation trajectory of the policy, at every stochastic step k both models' Gaussian
 * means are computed at the policy's own state (they share the step's std s_k), and the per-element KL
 * mean_D (mu_policy - mu_base)^2 / (2 s_k^2) is summed over the steps: the KL of the whole sampling path per data
 * element, averaged over the videos. It is 0 for the base model itself.
 *
 * <p>Held-out diffusion loss: the flow-matching loss mean (v(x_t, t, c) - (eps - x0))^2 on VALIDATION videos (new
 * instances of the training prompts) with noise and noise levels fixed once (t stratified over (0, 1)), so arms and
 * steps are compared on exactly the same terms.
 */
final class Evaluator {
    /** Videos denoised together. */
    static final int BATCH = 16;

    private final Policy base;
    private final Judge judge;
    private final Reward reward;
    private final Sampler sampler;
    private final double guidance;
    private final List<Attributes> prompts;
    private final int perPrompt;
    private final int[] sampleShape;
    private final HeldOut heldOut;
    private final long evalSeed;

    /** What one evaluation measured; the videos live in the caller's scope. */
    record Point(Judge.ArmScores scores, TrainerMetrics trainer, Tensor videos, double seconds) {}

    /** The fixed held-out set: videos, captions, noise and noise levels. */
    record HeldOut(Tensor videos, List<String> captions, Tensor noise, Tensor t) {
        static HeldOut of(MovingShapesConfig video, int count, long seed) {
            MovingShapes data = new MovingShapes(video, Split.VALIDATION, count, seed);
            int[] idx = new int[count];
            for (int i = 0; i < count; i++) idx[i] = i;
            var batch = data.batch(idx);
            Tensor videos = batch.videos().to(DType.F32);
            Tensor noise = Tensor.randn(new Generator(seed), videos.shape());
            float[] t = new float[count];
            // Stratified: one level in each of count equal slices of (0, 1), in a fixed shuffled order.
            int[] order = new int[count];
            for (int i = 0; i < count; i++) order[i] = i;
            java.util.SplittableRandom random = new java.util.SplittableRandom(seed + 1);
            for (int i = count - 1; i > 0; i--) {
                int j = random.nextInt(i + 1), tmp = order[i];
                order[i] = order[j];
                order[j] = tmp;
            }
            for (int i = 0; i < count; i++) t[i] = (float) ((order[i] + 0.5) / count);
            return new HeldOut(videos, batch.captions(), noise, Tensor.of(t, count));
        }

        double loss(Policy policy) {
            double sum = 0;
            int n = videos.size(0);
            try (var noGrad = GradMode.noGrad()) {
                for (int from = 0; from < n; from += BATCH) {
                    int b = Math.min(BATCH, n - from);
                    try (Scope scope = Scope.open()) {
                        Tensor x0 = videos.narrow(0, from, b), eps = noise.narrow(0, from, b), tb = t.narrow(0, from, b);
                        Tensor xt = RectifiedFlow.interpolate(x0, eps, tb);
                        Tensor v = policy.model().velocity(xt, tb, policy.condition(captions.subList(from, from + b)));
                        sum += DiffusionLoss.velocityMse(v, x0, eps).item() * b;
                    }
                }
            }
            return sum / n;
        }
    }

    Evaluator(Policy base, Judge judge, Reward reward, Sampler sampler, double guidance, List<Attributes> prompts, int perPrompt,
              int[] sampleShape, HeldOut heldOut, long evalSeed) {
        this.base = base;
        this.judge = judge;
        this.reward = reward;
        this.sampler = sampler;
        this.guidance = guidance;
        this.prompts = List.copyOf(prompts);
        this.perPrompt = perPrompt;
        this.sampleShape = sampleShape.clone();
        this.heldOut = heldOut;
        this.evalSeed = evalSeed;
    }

    /** The evaluation prompts, spread evenly over the training combinations (which are ordered colour-major). */
    static List<Attributes> prompts(int count) {
        List<Attributes> all = MovingShapes.combinations(Split.TRAIN);
        List<Attributes> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) out.add(all.get((int) ((long) i * all.size() / count)));
        return out;
    }

    /** The per-video seeds of a training seed's evaluation: video i of each prompt gets seed base + i. */
    long[] videoSeeds(long trainingSeed) {
        long[] seeds = new long[prompts.size() * perPrompt];
        for (int p = 0; p < prompts.size(); p++) for (int i = 0; i < perPrompt; i++) seeds[p * perPrompt + i] = firstSeed(trainingSeed) + i;
        return seeds;
    }

    private long firstSeed(long trainingSeed) {
        return evalSeed * 1000 + trainingSeed * 100;
    }

    List<Attributes> videoPrompts() {
        List<Attributes> out = new ArrayList<>();
        for (Attributes a : prompts) for (int i = 0; i < perPrompt; i++) out.add(a);
        return out;
    }

    /**
     * Evaluates {@code policy} with the noise of {@code trainingSeed}; {@code isBase} skips the reverse KL (exactly 0).
     * Call inside a scope: the returned videos belong to it.
     */
    Point evaluate(Policy policy, boolean isBase, long trainingSeed) {
        long t0 = System.nanoTime();
        List<Attributes> videoPrompts = videoPrompts();
        long[] seeds = videoSeeds(trainingSeed);
        int n = seeds.length;
        List<String> captions = videoPrompts.stream().map(Attributes::caption).toList();
        int[] shape = new int[sampleShape.length + 1];
        shape[0] = n;
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        Device device = policy.parameters().values().iterator().next().device();
        Tensor videos = Tensor.zeros(DType.F32, device, shape);
        double kl = 0;
        Generator gen = new Generator(firstSeed(trainingSeed) ^ 0x5A3D_E11AL);
        VelocityModel model = guided(policy.model()), reference = guided(base.model());
        try (var noGrad = GradMode.noGrad()) {
            for (int from = 0; from < n; from += BATCH) {
                int b = Math.min(BATCH, n - from);
                try (Scope scope = Scope.open()) {
                    Tensor[] noise = new Tensor[b];
                    // Each video's noise depends on its seed alone, so the same (prompt, seed) starts alike in every arm.
                    for (int i = 0; i < b; i++) noise[i] = Tensor.randn(new Generator(seeds[from + i]), sampleShape);
                    List<String> caps = captions.subList(from, from + b);
                    Trajectory tr = sampler.sample(model, Tensor.stack(0, noise).to(device), policy.condition(caps), gen);
                    videos.narrow(0, from, b).copyFrom(tr.sample());
                    if (!isBase) kl += pathKl(tr, reference, base.condition(caps)) * b;
                }
            }
        }
        double proxy;
        Judge.ArmScores scores;
        try (var noGrad = GradMode.noGrad(); Scope scope = Scope.open()) {
            proxy = reward.score(videos, captions).to(DType.F64).mean().item();
            scores = judge.score(new Samples(videos.to(Device.CPU), videoPrompts, seeds));
        }
        double heldout = heldOut.loss(policy);
        return new Point(scores, new TrainerMetrics(proxy, heldout, isBase ? 0 : kl / n), videos, (System.nanoTime() - t0) / 1e9);
    }

    /** The sum over stochastic steps of the batch-mean per-element Gaussian KL between the policy's and the reference's steps. */
    private double pathKl(Trajectory tr, VelocityModel reference, Conditioning refCond) {
        double sum = 0;
        for (Step s : tr.steps()) {
            if (!s.isStochastic() || !(s.std() > 0)) continue;
            Tensor refMean = sampler.recomputeMean(reference, s, refCond);
            Tensor d = s.mean().sub(refMean);
            Tensor perSample = d.mul(d).mean(PerSample.nonBatchDims("Evaluator", d), false);
            sum += perSample.mean().item() / (2 * s.std() * s.std());
        }
        return sum;
    }

    private VelocityModel guided(VelocityModel m) {
        return guidance == 1 ? m : new ClassifierFreeGuidance(m, guidance, false);
    }
}
