package org.ddrl.diffusion.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.ddrl.tensor.GradMode;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;
import org.junit.jupiter.api.Test;

/**
 * The RL side of the samplers: recomputing a recorded step's mean with unchanged weights reproduces it bit
 * for bit (so the PPO ratio is exactly 1, which the 1e-4 clip needs), gradients reach the model's
 * parameters and only through the current prediction, and a change of weights moves the ratio.
 *
 * <p>The model is the exact Gaussian field with its data mean taken from a learnable parameter theta [8],
 * initialised at the true mean.
 */
class RecomputeRatioTest {
    private static final int BATCH = 64;
    private final GaussianTarget g = GaussianTarget.eightDims();

    /** The reference formula of a step's mean for one element, as a function of the data mean. */
    private interface StateMean {
        double mean(ReferenceSteps r, int k, double x, double previousX0);
    }

    private record Case(String name, Sampler sampler, StateMean reference) {}

    private static List<Case> cases() {
        FlowGrpoSde flow = FlowGrpoSde.reference();
        DanceGrpoSde dance = DanceGrpoSde.reference();
        Ddim ddim = new Ddim(12, 3, 1);
        EulerOde euler = new EulerOde(8, 3);
        EdmChurn2ab edm = EdmChurn2ab.reference();
        double[] s = edm.levels();
        return List.of(
                new Case("flow-grpo", flow, (r, k, x, p) -> r.flowGrpo(flow.levels(), 0.7).mean(k, x)),
                new Case("dance-grpo", dance, (r, k, x, p) -> r.danceGrpo(dance.levels(), 0.3, true).mean(k, x)),
                new Case("ddim", ddim, (r, k, x, p) -> r.ddim(ddim.levels(), 1).mean(k, x)),
                new Case("euler", euler, (r, k, x, p) -> r.euler(euler.levels()).mean(k, x)),
                new Case("edm", edm, (r, k, x, p) -> {
                    double hat = edm.sigmaHat(k);
                    return ReferenceSteps.step2ab(x, r.denoise(x, hat), p, hat, s[k + 1], k == 0 ? Double.NaN : edm.sigmaHat(k - 1));
                }));
    }

    private Tensor theta() {
        return g.mean.copy().requiresGrad(true);
    }

    private static Tensor noise(long seed) {
        return Tensor.randn(new Generator(seed), BATCH, 8);
    }

    @Test
    void recomputedMeansAndLogProbsMatchTheRolloutExactly() {
        for (Case c : cases()) {
            Tensor theta = theta();
            VelocityModel model = g.withMean(theta);
            Trajectory tr = c.sampler().sample(model, noise(1), Conditioning.none(), new Generator(2));
            for (Step step : tr.steps()) {
                int k = step.index();
                String at = c.name() + " step " + k;
                assertFalse(step.mean().requiresGrad() || step.next().requiresGrad() || step.x0Pred().requiresGrad(),
                        at + ": the rollout records no graph");
                Tensor mean = tr.recomputeMean(model, k);
                assertTrue(mean.requiresGrad(), at + ": the recomputed mean carries gradients");
                assertArrayEquals(step.mean().toFloatArray(), mean.toFloatArray(), at + ": recomputed mean, bit for bit");
                if (!step.isStochastic()) {
                    assertThrows(IllegalStateException.class, () -> tr.logProb(model, k), at);
                    continue;
                }
                Tensor logProb = tr.logProb(model, k);
                float[] ratio = logProb.sub(step.logProb()).exp().toFloatArray();
                for (float r : ratio) assertEquals(1.0f, r, 0f, at + ": ratio with unchanged weights");
                float[] ddrl = tr.squaredErrorLogRatio(model, k).toFloatArray();
                for (float l : ddrl) assertEquals(0f, l, 0f, at + ": DDRL squared-error log-ratio with unchanged weights");
            }
        }
    }

