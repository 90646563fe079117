package org.ddrl.diffusion.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Scope;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;
import org.junit.jupiter.api.Test;

/** Same generator seed, same trajectory bit for bit; group noise sharing; scope ownership of the results. */
class DeterminismTest {
    private final GaussianTarget g = GaussianTarget.eightDims();

    private static List<Sampler> samplers() {
        return List.of(FlowGrpoSde.reference(), DanceGrpoSde.reference(), new Ddim(10, 3, 1), new EulerOde(6, 1), EdmChurn2ab.reference());
    }

    private Trajectory run(Sampler s, long seed) {
        Generator gen = new Generator(seed);
        return s.sample(g.exact(), Tensor.randn(gen, 32, 8), Conditioning.none(), gen);
    }

    private static void assertSameBits(String what, Tensor a, Tensor b) {
        if (a == null || b == null) {
            assertEquals(a == null, b == null, what);
            return;
        }
        assertArrayEquals(a.toFloatArray(), b.toFloatArray(), what);
    }

    @Test
    void theSameSeedGivesTheSameTrajectory() {
        for (Sampler s : samplers()) {
            String name = s.getClass().getSimpleName();
            Trajectory a = run(s, 42), b = run(s, 42);
            assertEquals(a.size(), b.size());
            for (int k = 0; k < a.size(); k++) {
                Step x = a.step(k), y = b.step(k);
                assertSameBits(name + " state " + k, x.state(), y.state());
                assertSameBits(name + " mean " + k, x.mean(), y.mean());
                assertSameBits(name + " next " + k, x.next(), y.next());
                assertSameBits(name + " x0 " + k, x.x0Pred(), y.x0Pred());
                assertSameBits(name + " logProb " + k, x.logProb(), y.logProb());
                assertEquals(x.std(), y.std());
            }
            assertSameBits(name + " sample", a.sample(), b.sample());
        }
    }

    @Test
    void aDifferentSeedOrDifferentStepNoiseGivesADifferentTrajectory() {
        for (Sampler s : samplers()) {
            boolean stochastic = !(s instanceof EulerOde);
            assertFalse(Arrays.equals(run(s, 1).sample().toFloatArray(), run(s, 2).sample().toFloatArray()), s.getClass().getSimpleName());
            // With the initial noise fixed, only the per-step noise can differ.
            Tensor z = Tensor.randn(new Generator(3), 32, 8);
            float[] a = s.sample(g.exact(), z, Conditioning.none(), new Generator(4)).sample().toFloatArray();
            float[] b = s.sample(g.exact(), z, Conditioning.none(), new Generator(5)).sample().toFloatArray();
            assertEquals(stochastic, !Arrays.equals(a, b), s.getClass().getSimpleName() + " with fixed initial noise");
        }
    }

    @Test
    void deterministicSamplersDrawNoRandomNumbers() {
        Generator gen = new Generator(6);
        Tensor z = Tensor.randn(new Generator(7), 16, 8);
        new EulerOde(5, 1).sample(g.exact(), z, Conditioning.none(), gen);
        new Ddim(5, 1, 0).sample(g.exact(), z, Conditioning.none(), gen);
        new EdmChurn2ab(5, 0.01, 200, 7, 0, 1).sample(g.exact(), z, Conditioning.none(), gen);
        assertEquals(0, gen.offset());
    }

    @Test
    void sharedGroupNoiseRepeatsOneDrawPerGroup() {
        Tensor shared = InitialNoise.sharedPerGroup(new Generator(8), 3, 4, 2, 5);
        assertArrayEquals(new int[] {12, 2, 5}, shared.shape());
        float[] v = shared.toFloatArray();
        int per = 10;
        for (int grp = 0; grp < 3; grp++) {
            float[] first = Arrays.copyOfRange(v, grp * 4 * per, grp * 4 * per + per);
            for (int m = 1; m < 4; m++) {
                int off = (grp * 4 + m) * per;
                assertArrayEquals(first, Arrays.copyOfRange(v, off, off + per), "group " + grp + " member " + m);
            }
            if (grp > 0) assertFalse(Arrays.equals(first, Arrays.copyOfRange(v, 0, per)), "groups differ");
        }
        Tensor independent = InitialNoise.independent(new Generator(8), 3, 4, 2, 5);
        assertArrayEquals(new int[] {12, 2, 5}, independent.shape());
        float[] w = independent.toFloatArray();
        assertFalse(Arrays.equals(Arrays.copyOfRange(w, 0, per), Arrays.copyOfRange(w, per, 2 * per)));
        assertThrows(IllegalArgumentException.class, () -> InitialNoise.sharedPerGroup(new Generator(1), 0, 4, 2));
    }

    @Test
    void trajectoriesBelongToTheCallersScope() {
        Trajectory tr;
        try (Scope scope = Scope.open()) {
            tr = run(EdmChurn2ab.reference(), 9);
            for (Step s : tr.steps()) {
                assertFalse(s.state().storage().isReleased() || s.mean().storage().isReleased() || s.next().storage().isReleased());
            }
            assertTrue(scope.size() > 0);
        }
        assertTrue(tr.sample().storage().isReleased(), "closing the caller's scope releases what the sampler kept");
        assertTrue(tr.step(3).mean().storage().isReleased());
    }

    @Test
    void badNoiseIsRejectedWithTheSamplerName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new EulerOde(4, 1).sample(g.exact(), Tensor.zeros(8), Conditioning.none(), new Generator(1)));
        assertTrue(e.getMessage().contains("EulerOde.sample") && e.getMessage().contains("[8]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> EdmChurn2ab.reference()
                .sample(g.exact(), Tensor.zeros(DType.I64, 4, 8), Conditioning.none(), new Generator(1)));
        assertTrue(e.getMessage().contains("EdmChurn2ab.sample") && e.getMessage().contains("I64"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Ddim(10, 1, 1.5));
        assertThrows(IllegalArgumentException.class, () -> new FlowGrpoSde(0, 3, 0.7));
        assertThrows(IllegalArgumentException.class, () -> new DanceGrpoSde(16, 3, -0.1, true));
        assertThrows(IllegalArgumentException.class, () -> new EdmChurn2ab(20, 0.01, 200, 7, -1, 1));
    }
}
