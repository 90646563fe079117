package org.ddrl.rl.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.ddrl.tensor.Tensor;
import org.junit.jupiter.api.Test;

class SaturationDriftTest {
    /** A video [1, 3, 1, 1, pixels] from RGB triples in [-1, 1]. */
    private static Tensor pixels(float[]... rgb) {
        float[] data = new float[3 * rgb.length];
        for (int p = 0; p < rgb.length; p++) {
            for (int c = 0; c < 3; c++) data[c * rgb.length + p] = rgb[p][c];
        }
        return Tensor.of(data, 1, 3, 1, 1, rgb.length);
    }

    @Test
    void saturationByHand() {
        // Pure red 1, grey 0, black 0 (by convention), (1, 0.5, 0.5) in [0, 1] -> 0.5, out of range clamped to red.
        Tensor v = pixels(new float[] {1, -1, -1}, new float[] {0, 0, 0}, new float[] {-1, -1, -1}, new float[] {1, 0, 0},
                new float[] {3, -2, -5});
        assertEquals((1 + 0 + 0 + 0.5 + 1) / 5, SaturationDrift.meanSaturation(v), 1e-7);
    }

    @Test
    void driftIsGeneratedMinusReal() {
        Tensor real = pixels(new float[] {0, 0, 0}, new float[] {1, 0, 0});
        Tensor vivid = pixels(new float[] {1, -1, -1}, new float[] {1, 0, 0});
        assertEquals((1 + 0.5) / 2 - 0.25, SaturationDrift.drift(vivid, real), 1e-7);
        assertEquals(0, SaturationDrift.drift(real, real));
    }
}
