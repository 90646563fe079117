package org.ddrl.diffusion.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;
import org.junit.jupiter.api.Test;

/**
 * Each sampler, run with the exact velocity field of Gaussian data from pure noise, against closed forms.
 *
 * <p>With an affine field every step is affine in the state plus Gaussian noise, so the sampler's output is
 * exactly Gaussian with moments given by a scalar recursion ({@link ReferenceSteps#moments},
 * {@link ReferenceSteps#edmMoments}, written in the references' own formulas). Two checks follow:
 * <ul>
 *   <li>the tensor sampler matches that finite-step prediction up to Monte Carlo error only, at the
 *       reference settings and at finer ones;</li>
 *   <li>the finite-step prediction approaches the data distribution N(m, s^2); its remaining discretization
 *       error at the chosen step count is bounded below (first-order samplers: ~0.2 / N in variance), and the
 *       sampled moments must match the data within that bound plus Monte Carlo error.</li>
 * </ul>
 * Monte Carlo tolerances are 5 standard errors for 4096 samples per dim: mean/std 5/64, variance ratio
 * 5 sqrt(2/4096); pooled over the 8 independent dims, 5/sqrt(32768) and 5 sqrt(2/32768). All seeds are fixed.
 */
class SamplerMomentsTest {
    private static final int BATCH = 4096;
    private static final double MEAN_DIM = 5 / Math.sqrt(BATCH), VAR_DIM = 5 * Math.sqrt(2.0 / BATCH);
    private static final double MEAN_POOLED = 5 / Math.sqrt(8.0 * BATCH), VAR_POOLED = 5 * Math.sqrt(2.0 / (8 * BATCH));

    private final GaussianTarget g = GaussianTarget.eightDims();

    private static Tensor noise(long seed) {
        return Tensor.randn(new Generator(seed), BATCH, 8);
    }

    private interface PerDim {
        double[] moments(ReferenceSteps r);
    }

    private double[][] predicted(PerDim f) {
        double[][] out = new double[2][g.dims()];
        for (int d = 0; d < g.dims(); d++) {
            double[] mv = f.moments(new ReferenceSteps(g.m[d], g.s[d]));
            out[0][d] = mv[0];
            out[1][d] = mv[1];
        }
        return out;
    }

    private double[][] target() {
        double[][] out = new double[2][g.dims()];
        for (int d = 0; d < g.dims(); d++) {
            out[0][d] = g.m[d];
            out[1][d] = g.s[d] * g.s[d];
        }
        return out;
    }

    /** Largest |mean error| / s and |variance ratio - 1| of the prediction against the data distribution. */
    private double discretization(double[][] predicted) {
        double worst = 0;
        for (int d = 0; d < g.dims(); d++) {
            worst = Math.max(worst, Math.abs(predicted[0][d] - g.m[d]) / g.s[d]);
            worst = Math.max(worst, Math.abs(predicted[1][d] / (g.s[d] * g.s[d]) - 1));
        }
        return worst;
    }

    /** Sample moments against expected ones, per dim and pooled, allowing {@code bias} beyond Monte Carlo error. */
    private void assertMoments(String what, Tensor samples, double[][] expected, double bias) {
        double[][] got = GaussianTarget.moments(samples);
        double pooledMean = 0, pooledVar = 0;
        for (int d = 0; d < g.dims(); d++) {
            double sd = Math.sqrt(expected[1][d]);
            double em = (got[0][d] - expected[0][d]) / sd, ev = got[1][d] / expected[1][d] - 1;
            assertEquals(0, em, MEAN_DIM + bias, what + ": mean of dim " + d + " (in stds)");
            assertEquals(0, ev, VAR_DIM + bias, what + ": variance ratio of dim " + d);
            pooledMean += em / g.dims();
            pooledVar += ev / g.dims();
        }
        assertEquals(0, pooledMean, MEAN_POOLED + bias, what + ": pooled mean (in stds)");
        assertEquals(0, pooledVar, VAR_POOLED + bias, what + ": pooled variance ratio");
    }

