package org.ddrl.rl.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SeedStatisticsTest {
    @Test
    void confidenceIntervalByHand() {
        SeedSummary s = SeedSummary.of(new double[] {1, 2, 3, 4});
        double sd = Math.sqrt((2.25 + 0.25 + 0.25 + 2.25) / 3);
        double half = 3.182446305284263 * sd / 2; // t(0.975, 3) from tables
        assertEquals(4, s.n());
        assertEquals(2.5, s.mean(), 1e-12);
        assertEquals(sd, s.std(), 1e-12);
        assertEquals(2.5 - half, s.ciLow(), 1e-9);
        assertEquals(2.5 + half, s.ciHigh(), 1e-9);
        assertEquals(half, s.ciHalfWidth(), 1e-9);
    }

    @Test
    void twoSeedsUseTheWideTwelvePointSeven() {
        SeedSummary s = SeedSummary.of(new double[] {1, 3});
        // sd = sqrt(2), so t(0.975, 1) sd / sqrt(n) is t(0.975, 1) itself.
        assertEquals(12.706204736174698, s.ciHalfWidth(), 1e-9);
    }

    @Test
    void unmeasuredSeedsAreLeftOutAndOneValueHasNoSpread() {
        SeedSummary s = SeedSummary.of(new double[] {Double.NaN, 2, Double.NaN});
        assertEquals(1, s.n());
        assertEquals(2, s.mean());
        assertTrue(Double.isNaN(s.std()) && Double.isNaN(s.ciLow()) && Double.isNaN(s.ciHigh()));
        assertEquals(3, s.values().length);
        assertTrue(Double.isNaN(SeedSummary.of(new double[] {Double.NaN}).mean()));
    }

    @Test
    void welchTestByHand() {
        double[] a = {1, 2, 3, 4}, b = {2, 4, 6, 8, 10};
        double va = (5.0 / 3) / 4, vb = 10.0 / 5; // sample variances 5/3 and 10, over n
        double t = (2.5 - 6) / Math.sqrt(va + vb);
        double df = (va + vb) * (va + vb) / (va * va / 3 + vb * vb / 4);
        WelchTest w = WelchTest.of(a, b);
        assertEquals(t, w.t(), 1e-12);
        assertEquals(df, w.degreesOfFreedom(), 1e-12);
        // Two-sided p of t = -2.251 at df = 5.52 lies between the tables' 0.1 (2.015) and 0.05 (2.571) points.
        assertTrue(w.p() > 0.05 && w.p() < 0.1, "p " + w.p());
        assertEquals(w.p(), WelchTest.of(b, a).p(), 1e-12);
        assertEquals(-w.t(), WelchTest.of(b, a).t(), 1e-12);
    }

    @Test
    void welchTestIsUndefinedWithoutTwoValuesASideOrWithoutSpread() {
        assertTrue(Double.isNaN(WelchTest.of(new double[] {1}, new double[] {1, 2}).p()));
        assertTrue(Double.isNaN(WelchTest.of(new double[] {1, Double.NaN}, new double[] {1, 2}).p()));
        assertTrue(Double.isNaN(WelchTest.of(new double[] {1, 1}, new double[] {2, 2}).p()));
    }
}
