package org.ddrl.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

class LaneSumsTest {
    /** The documented order: fold the upper half onto the lower half until one lane is left. */
    private static float folded(float[] lanes) {
        float[] v = lanes.clone();
        for (int half = v.length / 2; half >= 1; half /= 2) {
            for (int i = 0; i < half; i++) v[i] = v[i] + v[i + half];
        }
        return v[0];
    }

    @Test
    void sumsInTheDocumentedOrderInEveryJitTier() {
        Random rnd = new Random(1);
        int n = FloatVector.SPECIES_PREFERRED.length();
        float[] lanes = new float[n];
        // magnitudes spread over many binades, so a different addition order would change the last bits
        for (int i = 0; i < n; i++) lanes[i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(8) - 4));
        FloatVector v = FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, lanes, 0);
        int expected = Float.floatToRawIntBits(folded(lanes));
        for (int rep = 0; rep < 200_000; rep++) {
            assertEquals(expected, Float.floatToRawIntBits(LaneSums.sum(v)), "call " + rep);
        }
        double[] d = new double[DoubleVector.SPECIES_PREFERRED.length()];
        for (int i = 0; i < d.length; i++) d[i] = lanes[i] * 1e-3;
        double exact = 0;
        for (double x : d) exact += x;
        assertEquals(exact, LaneSums.sum(DoubleVector.fromArray(DoubleVector.SPECIES_PREFERRED, d, 0)), 1e-12 * Math.abs(exact) + 1e-300);
    }
}
