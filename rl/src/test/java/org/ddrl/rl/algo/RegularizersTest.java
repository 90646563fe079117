package org.ddrl.rl.algo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.List;
import org.ddrl.diffusion.sampling.EdmChurn2ab;
import org.ddrl.diffusion.sampling.FlowGrpoSde;
import org.ddrl.diffusion.sampling.Sampler;
import org.ddrl.diffusion.sampling.Trajectory;
import org.ddrl.rl.config.DdrlConfig;
import org.ddrl.rl.config.FlowGrpoConfig;
import org.ddrl.rl.policy.ModulePolicy;
import org.ddrl.rl.testing.Runs;
import org.ddrl.rl.testing.TinyData;
import org.ddrl.rl.testing.TinyVideoNet;
import org.ddrl.tensor.GradMode;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;
import org.junit.jupiter.api.Test;

/** The arms' loss terms on a recorded rollout of a tiny model. */
class RegularizersTest {
    private final ModulePolicy<TinyVideoNet> policy = TinyVideoNet.policy(Runs.CAPTIONS, 4, 31);
    private final List<String> captions = List.of(Runs.CAPTIONS.get(0), Runs.CAPTIONS.get(1), Runs.CAPTIONS.get(2));
    private final Tensor anchors = new TinyData(3).batch(new int[] {0, 1, 2}).videos();

    private StepContext context(Sampler sampler, int k, int trainedIndex, int trainedCount, long dropoutSeed) {
        Trajectory tr;
        try (var noGrad = GradMode.noGrad()) {
            tr = sampler.sample(policy.model(), Tensor.randn(new Generator(1), 3, 3, 4, 8, 8), policy.condition(captions), new Generator(2));
        }
        Tensor mean = sampler.recomputeMean(policy.model(), tr.step(k), policy.condition(captions));
        return new StepContext(policy, sampler, tr, tr.step(k), mean, captions, anchors, trainedIndex, trainedCount, new Generator(dropoutSeed));
    }

    @Test
    void ddrlUsesTheStepsSigmaHatAndTheRolloutsOwnNoise() {
        EdmChurn2ab sampler = new EdmChurn2ab(4, 0.01, 200, 7, 1, 1);
        StepContext ctx = context(sampler, 2, 0, 1, 3);
        Algorithm.Term term = new Ddrl(new DdrlConfig(0.25, 0, DdrlConfig.Anchor.REAL, 8, false)).term(ctx);
        double sigmaHat = sampler.sigmaHat(2), t = sigmaHat / (1 + sigmaHat);
        double expected;
        try (var noGrad = GradMode.noGrad()) {
            expected = DataLoss.edmWeightedX0(policy.model(), anchors, ctx.trajectory().noise(), t, policy.condition(captions)).item();
        }
        assertEquals(expected, term.metrics().get("data_loss"), 0.0);
        assertEquals(0.25 * expected, term.loss().item(), 1e-6 * expected, "weighted by data_beta");
        assertTrue(term.loss().requiresGrad(), "the data term trains the policy");
    }

    @Test
    void captionDropoutOfOneConditionsEverySampleOnTheEmptyCaption() {
        StepContext ctx = context(new EdmChurn2ab(4, 0.01, 200, 7, 1, 1), 1, 0, 1, 3);
        double dropped = new Ddrl(new DdrlConfig(1, 1, DdrlConfig.Anchor.REAL, 8, false)).term(ctx).metrics().get("data_loss");
        double unconditional;
        try (var noGrad = GradMode.noGrad()) {
            unconditional = DataLoss.edmWeightedX0(policy.model(), anchors, ctx.trajectory().noise(), ctx.rfTime(),
                    policy.condition(Collections.nCopies(3, ""))).item();
        }
        assertEquals(unconditional, dropped, 0.0);
        List<String> same = Ddrl.dropCaptions(captions, 0, ctx);
        assertEquals(captions, same);
        List<String> some = Ddrl.dropCaptions(Collections.nCopies(400, "x"), 0.2, ctx);
        long empty = some.stream().filter(String::isEmpty).count();
        assertTrue(empty > 50 && empty < 110, empty + " of 400 captions dropped at p = 0.2");
    }

    @Test
    void ddrlOncePerSampleComputesTheDataLossAtTheFirstTrainedStepWithItsTotalWeight() {
        EdmChurn2ab sampler = new EdmChurn2ab(4, 0.01, 200, 7, 1, 1);
        DdrlConfig once = new DdrlConfig(0.5, 0, DdrlConfig.Anchor.REAL, 8, true);
        Algorithm.Term first = new Ddrl(once).term(context(sampler, 0, 0, 3, 3));
        double loss = first.metrics().get("data_loss");
        assertEquals(0.5 * 3 * loss, first.loss().item(), 1e-6 * loss, "weighted by data_beta times the 3 trained steps");
        assertNull(new Ddrl(once).term(context(sampler, 2, 1, 3, 3)), "no data loss at later trained steps");
        assertNull(new Ddrl(new DdrlConfig(0, 0.2, DdrlConfig.Anchor.REAL, 8, false)).term(context(sampler, 0, 0, 3, 3)), "data_beta 0");
    }

    @Test
    void flowGrpoKlIsZeroAgainstItselfAndTheExactGaussianKlOtherwise() {
        FlowGrpoSde sampler = new FlowGrpoSde(4, 3, 0.7);
        FlowGrpoLike kl = new FlowGrpoLike(new FlowGrpoConfig(0.1, FlowGrpoConfig.KlForm.GAUSSIAN, 0), policy, m -> m);
        FlowGrpoLike refreshed = new FlowGrpoLike(new FlowGrpoConfig(0.1, FlowGrpoConfig.KlForm.GAUSSIAN, 2), policy, m -> m);
        StepContext ctx = context(sampler, 1, 0, 1, 3);
        Algorithm.Term zero = kl.term(ctx);
        assertEquals(0.0, zero.metrics().get("kl"), 0.0, "the reference is a copy of the policy");
        // Move the policy: KL = mean_D (mu_theta - mu_ref)^2 / (2 std^2), averaged over the batch.
        try (var noGrad = GradMode.noGrad()) {
            Tensor w = policy.module().getSubmodule("out").parameters().getLast();
            w.copyFrom(w.add(0.05));
        }
        StepContext moved = context(sampler, 1, 0, 1, 3);
        Tensor refMean;
        try (var noGrad = GradMode.noGrad()) {
            refMean = sampler.recomputeMean(kl.reference().model(), moved.step(), kl.reference().condition(captions));
        }
        Tensor d = moved.mean().detach().sub(refMean);
        double std = moved.step().std();
        double expected = d.mul(d).mean().item() / (2 * std * std);
        Algorithm.Term term = kl.term(moved);
        assertEquals(expected, term.metrics().get("kl"), 1e-5 * expected);
        assertEquals(0.1 * expected, term.loss().item(), 1e-5 * expected);
        kl.afterIteration(2);
        assertEquals(expected, kl.term(moved).metrics().get("kl"), 1e-5 * expected, "ref_update_every 0: the reference stays the base");
        refreshed.afterIteration(1);
        assertEquals(expected, refreshed.term(moved).metrics().get("kl"), 1e-5 * expected, "not refreshed after 1 of 2 iterations");
        refreshed.afterIteration(2);
        assertEquals(0.0, refreshed.term(moved).metrics().get("kl"), 0.0, "refreshed to the current policy after 2 iterations");
    }
}
