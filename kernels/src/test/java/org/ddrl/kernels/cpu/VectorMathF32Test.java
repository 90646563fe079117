package org.ddrl.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

/**
 * Accuracy of the float functions over dense sweeps of float bit patterns, measured against StrictMath
 * in double (exact to ~1e-16, so its rounding to float is the correctly rounded result), and every
 * lane compared bit for bit with the scalar twin.
 */
class VectorMathF32Test {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** The bound of the task: 2 units in the last place of the correctly rounded result. */
    private static final double MAX_ULP = 2.0;

    /** |got - exact| in units of the ulp of the correctly rounded result (subnormal ulp below MIN_NORMAL). */
    static double ulpError(float got, double exact) {
        if (Double.isNaN(exact)) return Float.isNaN(got) ? 0 : Double.POSITIVE_INFINITY;
        float rounded = (float) exact;
        if (Float.isInfinite(rounded) || Float.isInfinite(got)) return got == rounded ? 0 : Double.POSITIVE_INFINITY;
        double ulp = Math.abs(exact) < Float.MIN_NORMAL ? Float.MIN_VALUE : Math.ulp(rounded);
        return Math.abs(got - exact) / ulp;
    }

    /** Every step-th float bit pattern from lo to hi (same sign), through the vector and the scalar twin. */
    private static void sweep(String name, UnaryOperator<FloatVector> vf, UnaryOperator<Float> sf, DoubleUnaryOperator exact,
                              float lo, float hi, int step) {
        int a = Float.floatToRawIntBits(lo), b = Float.floatToRawIntBits(hi);
        long from = Math.min(a, b), to = Math.max(a, b);
        float[] in = new float[S.length()], out = new float[S.length()];
        double worst = 0;
        float worstAt = Float.NaN;
        long count = 0;
        int k = 0;
        for (long bits = from; bits <= to; bits += step) {
            in[k++] = Float.intBitsToFloat((int) bits);
            if (k < in.length && bits + step <= to) continue;
            vf.apply(FloatVector.fromArray(S, in, 0)).intoArray(out, 0);
            for (int j = 0; j < k; j++) {
                float x = in[j];
                float twin = sf.apply(x);
                if (Float.floatToIntBits(twin) != Float.floatToIntBits(out[j])) {
                    throw new AssertionError(name + "(" + x + "): lane " + out[j] + " but scalar twin " + twin);
                }
                double e = ulpError(out[j], exact.applyAsDouble(x));
                if (e > worst) {
                    worst = e;
                    worstAt = x;
                }
            }
            count += k;
            k = 0;
        }
        assertTrue(count > 100_000, name + ": sweep too sparse (" + count + " points)");
        assertTrue(worst <= MAX_ULP, name + " on [" + lo + ", " + hi + "]: " + worst + " ulp at x = " + worstAt);
    }

    @Test
    void exp() {
        sweep("exp", VectorMath::exp, VectorMath::exp, StrictMath::exp, -0f, -110f, 151);
        sweep("exp", VectorMath::exp, VectorMath::exp, StrictMath::exp, 0f, 90f, 151);
        // dense around 0, where r is tiny and 1 + r must not lose it
        sweep("exp", VectorMath::exp, VectorMath::exp, StrictMath::exp, 0x1p-30f, 0.5f, 23);
    }

    @Test
    void log() {
        sweep("log", VectorMath::log, VectorMath::log, StrictMath::log, Float.MIN_VALUE, Float.MAX_VALUE, 307);
        sweep("log", VectorMath::log, VectorMath::log, StrictMath::log, 0.5f, 2f, 5); // around 1: f small and both branches of m
    }

    @Test
    void log1p() {
        sweep("log1p", VectorMath::log1p, VectorMath::log1p, StrictMath::log1p, -0f, -1f, 151);
        sweep("log1p", VectorMath::log1p, VectorMath::log1p, StrictMath::log1p, Float.MIN_VALUE, Float.MAX_VALUE, 307);
    }

    @Test
    void tanh() {
        sweep("tanh", VectorMath::tanh, VectorMath::tanh, StrictMath::tanh, Float.MIN_VALUE, 12f, 151);
        sweep("tanh", VectorMath::tanh, VectorMath::tanh, StrictMath::tanh, -0.4f, -1f, 9); // across the 0.625 split
    }

    @Test
    void sigmoid() {
        DoubleUnaryOperator exact = x -> x < 0 ? StrictMath.exp(x) / (1 + StrictMath.exp(x)) : 1 / (1 + StrictMath.exp(-x));
        sweep("sigmoid", VectorMath::sigmoid, VectorMath::sigmoid, exact, 0f, 120f, 197);
        sweep("sigmoid", VectorMath::sigmoid, VectorMath::sigmoid, exact, -0f, -120f, 197);
    }

