package org.ddrl.diffusion.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;
import org.junit.jupiter.api.Test;

/**
 * Every recorded step of every sampler, element by element, against the reference formulas of
 * {@link ReferenceSteps} (evaluated in double from the recorded state), plus the bookkeeping the RL
 * recomputation relies on: levels, stds, links between steps, and the injected noise being N(0, std^2).
 */
class SamplerStepTest {
    private static final int BATCH = 256;
    private final GaussianTarget g = GaussianTarget.eightDims();

    private Trajectory run(Sampler sampler, long seed) {
        Generator gen = new Generator(seed);
        return sampler.sample(g.exact(), Tensor.randn(gen, BATCH, 8), Conditioning.none(), gen);
    }

    private ReferenceSteps ref(int element) {
        int d = element % g.dims();
        return new ReferenceSteps(g.m[d], g.s[d]);
    }

    private interface ElementMean {
        double mean(int k, int element, double x, double previousX0);
    }

    /** Recorded means against the reference formula, links between steps, and standardized noise. */
    private void checkSteps(String what, Trajectory tr, ElementMean reference, double[] stds) {
        double noiseSum = 0, noiseSq = 0;
        long noiseCount = 0;
        for (Step step : tr.steps()) {
            int k = step.index();
            float[] x = step.state().toFloatArray(), mean = step.mean().toFloatArray(), next = step.next().toFloatArray();
            float[] prev = step.previousX0() == null ? null : step.previousX0().toFloatArray();
            for (int i = 0; i < x.length; i++) {
                double expected = reference.mean(k, i, x[i], prev == null ? Double.NaN : prev[i]);
                assertEquals(expected, mean[i], 1e-5 * (1 + Math.abs(expected)), what + " step " + k + " element " + i + ": mean");
            }
            assertEquals(stds[k], step.std(), 1e-12 * stds[k], what + " step " + k + ": std");
            assertEquals(k, step.index());
            assertTrue(step.state().dtype() == org.ddrl.tensor.DType.F32 && step.mean().dtype() == org.ddrl.tensor.DType.F32);
            if (k + 1 < tr.size()) assertSame(tr.step(k + 1).state(), step.next(), what + ": step " + k + "'s next is the next state");
            if (step.isStochastic()) {
                for (int i = 0; i < x.length; i++) {
                    double xi = (next[i] - (double) mean[i]) / step.std();
                    noiseSum += xi;
                    noiseSq += xi * xi;
                    noiseCount++;
                }
            }
        }
        if (noiseCount > 0) {
            double m = noiseSum / noiseCount, v = noiseSq / noiseCount - m * m;
            assertEquals(0, m, 5 / Math.sqrt(noiseCount), what + ": mean of (next - mean) / std");
            assertEquals(1, v, 5 * Math.sqrt(2.0 / noiseCount), what + ": variance of (next - mean) / std");
        }
    }

    private static double[] stds(int n, java.util.function.IntToDoubleFunction f) {
        double[] s = new double[n];
        for (int k = 0; k < n; k++) s[k] = f.applyAsDouble(k);
        return s;
    }

    @Test
    void eulerStepsAreDeterministicEulerSteps() {
        EulerOde euler = new EulerOde(12, 3);
        double[] t = euler.levels();
        Trajectory tr = run(euler, 1);
        checkSteps("euler", tr, (k, i, x, p) -> ref(i).euler(t).mean(k, x), new double[12]);
        for (Step s : tr.steps()) {
            assertNull(s.logProb());
            assertSame(s.mean(), s.next());
            assertEquals(t[s.index()], s.level());
            assertEquals(t[s.index() + 1], s.nextLevel());
        }
        assertSame(tr.steps().getLast().next(), tr.sample());
    }

