package org.ddrl.diffusion.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;
import org.junit.jupiter.api.Test;

class TimestepEmbeddingTest {
    @Test
    void sinusoidalFeaturesFollowTheFormula() {
        Tensor t = Tensor.of(new double[] {0, 0.25, 1}, 3);
        int dim = 8, half = dim / 2;
        double[] got = TimestepEmbedding.sinusoidal(t, dim).toDoubleArray();
        double[] ts = {0, 0.25, 1};
        for (int b = 0; b < 3; b++) {
            for (int i = 0; i < half; i++) {
                double angle = 1000 * ts[b] * Math.pow(10000, -(double) i / half);
                assertEquals(Math.cos(angle), got[b * dim + i], 1e-9, "cos b=" + b + " i=" + i);
                assertEquals(Math.sin(angle), got[b * dim + half + i], 1e-9, "sin b=" + b + " i=" + i);
            }
        }
    }

    @Test
    void embeddingIsPerSampleAndTellsNoiseLevelsApart() {
        TimestepEmbedding emb = new TimestepEmbedding(32, 24, new Generator(1));
        Tensor out = emb.forward(Tensor.of(new float[] {0.1f, 0.1f, 0.9f}, 3));
        assertArrayEquals(new int[] {3, 24}, out.shape());
        assertEquals(0.0, ModelTesting.maxAbsDiff(out.select(0, 0), out.select(0, 1)));
        assertTrue(ModelTesting.maxAbsDiff(out.select(0, 0), out.select(0, 2)) > 1e-3);
        // an F64 t gives the same result through the F32 weights, as the features are cast to them
        Tensor f64 = emb.forward(Tensor.of(new double[] {0.1, 0.1, 0.9}, 3));
        assertEquals(DType.F32, f64.dtype());
        assertTrue(ModelTesting.maxAbsDiff(out, f64) < 1e-5);
    }

    @Test
    void badShapesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new TimestepEmbedding(7, 8, new Generator(1)));
        var e = assertThrows(IllegalArgumentException.class,
                () -> TimestepEmbedding.sinusoidal(Tensor.zeros(DType.F32, Device.CPU, 2, 1), 8));
        assertTrue(e.getMessage().contains("F32[2, 1]"), e.getMessage());
    }
}