    @Test
    void eulerOdeIsTheExactAffineMapAndNearlyTheTransportToTheData() {
        int n = 200;
        EulerOde euler = new EulerOde(n, 1);
        Tensor z = noise(1);
        Tensor x = euler.sample(g.exact(), z, Conditioning.none(), new Generator(0)).sample();
        double[][] p = predicted(r -> ReferenceSteps.moments(r.euler(euler.levels()), n));
        // The exact flow sends z to m + s z; Euler sends it to mean_N + sqrt(var_N) z, elementwise.
        float[] xs = x.toFloatArray(), zs = z.toFloatArray();
        for (int i = 0; i < xs.length; i++) {
            int d = i % g.dims();
            double expected = p[0][d] + Math.sqrt(p[1][d]) * zs[i];
            assertEquals(expected, xs[i], 2e-5 * (1 + Math.abs(expected)), "element " + i + ": F32 Euler vs the exact affine map");
        }
        // First-order error at 200 steps: at most 2% of s in scale and of s in mean.
        double bias = discretization(p);
        assertTrue(bias < 0.02, "Euler discretization at 200 steps: " + bias);
        assertMoments("euler vs data", x, target(), bias);
    }

    @Test
    void flowGrpoSdeMatchesItsFiniteStepLawAndTheData() {
        FlowGrpoSde ref = FlowGrpoSde.reference();
        assertMoments("flow-grpo 10 steps vs recursion", ref.sample(g.exact(), noise(2), Conditioning.none(), new Generator(12)).sample(),
                predicted(r -> ReferenceSteps.moments(r.flowGrpo(ref.levels(), 0.7), 10)), 0);

        FlowGrpoSde fine = new FlowGrpoSde(100, 3, 0.7);
        Tensor x = fine.sample(g.exact(), noise(3), Conditioning.none(), new Generator(13)).sample();
        double[][] p = predicted(r -> ReferenceSteps.moments(r.flowGrpo(fine.levels(), 0.7), 100));
        assertMoments("flow-grpo 100 steps vs recursion", x, p, 0);
        double bias = discretization(p);
        assertTrue(bias < 0.05, "Flow-GRPO discretization at 100 steps: " + bias);
        assertMoments("flow-grpo 100 steps vs data", x, target(), bias);
    }

    @Test
    void danceGrpoSdeMatchesItsFiniteStepLawAndTheData() {
        DanceGrpoSde ref = DanceGrpoSde.reference();
        Trajectory tr = ref.sample(g.exact(), noise(4), Conditioning.none(), new Generator(14));
        double[] t = ref.levels();
        assertMoments("dance-grpo 16 steps vs recursion", tr.steps().getLast().next(),
                predicted(r -> ReferenceSteps.moments(r.danceGrpo(t, 0.3, true), 16)), 0);
        // The decoded sample is the x0-prediction at the last step: affine in that step's state.
        assertMoments("dance-grpo 16 steps decoded x0 vs recursion", tr.sample(), predicted(r -> {
            double[] before = ReferenceSteps.moments(r.danceGrpo(t, 0.3, true), 15);
            double b = r.danceX0(t, 15, 0), a = r.danceX0(t, 15, 1) - b;
            return new double[] {a * before[0] + b, a * a * before[1]};
        }), 0);

        DanceGrpoSde fine = new DanceGrpoSde(100, 3, 0.3, true);
        Tensor x = fine.sample(g.exact(), noise(5), Conditioning.none(), new Generator(15)).steps().getLast().next();
        double[][] p = predicted(r -> ReferenceSteps.moments(r.danceGrpo(fine.levels(), 0.3, true), 100));
        assertMoments("dance-grpo 100 steps vs recursion", x, p, 0);
        double bias = discretization(p);
        assertTrue(bias < 0.07, "DanceGRPO discretization at 100 steps: " + bias);
        assertMoments("dance-grpo 100 steps vs data", x, target(), bias);
    }

