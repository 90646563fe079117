package org.ddrl.diffusion.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The reference grids, against the values listed for them (to the digits given there). */
class SchedulesTest {
    @Test
    void karrasLevelsOfTheCosmosSampler() {
        double[] s = Schedules.karras(20, 0.01, 200, 7);
        double[] listed = {200, 152.7, 115.3, 86.0, 63.4, 46.0, 33.0, 23.2, 16.0, 10.8, 7.16, 4.61, 2.89, 1.74, 1.01, 0.564, 0.297,
            0.147, 0.067, 0.028, 0.010};
        assertEquals(21, s.length);
        // Listed to three significant digits (two below 0.1): half a unit of the last digit given.
        for (int k = 0; k < 21; k++) assertEquals(listed[k], s[k], Math.max(0.0051 * listed[k], 5e-4), "sigma_" + k);
        assertEquals(200, s[0], 1e-12);
        assertEquals(0.01, s[20], 1e-15);
        // RF time from 0.995 down to 0.0099.
        assertEquals(0.995, RectifiedFlow.tFromSigma(s[0]), 5e-4);
        assertEquals(0.0099, RectifiedFlow.tFromSigma(s[20]), 1e-4);
    }

    @Test
    void flowMatchGridOfDanceGrpo() {
        double[] t = Schedules.flowMatch(16, 3);
        assertArrayEquals(new double[] {1, .978, .955, .929, .900, .868, .833, .794, .750, .700, .643, .577, .500, .409, .300, .167, 0}, t,
                6e-4);
        assertArrayEquals(new double[] {1, 0.75, 0.5, 0.25, 0}, Schedules.flowMatch(4, 1), 1e-15);
    }

    @Test
    void diffusersGridOfFlowGrpoShiftsTheSmallestLevelTwice() {
        double[] t = Schedules.flowMatchDiffusers(10, 3);
        assertArrayEquals(new double[] {1.0, 0.9601, 0.9133, 0.8577, 0.7904, 0.7073, 0.6022, 0.4649, 0.2780, 0.0089, 0}, t, 1e-4);
        assertEquals(RectifiedFlow.shift(RectifiedFlow.shift(0.001, 3), 3), t[9], 1e-15);
        // Without shift: linspace(1, 0.001, N) then 0.
        assertArrayEquals(new double[] {1, 0.5005, 0.001, 0}, Schedules.flowMatchDiffusers(3, 1), 1e-15);
    }

    @Test
    void badArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Schedules.karras(0, 0.01, 200, 7));
        assertThrows(IllegalArgumentException.class, () -> Schedules.karras(10, 200, 0.01, 7));
        assertThrows(IllegalArgumentException.class, () -> Schedules.karras(10, 0, 200, 7));
        assertThrows(IllegalArgumentException.class, () -> Schedules.flowMatch(0, 3));
        assertThrows(IllegalArgumentException.class, () -> Schedules.flowMatchDiffusers(5, -1));
    }
}
