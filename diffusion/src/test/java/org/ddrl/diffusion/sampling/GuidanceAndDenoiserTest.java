package org.ddrl.diffusion.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;
import org.junit.jupiter.api.Test;

/** Classifier-free guidance, the conditioning's unconditional variant, and the Cosmos denoiser wrapper. */
class GuidanceAndDenoiserTest {
    /** v = the conditioning's embedding (a per-sample scalar) broadcast over the state. */
    private static final VelocityModel EMBEDDING = (x, t, c) -> x.mul(0).add(c.embedding());

    private static final Conditioning PROMPT =
            Conditioning.of(Tensor.full(2.0, DType.F32, 3, 1), Tensor.full(0.5, DType.F32, 3, 1));

    @Test
    void guidanceCombinesTheBranches() {
        Tensor x = Tensor.zeros(3, 4);
        Tensor t = Tensor.full(0.5, DType.F32, 3);
        for (float v : new ClassifierFreeGuidance(EMBEDDING, 4.5, false).velocity(x, t, PROMPT).toFloatArray()) {
            assertEquals(0.5f + 4.5f * 1.5f, v); // v_u + w (v_c - v_u)
        }
        for (float v : new ClassifierFreeGuidance(EMBEDDING, 0, false).velocity(x, t, PROMPT).toFloatArray()) assertEquals(0.5f, v);
        assertEquals(8, ClassifierFreeGuidance.fromCosmosGuidance(7));
    }

    @Test
    void scaleOneRunsOnlyTheConditionalBranch() {
        AtomicInteger uncond = new AtomicInteger();
        VelocityModel counting = (x, t, c) -> {
            if (c.isUnconditional()) uncond.incrementAndGet();
            return EMBEDDING.velocity(x, t, c);
        };
        Tensor v = new ClassifierFreeGuidance(counting, 1, false).velocity(Tensor.zeros(3, 4), Tensor.zeros(3), PROMPT);
        assertEquals(0, uncond.get());
        for (float f : v.toFloatArray()) assertEquals(2f, f);
        new ClassifierFreeGuidance(counting, 2, false).velocity(Tensor.zeros(3, 4), Tensor.zeros(3), PROMPT);
        assertEquals(1, uncond.get());
    }

    @Test
    void detachingTheUnconditionalBranchStopsItsGradient() {
        double w = 4.5;
        for (boolean detach : new boolean[] {false, true}) {
            Tensor p = Tensor.scalar(1.0).requiresGrad(true);
            VelocityModel model = (x, t, c) -> EMBEDDING.velocity(x, t, c).mul(p);
            new ClassifierFreeGuidance(model, w, detach).velocity(Tensor.zeros(3, 4), Tensor.zeros(3), PROMPT).sum().backward();
            // v = p (0.5 + w 1.5) per element; detached: v_u is a constant and only w p (2 - 0.5) + ... - w v_u moves: w 2.
            double perElement = detach ? w * 2 : 0.5 + w * 1.5;
            assertEquals(12 * perElement, p.grad().item(), 1e-4, "detach " + detach);
        }
    }

    @Test
    void conditioningExposesItsUnconditionalVariant() {
        Tensor e = Tensor.ones(2, 3), u = Tensor.zeros(2, 3);
        Conditioning c = Conditioning.of(e, u);
        assertSame(e, c.embedding());
        assertFalse(c.isUnconditional());
        assertSame(u, c.unconditional().embedding());
        assertTrue(c.unconditional().isUnconditional());
        Conditioning u2 = c.unconditional();
        assertSame(u2, u2.unconditional());
        assertNull(Conditioning.of(e).unconditional().embedding());
        assertSame(Conditioning.none(), Conditioning.of(e).unconditional());
        assertSame(Conditioning.none(), Conditioning.none().unconditional());
    }

    @Test
    void theDenoiserOfTheTrueVelocityReturnsTheData() {
        Generator gen = new Generator(1);
        Tensor x0 = Tensor.randn(gen, 4, 6), eps = Tensor.randn(gen, 4, 6);
        VelocityModel oracle = (x, t, c) -> eps.sub(x0);
        float[] want = x0.toFloatArray();
        for (double sigma : new double[] {0.01, 0.5, 1, 7.16, 200}) {
            Tensor xSigma = x0.add(eps.mul(sigma));
            float[] got = Denoiser.x0(oracle, xSigma, sigma, Conditioning.none()).toFloatArray();
            for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 3e-6 * (1 + sigma), "sigma " + sigma + " element " + i);
        }
        Tensor sigmas = Tensor.of(new float[] {0.01f, 1f, 20f, 200f}, 4);
        Tensor xSigma = x0.add(eps.mul(sigmas.reshape(4, 1)));
        float[] got = Denoiser.x0(oracle, xSigma, sigmas, Conditioning.none()).toFloatArray();
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-3, "per-sample sigma, element " + i);
    }

    @Test
    void theDenoiserFeedsTheNetworkTheRectifiedFlowInterpolant() {
        double sigma = 3;
        double t = sigma / (1 + sigma);
        Tensor xSigma = Tensor.of(new float[] {4, 8, -4, 0}, 2, 2);
        VelocityModel check = (x, time, c) -> {
            assertArrayEquals(new float[] {(float) t, (float) t}, time.toFloatArray());
            assertArrayEquals(xSigma.mul(1 - t).toFloatArray(), x.toFloatArray());
            return Tensor.ones(2, 2);
        };
        // D = (1 - t) x_sigma - t v with v = 1.
        float[] d = Denoiser.x0(check, xSigma, sigma, Conditioning.none()).toFloatArray();
        assertArrayEquals(new float[] {(float) (1 - t) * 4 - (float) t, (float) (1 - t) * 8 - (float) t, (float) (1 - t) * -4 - (float) t,
                -(float) t}, d, 1e-6f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Denoiser.x0(check, xSigma, Tensor.ones(3), Conditioning.none()));
        assertTrue(e.getMessage().contains("Denoiser.x0") && e.getMessage().contains("[3]"), e.getMessage());
    }

    @Test
    void cosmosGuidanceOnX0EqualsVelocityGuidanceWithScaleOnePlusG() {
        double g = 3, sigma = 2.5;
        VelocityModel model = (x, t, c) -> x.mul(c.embedding());
        Tensor x = Tensor.randn(new Generator(2), 3, 4);
        Tensor x0c = Denoiser.x0(model, x, sigma, PROMPT);
        Tensor x0u = Denoiser.x0(model, x, sigma, PROMPT.unconditional());
        float[] cosmos = x0c.add(x0c.sub(x0u).mul(g)).toFloatArray();
        float[] ours = Denoiser.x0(new ClassifierFreeGuidance(model, ClassifierFreeGuidance.fromCosmosGuidance(g), false), x, sigma, PROMPT)
                .toFloatArray();
        assertArrayEquals(cosmos, ours, 1e-5f);
    }
}