    @Test
    void ddimWithEtaZeroAndOneMatchesItsFiniteStepLawAndTheData() {
        Ddim ddim0 = new Ddim(100, 1, 0);
        Tensor x0 = ddim0.sample(g.exact(), noise(6), Conditioning.none(), new Generator(16)).sample();
        double[][] p0 = predicted(r -> ReferenceSteps.moments(r.ddim(ddim0.levels(), 0), 100));
        assertMoments("ddim eta 0 vs recursion", x0, p0, 0);
        assertMoments("ddim eta 0 vs data", x0, target(), discretization(p0));

        Ddim ddpo = new Ddim(50, 1, 1);
        assertMoments("ddim eta 1, 50 steps vs recursion", ddpo.sample(g.exact(), noise(7), Conditioning.none(), new Generator(17)).sample(),
                predicted(r -> ReferenceSteps.moments(r.ddim(ddpo.levels(), 1), 50)), 0);

        Ddim fine = new Ddim(200, 1, 1);
        Tensor x1 = fine.sample(g.exact(), noise(8), Conditioning.none(), new Generator(18)).sample();
        double[][] p1 = predicted(r -> ReferenceSteps.moments(r.ddim(fine.levels(), 1), 200));
        assertMoments("ddim eta 1, 200 steps vs recursion", x1, p1, 0);
        double bias = discretization(p1);
        assertTrue(bias < 0.05, "DDIM eta 1 discretization at 200 steps: " + bias);
        assertMoments("ddim eta 1, 200 steps vs data", x1, target(), bias);
    }

    @Test
    void edmChurn2abMatchesItsFiniteStepLawAndTheData() {
        EdmChurn2ab ref = EdmChurn2ab.reference();
        assertMoments("edm churn 2ab, 20 steps vs recursion", ref.sample(g.exact(), noise(9), Conditioning.none(), new Generator(19)).sample(),
                predicted(r -> r.edmMoments(ref.levels(), ref.churn(), 1)), 0);

        EdmChurn2ab fine = new EdmChurn2ab(100, 0.01, 200, 7, 1, 1);
        Tensor x = fine.sample(g.exact(), noise(10), Conditioning.none(), new Generator(20)).sample();
        double[][] p = predicted(r -> r.edmMoments(fine.levels(), fine.churn(), 1));
        assertMoments("edm churn 2ab, 100 steps vs recursion", x, p, 0);
        double bias = discretization(p);
        assertTrue(bias < 0.015, "EDM churn 2AB discretization at 100 steps: " + bias);
        assertMoments("edm churn 2ab, 100 steps vs data", x, target(), bias);
    }

    @Test
    void everyFiniteStepLawConvergesToTheData() {
        // The recursions alone, at many steps: each sampler family is consistent with the data distribution.
        int n = 4000;
        assertConverges("euler", predicted(r -> ReferenceSteps.moments(r.euler(new EulerOde(n, 3).levels()), n)), 3e-3);
        assertConverges("flow-grpo", predicted(r -> ReferenceSteps.moments(r.flowGrpo(new FlowGrpoSde(n, 3, 0.7).levels(), 0.7), n)), 3e-3);
        assertConverges("dance-grpo", predicted(r -> ReferenceSteps.moments(r.danceGrpo(new DanceGrpoSde(n, 3, 0.3, false).levels(), 0.3, false), n)),
                3e-3);
        assertConverges("ddim eta 1", predicted(r -> ReferenceSteps.moments(r.ddim(new Ddim(n, 1, 1).levels(), 1), n)), 3e-3);
        // EDM starts from N(0, sigma_max^2) where the true marginal is N(m, s^2 + sigma_max^2): that offset of m
        // contracts to a final mean error of about m / sigma_max (0.007 s here) however many steps are taken.
        EdmChurn2ab edm = new EdmChurn2ab(n, 0.01, 200, 7, 1, 1);
        assertConverges("edm churn 2ab", predicted(r -> r.edmMoments(edm.levels(), edm.churn(), 1)), 5e-3);
    }

    private void assertConverges(String what, double[][] predicted, double bound) {
        double bias = discretization(predicted);
        assertTrue(bias < bound, what + " at 4000 steps is still " + bias + " away from the data");
    }
}
