package org.ddrl.diffusion.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.ddrl.tensor.rng.Generator;
import org.junit.jupiter.api.Test;

/** Training-time distributions; statistical checks at 5 standard errors with fixed seeds. */
class TimeSamplerTest {
    private static final int N = 1 << 16;

    @Test
    void uniformHasMeanOneHalfAndVarianceOneTwelfth() {
        float[] t = TimeSampler.uniform().sample(new Generator(1), N).toFloatArray();
        double mean = 0, sq = 0;
        for (float v : t) {
            assertTrue(v >= 0 && v < 1);
            mean += v / N;
            sq += (double) v * v / N;
        }
        assertEquals(0.5, mean, 5 * Math.sqrt(1.0 / 12 / N));
        assertEquals(1.0 / 12, sq - mean * mean, 5 * Math.sqrt(1.0 / 180 / N));
    }

    @Test
    void logitNormalIsTheSigmoidOfANormal() {
        float[] t = TimeSampler.logitNormal(0.5, 0.8).sample(new Generator(2), N).toFloatArray();
        double mean = 0, sq = 0;
        for (float v : t) {
            assertTrue(v > 0 && v < 1);
            double logit = Math.log(v / (1.0 - v));
            mean += logit / N;
            sq += logit * logit / N;
        }
        assertEquals(0.5, mean, 5 * 0.8 / Math.sqrt(N));
        assertEquals(0.64, sq - mean * mean, 5 * 0.64 * Math.sqrt(2.0 / N));
    }

    @Test
    void shiftAppliesTheTimestepShiftToTheSameDraws() {
        float[] plain = TimeSampler.logitNormal(0, 1).sample(new Generator(3), 1000).toFloatArray();
        float[] shifted = TimeSampler.logitNormal(0, 1).withShift(3).sample(new Generator(3), 1000).toFloatArray();
        for (int i = 0; i < plain.length; i++) assertEquals(RectifiedFlow.shift(plain[i], 3), shifted[i], 1e-6);
        // Shift 3 moves the median from 1/2 to 3/4.
        float[] many = TimeSampler.uniform().withShift(3).sample(new Generator(4), N).toFloatArray();
        Arrays.sort(many);
        assertEquals(0.75, many[N / 2], 0.01);
        assertEquals("logitNormal(0.0, 1.0).shift(3.0)", TimeSampler.logitNormal(0, 1).withShift(3).toString());
    }

    @Test
    void sameSeedSameTimes() {
        TimeSampler s = TimeSampler.logitNormal(0, 1);
        assertArrayEquals(s.sample(new Generator(5), 64).toFloatArray(), s.sample(new Generator(5), 64).toFloatArray());
        assertThrows(IllegalArgumentException.class, () -> s.sample(new Generator(5), 0));
        assertThrows(IllegalArgumentException.class, () -> TimeSampler.logitNormal(0, -1));
        assertThrows(IllegalArgumentException.class, () -> s.withShift(0));
    }
}