    @Test
    void flowGrpoStepsFollowSdeStepWithLogprob() {
        FlowGrpoSde sde = FlowGrpoSde.reference();
        double[] t = sde.levels();
        ReferenceSteps.Step any = new ReferenceSteps(0, 1).flowGrpo(t, 0.7);
        Trajectory tr = run(sde, 2);
        checkSteps("flow-grpo", tr, (k, i, x, p) -> ref(i).flowGrpo(t, 0.7).mean(k, x), stds(10, any::std));
        for (Step s : tr.steps()) assertNotNull(s.logProb(), "noise at every step including the last");
        assertSame(tr.steps().getLast().next(), tr.sample());

        // The grid, g_k and per-step stds listed for N = 10, shift 3, a = 0.7 (to the digits given there).
        assertArrayEquals(new double[] {1.0, 0.9601, 0.9133, 0.8577, 0.7904, 0.7073, 0.6022, 0.4649, 0.2780, 0.0089, 0}, t, 1e-4);
        double[] gk = {3.51, 3.44, 2.27, 1.72, 1.36, 1.09, 0.86, 0.65, 0.43, 0.066};
        double[] std = {0.70, 0.74, 0.54, 0.45, 0.39, 0.35, 0.32, 0.28, 0.23, 0.006};
        for (int k = 0; k < 10; k++) {
            assertEquals(gk[k], sde.diffusion(k), 0.006 * Math.max(1, gk[k]), "g_" + k);
            assertEquals(std[k], tr.step(k).std(), 0.006, "std of step " + k);
        }
    }

    @Test
    void danceGrpoStepsFollowFluxStepWithQuantisedTimesteps() {
        DanceGrpoSde sde = DanceGrpoSde.reference();
        double[] t = sde.levels();
        List<Float> seen = new ArrayList<>();
        VelocityModel recording = (x, time, c) -> {
            float[] ts = time.toFloatArray();
            for (float v : ts) assertEquals(ts[0], v, "one time per step for the whole batch");
            seen.add(ts[0]);
            return g.exact().velocity(x, time, c);
        };
        Generator gen = new Generator(3);
        Trajectory tr = sde.sample(recording, Tensor.randn(gen, BATCH, 8), Conditioning.none(), gen);
        ReferenceSteps.Step any = new ReferenceSteps(0, 1).danceGrpo(t, 0.3, true);
        checkSteps("dance-grpo", tr, (k, i, x, p) -> ref(i).danceGrpo(t, 0.3, true).mean(k, x), stds(16, any::std));

        assertArrayEquals(new double[] {1, .978, .955, .929, .900, .868, .833, .794, .750, .700, .643, .577, .500, .409, .300, .167, 0},
                t, 6e-4);
        int[] timesteps = {1000, 978, 954, 928, 900, 868, 833, 794, 750, 700, 642, 576, 500, 409, 300, 166};
        assertEquals(16, seen.size());
        for (int k = 0; k < 16; k++) assertEquals(timesteps[k] / 1000f, seen.get(k), "network time of step " + k);
        // Per-step std 0.3 sqrt(t - t'): about 0.044 ... 0.123.
        assertEquals(0.3 * Math.sqrt(t[0] - t[1]), tr.step(0).std(), 1e-15);
        assertEquals(0.3 * Math.sqrt(t[15]), tr.step(15).std(), 1e-15);

        // The decoded sample is the last step's x0-prediction x - t v, with v at the quantised time.
        float[] x = tr.step(15).state().toFloatArray(), sample = tr.sample().toFloatArray();
        for (int i = 0; i < x.length; i++) {
            double expected = ref(i).danceX0(t, 15, x[i]);
            assertEquals(expected, sample[i], 1e-5 * (1 + Math.abs(expected)), "decoded element " + i);
        }
        assertSame(tr.step(15).x0Pred(), tr.sample());
    }

    @Test
    void ddimStepsAreDdposStepOnTheRescaledState() {
        for (double eta : new double[] {0, 0.5, 1}) {
            Ddim ddim = new Ddim(20, 3, eta);
            double[] t = ddim.levels();
            ReferenceSteps.Step any = new ReferenceSteps(0, 1).ddim(t, eta);
            Trajectory tr = run(ddim, 4);
            checkSteps("ddim eta " + eta, tr, (k, i, x, p) -> ref(i).ddim(t, eta).mean(k, x), stds(20, any::std));
            // From pure noise the first std is eta t'; the step to t' = 0 is deterministic.
            assertEquals(eta * t[1], tr.step(0).std(), 1e-12);
            assertEquals(0, tr.step(19).std());
            assertNull(tr.step(19).logProb());
            assertEquals(eta > 0, tr.step(0).isStochastic());
        }
    }

    @Test
    void ddimWithEtaZeroIsTheEulerOde() {
        Generator gen = new Generator(5);
        Tensor z = Tensor.randn(gen, BATCH, 8);
        float[] ddim = new Ddim(30, 3, 0).sample(g.exact(), z, Conditioning.none(), new Generator(6)).sample().toFloatArray();
        float[] euler = new EulerOde(30, 3).sample(g.exact(), z, Conditioning.none(), new Generator(7)).sample().toFloatArray();
        for (int i = 0; i < ddim.length; i++) assertEquals(euler[i], ddim[i], 2e-5 * (1 + Math.abs(euler[i])), "element " + i);
    }