    @Test
    void gradientsReachTheParametersOnlyThroughTheCurrentPrediction() {
        for (Case c : cases()) {
            Tensor theta = theta();
            VelocityModel model = g.withMean(theta);
            Trajectory tr = c.sampler().sample(model, noise(3), Conditioning.none(), new Generator(4));
            int k = Math.min(3, tr.size() - 1);
            Step step = tr.step(k);
            tr.recomputeMean(model, k).sum().backward();
            // d sum(mean) / d m_d from the reference formula, by central differences in double (exact up to
            // rounding: the mean is affine in m). The cached previous x0 is held fixed, as in training.
            float[] x = step.state().toFloatArray();
            float[] prev = step.previousX0() == null ? null : step.previousX0().toFloatArray();
            double[] expected = new double[8];
            for (int i = 0; i < x.length; i++) {
                int d = i % 8;
                double h = 1e-3, p = prev == null ? Double.NaN : prev[i];
                double up = c.reference().mean(new ReferenceSteps(g.m[d] + h, g.s[d]), k, x[i], p);
                double down = c.reference().mean(new ReferenceSteps(g.m[d] - h, g.s[d]), k, x[i], p);
                expected[d] += (up - down) / (2 * h);
            }
            float[] grad = theta.grad().toFloatArray();
            for (int d = 0; d < 8; d++) {
                assertNotEquals(0f, grad[d], c.name() + ": gradient of dim " + d);
                assertEquals(expected[d], grad[d], 1e-4 * (1 + Math.abs(expected[d])), c.name() + " step " + k + ": d sum(mean) / d theta_" + d);
            }
            assertTrue(step.previousX0() == null || !step.previousX0().requiresGrad());
        }
    }

    @Test
    void logProbAndDdrlRatioGradientsAreNonZeroAndWeightChangesMoveTheRatio() {
        for (Case c : cases()) {
            if (c.sampler() instanceof EulerOde) continue;
            Tensor theta = theta();
            VelocityModel model = g.withMean(theta);
            Trajectory tr = c.sampler().sample(model, noise(5), Conditioning.none(), new Generator(6));
            int k = 2;
            Step step = tr.step(k);
            tr.logProb(model, k).sum().backward();
            assertNonZero(c.name() + " log-prob", theta.grad());
            theta.setGrad(null);
            tr.squaredErrorLogRatio(model, k).sum().backward();
            assertNonZero(c.name() + " squared-error log-ratio", theta.grad());

            try (var noGrad = GradMode.noGrad()) {
                theta.copyFrom(theta.add(0.1));
            }
            Tensor logRatio = tr.logProb(model, k).sub(step.logProb());
            Tensor ddrl = tr.squaredErrorLogRatio(model, k);
            float[] lr = logRatio.toFloatArray(), dl = ddrl.toFloatArray();
            boolean moved = false;
            for (int b = 0; b < BATCH; b++) {
                moved |= lr[b] != 0;
                // The as-coded DDRL log-ratio is the Gaussian one without the 1 / (2 std^2). Both are differences
                // of nearly equal F32 squares (as in the references), hence the loose relative tolerance.
                double scaled = 2 * step.std() * step.std() * lr[b];
                assertEquals(scaled, dl[b], 1e-2 * Math.abs(scaled) + 1e-6 * step.std() * step.std(), c.name() + " sample " + b);
            }
            assertTrue(moved, c.name() + ": changing the weights changes the ratio");
        }
    }

    @Test
    void guidedModelsAlsoReproduceTheirRatioExactly() {
        Tensor theta = theta();
        Tensor cond = Tensor.full(0.3, org.ddrl.tensor.DType.F32, BATCH, 1);
        Tensor uncond = Tensor.full(-0.2, org.ddrl.tensor.DType.F32, BATCH, 1);
        VelocityModel base = (x, t, c) -> g.withMean(theta).velocity(x, t, c).add(c.embedding().mul(theta.sum()));
        VelocityModel guided = new ClassifierFreeGuidance(base, 4.5, false);
        Trajectory tr = FlowGrpoSde.reference().sample(guided, noise(7), Conditioning.of(cond, uncond), new Generator(8));
        for (Step step : tr.steps()) {
            float[] ratio = tr.logProb(guided, step.index()).sub(step.logProb()).exp().toFloatArray();
            for (float r : ratio) assertEquals(1.0f, r, 0f, "guided step " + step.index());
        }
    }

    @Test
    void stepsFromAnotherSamplerAreRejected() {
        VelocityModel model = g.exact();
        Trajectory flow = FlowGrpoSde.reference().sample(model, noise(9), Conditioning.none(), new Generator(10));
        Step foreign = flow.step(1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DanceGrpoSde.reference().recomputeMean(model, foreign, Conditioning.none()));
        assertTrue(e.getMessage().contains("DanceGrpoSde.recomputeMean") && e.getMessage().contains("step 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> EdmChurn2ab.reference().recomputeMean(model, foreign, Conditioning.none()));
        assertThrows(IndexOutOfBoundsException.class, () -> flow.recomputeMean(model, 10));
    }

    private static void assertNonZero(String what, Tensor grad) {
        double norm = 0;
        for (float v : grad.toFloatArray()) {
            assertTrue(Float.isFinite(v), what + ": finite gradient");
            norm += v * v;
        }
        assertTrue(norm > 0, what + ": non-zero gradient");
    }
}