    @Test
    void sinCos() {
        sweep("sin", VectorMath::sin, VectorMath::sin, StrictMath::sin, 0f, 1e6f, 227);
        sweep("sin", VectorMath::sin, VectorMath::sin, StrictMath::sin, -1e6f, -Float.MAX_VALUE, 4001); // StrictMath lanes
        sweep("cos", VectorMath::cos, VectorMath::cos, StrictMath::cos, -0f, -1e6f, 227);
        sweep("cos", VectorMath::cos, VectorMath::cos, StrictMath::cos, 1e6f, Float.MAX_VALUE, 4001);
    }

    @Test
    void powOverBasesAndExponents() {
        float[] xs = new float[S.length()], ys = new float[S.length()], out = new float[S.length()];
        java.util.Random rnd = new java.util.Random(7);
        double worst = 0;
        for (int it = 0; it < 400_000 / S.length(); it++) {
            for (int j = 0; j < xs.length; j++) {
                xs[j] = (float) Math.exp(rnd.nextGaussian() * 4) * (rnd.nextInt(8) == 0 ? -1 : 1);
                float y = (float) (rnd.nextGaussian() * 80 / Math.max(0.05, Math.abs(Math.log(Math.abs(xs[j])))));
                ys[j] = rnd.nextInt(4) == 0 ? Math.round(y) : y;
            }
            VectorMath.pow(FloatVector.fromArray(S, xs, 0), FloatVector.fromArray(S, ys, 0)).intoArray(out, 0);
            for (int j = 0; j < xs.length; j++) {
                assertEquals(Float.floatToIntBits(VectorMath.pow(xs[j], ys[j])), Float.floatToIntBits(out[j]), "pow lane vs twin");
                double e = ulpError(out[j], StrictMath.pow(xs[j], ys[j]));
                assertTrue(e <= MAX_ULP, "pow(" + xs[j] + ", " + ys[j] + ") = " + out[j] + ": " + e + " ulp");
                worst = Math.max(worst, e);
            }
        }
        assertTrue(worst < 1, "pow through double should be nearly correctly rounded, got " + worst + " ulp");
    }

    @Test
    void specialValues() {
        float inf = Float.POSITIVE_INFINITY, nan = Float.NaN;
        float[] xs = {0f, -0f, inf, -inf, nan, 1f, -1f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE,
            -Float.MAX_VALUE, 88.7f, 88.8f, -87.33655f, -103.5f, -104f, 0.625f, -0.625f, 1e-30f, -1e-30f};
        for (float x : xs) {
            check("exp", x, VectorMath.exp(x), (float) StrictMath.exp(x));
            check("log", x, VectorMath.log(x), (float) StrictMath.log(x));
            check("log1p", x, VectorMath.log1p(x), (float) StrictMath.log1p(x));
            check("tanh", x, VectorMath.tanh(x), (float) StrictMath.tanh(x));
            check("sin", x, VectorMath.sin(x), (float) StrictMath.sin(x));
            check("cos", x, VectorMath.cos(x), (float) StrictMath.cos(x));
            float[] lane = new float[S.length()];
            java.util.Arrays.fill(lane, x);
            FloatVector v = FloatVector.fromArray(S, lane, 0);
            check("exp lane", x, VectorMath.exp(v).lane(0), VectorMath.exp(x));
            check("log lane", x, VectorMath.log(v).lane(0), VectorMath.log(x));
            check("log1p lane", x, VectorMath.log1p(v).lane(0), VectorMath.log1p(x));
            check("tanh lane", x, VectorMath.tanh(v).lane(0), VectorMath.tanh(x));
            check("sigmoid lane", x, VectorMath.sigmoid(v).lane(0), VectorMath.sigmoid(x));
            check("sin lane", x, VectorMath.sin(v).lane(0), VectorMath.sin(x));
            check("cos lane", x, VectorMath.cos(v).lane(0), VectorMath.cos(x));
        }
        assertEquals(0f, VectorMath.sigmoid(-inf));
        assertEquals(1f, VectorMath.sigmoid(inf));
        assertTrue(Float.isNaN(VectorMath.sigmoid(nan)));
        assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(VectorMath.log1p(-0f)));
        assertEquals(Float.NEGATIVE_INFINITY, VectorMath.log1p(-1f));
        assertEquals(Float.NEGATIVE_INFINITY, VectorMath.log(-0f));
    }

    /** Special inputs must give what StrictMath gives, bit for bit (NaN as any NaN); ordinary ones within the bound. */
    private static void check(String name, float x, float got, float want) {
        boolean special = Float.isNaN(want) || Float.isInfinite(want) || want == 0 || Float.isNaN(x) || Float.isInfinite(x);
        if (special || name.endsWith("lane")) {
            assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(got), name + "(" + x + ")");
        } else {
            assertTrue(ulpError(got, want) <= MAX_ULP, name + "(" + x + ") = " + got + ", StrictMath " + want);
        }
    }
}