    @Test
    void edmChurnStepsFollowTheCosmosSamplerAndCacheTheStateAfterTheNextChurn() {
        EdmChurn2ab edm = EdmChurn2ab.reference();
        double[] sigma = edm.levels();
        double eta = edm.churn();
        assertEquals(1.0 / 21, eta, 1e-15);
        Trajectory tr = run(edm, 8);
        checkSteps("edm", tr, (k, i, x, p) -> {
            double hat = (1 + eta) * sigma[k];
            ReferenceSteps r = ref(i);
            return ReferenceSteps.step2ab(x, r.denoise(x, hat), p, hat, sigma[k + 1], k == 0 ? Double.NaN : (1 + eta) * sigma[k - 1]);
        }, stds(20, k -> sigma[k + 1] * Math.sqrt(eta * eta + 2 * eta)));
        for (Step s : tr.steps()) {
            int k = s.index();
            assertEquals((1 + eta) * sigma[k], s.level(), 1e-12 * sigma[k], "sigma-hat");
            assertEquals(sigma[k], s.scheduleLevel());
            assertEquals(sigma[k + 1], s.nextLevel());
            assertEquals(0.312 * sigma[k + 1], s.std(), 1e-3 * sigma[k + 1], "std of the next churn, about 0.312 sigma_{i+1}");
            if (k == 0) {
                assertNull(s.previousX0());
                assertTrue(Double.isNaN(s.previousLevel()));
            } else {
                assertSame(tr.step(k - 1).x0Pred(), s.previousX0(), "2AB uses the previous step's cached x0-prediction");
                assertEquals(tr.step(k - 1).level(), s.previousLevel());
            }
            float[] x = s.state().toFloatArray(), x0 = s.x0Pred().toFloatArray();
            for (int i = 0; i < x.length; i++) {
                double expected = ref(i).denoise(x[i], s.level());
                assertEquals(expected, x0[i], 1e-5 * (1 + Math.abs(expected)), "x0-prediction, step " + k + " element " + i);
            }
            assertEquals(k < 19, s.isStochastic(), "the last step's action is the clean sample, not a Gaussian draw");
        }
        // The first state is sigma_max z0 plus the first churn; the last step's next is D(x_N, sigma_min).
        Step last = tr.step(19);
        assertSame(tr.sample(), last.next());
        float[] xn = last.mean().toFloatArray(), sample = tr.sample().toFloatArray();
        for (int i = 0; i < xn.length; i++) {
            double expected = ref(i).denoise(xn[i], 0.01);
            assertEquals(expected, sample[i], 1e-5 * (1 + Math.abs(expected)), "final denoise, element " + i);
        }
        float[] z = tr.noise().toFloatArray(), x0 = tr.step(0).state().toFloatArray();
        double churn0 = Math.sqrt(Math.pow((1 + eta) * 200, 2) - 200 * 200);
        double sum = 0, sq = 0;
        for (int i = 0; i < z.length; i++) {
            double xi = (x0[i] - 200.0 * z[i]) / churn0;
            sum += xi;
            sq += xi * xi;
        }
        assertEquals(0, sum / z.length, 5 / Math.sqrt(z.length), "first churn noise mean");
        assertEquals(1, sq / z.length, 5 * Math.sqrt(2.0 / z.length), "first churn noise variance");
    }

    @Test
    void edmWithoutChurnIsTheDeterministicMultistepSolver() {
        EdmChurn2ab ode = new EdmChurn2ab(10, 0.01, 200, 7, 0, 1);
        assertEquals(0, ode.churn());
        Generator gen = new Generator(9);
        Tensor z = Tensor.randn(gen, BATCH, 8);
        Trajectory a = ode.sample(g.exact(), z, Conditioning.none(), new Generator(1));
        Trajectory b = ode.sample(g.exact(), z, Conditioning.none(), new Generator(2));
        assertArrayEquals(a.sample().toFloatArray(), b.sample().toFloatArray());
        for (Step s : a.steps()) {
            assertEquals(0, s.std());
            assertNull(s.logProb());
            assertEquals(s.scheduleLevel(), s.level());
        }
    }
}
