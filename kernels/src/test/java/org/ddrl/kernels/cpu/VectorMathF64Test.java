package org.ddrl.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.function.DoubleSupplier;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

/**
 * Accuracy of the double functions on random inputs against StrictMath (itself within 1 ulp, so the
 * bound of 3 ulp against it leaves at most ~2 ulp of our own), every lane compared bit for bit with the
 * scalar twin, and Math's special values. The point count per function is the system property
 * vectormath.points (default 400,000; for the 10^7-point sweeps set it to 10000000).
 */
class VectorMathF64Test {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int POINTS = Integer.getInteger("vectormath.points", 400_000);
    private static final double MAX_ULP = 3.0;

    static double ulpError(double got, double want) {
        if (Double.isNaN(want)) return Double.isNaN(got) ? 0 : Double.POSITIVE_INFINITY;
        if (Double.isInfinite(want) || Double.isInfinite(got)) return got == want ? 0 : Double.POSITIVE_INFINITY;
        return Math.abs(got - want) / Math.ulp(want);
    }

    private static void random(String name, UnaryOperator<DoubleVector> vf, DoubleUnaryOperator sf, DoubleUnaryOperator ref,
                               DoubleSupplier gen) {
        double[] in = new double[S.length()], out = new double[S.length()];
        double worst = 0, worstAt = Double.NaN;
        for (int it = 0; it < POINTS / in.length; it++) {
            for (int j = 0; j < in.length; j++) in[j] = gen.getAsDouble();
            vf.apply(DoubleVector.fromArray(S, in, 0)).intoArray(out, 0);
            for (int j = 0; j < in.length; j++) {
                double twin = sf.applyAsDouble(in[j]);
                if (Double.doubleToLongBits(twin) != Double.doubleToLongBits(out[j])) {
                    throw new AssertionError(name + "(" + in[j] + "): lane " + out[j] + " but scalar twin " + twin);
                }
                double e = ulpError(out[j], ref.applyAsDouble(in[j]));
                if (e > worst) {
                    worst = e;
                    worstAt = in[j];
                }
            }
        }
        assertTrue(worst <= MAX_ULP, name + ": " + worst + " ulp from StrictMath at x = " + worstAt);
    }

    private static double uniform(Random r, double lo, double hi) {
        return lo + (hi - lo) * r.nextDouble();
    }

    /** A random double over many binades: +-2^e (1 + u), e uniform in [lo, hi]. */
    private static double logUniform(Random r, int lo, int hi) {
        return Math.scalb(1 + r.nextDouble(), lo + r.nextInt(hi - lo + 1)) * (r.nextBoolean() ? 1 : -1);
    }

    @Test
    void exp() {
        Random r = new Random(1);
        random("exp", VectorMath::exp, VectorMath::exp, StrictMath::exp, () -> uniform(r, -746, 710));
        random("exp", VectorMath::exp, VectorMath::exp, StrictMath::exp, () -> logUniform(r, -40, 0));
    }

    @Test
    void log() {
        Random r = new Random(2);
        random("log", VectorMath::log, VectorMath::log, StrictMath::log, () -> Math.abs(logUniform(r, -1074, 1023)));
        random("log", VectorMath::log, VectorMath::log, StrictMath::log, () -> uniform(r, 0.5, 2));
    }

    @Test
    void log1p() {
        Random r = new Random(3);
        random("log1p", VectorMath::log1p, VectorMath::log1p, StrictMath::log1p, () -> uniform(r, -1, 1));
        random("log1p", VectorMath::log1p, VectorMath::log1p, StrictMath::log1p, () -> Math.abs(logUniform(r, -60, 1000)));
    }

    @Test
    void tanhAndSigmoid() {
        Random r = new Random(4);
        random("tanh", VectorMath::tanh, VectorMath::tanh, StrictMath::tanh, () -> logUniform(r, -30, 5));
        random("tanh", VectorMath::tanh, VectorMath::tanh, StrictMath::tanh, () -> uniform(r, -1, 1));
        // exp rounded once, then a division: the reference rounds three times, hence the room
        DoubleUnaryOperator sig = x -> x < 0 ? StrictMath.exp(x) / (1 + StrictMath.exp(x)) : 1 / (1 + StrictMath.exp(-x));
        random("sigmoid", VectorMath::sigmoid, VectorMath::sigmoid, sig, () -> uniform(r, -750, 40));
    }

    @Test
    void sinCos() {
        Random r = new Random(5);
        random("sin", VectorMath::sin, VectorMath::sin, StrictMath::sin, () -> logUniform(r, -30, 21));
        random("cos", VectorMath::cos, VectorMath::cos, StrictMath::cos, () -> logUniform(r, -30, 21));
        random("sin", VectorMath::sin, VectorMath::sin, StrictMath::sin, () -> logUniform(r, 21, 1023)); // StrictMath lanes
        // near multiples of pi/2, where the reduction cancels most bits
        random("cos", VectorMath::cos, VectorMath::cos, StrictMath::cos, () -> (r.nextInt(1 << 20) + 0.5) * Math.PI + r.nextGaussian() * 1e-9);
        random("sin", VectorMath::sin, VectorMath::sin, StrictMath::sin, () -> r.nextInt(1 << 20) * Math.PI + r.nextGaussian() * 1e-9);
    }

    @Test
    void pow() {
        Random r = new Random(6);
        double[] xs = new double[S.length()], ys = new double[S.length()], out = new double[S.length()];
        double worst = 0;
        for (int it = 0; it < POINTS / xs.length; it++) {
            for (int j = 0; j < xs.length; j++) {
                xs[j] = Math.exp(r.nextGaussian() * 8) * (r.nextInt(8) == 0 ? -1 : 1);
                // exponents up to where |y log x| reaches ~700, the hardest case for the extended log
                double y = r.nextGaussian() * 300 / Math.max(1e-3, Math.abs(Math.log(Math.abs(xs[j]))));
                ys[j] = r.nextInt(4) == 0 ? Math.rint(y) : y;
            }
            VectorMath.pow(DoubleVector.fromArray(S, xs, 0), DoubleVector.fromArray(S, ys, 0)).intoArray(out, 0);
            for (int j = 0; j < xs.length; j++) {
                assertEquals(Double.doubleToLongBits(VectorMath.pow(xs[j], ys[j])), Double.doubleToLongBits(out[j]), "pow lane vs twin");
                double e = ulpError(out[j], StrictMath.pow(xs[j], ys[j]));
                worst = Math.max(worst, e);
                assertTrue(e <= MAX_ULP, "pow(" + xs[j] + ", " + ys[j] + ") = " + out[j] + ": " + e + " ulp");
            }
        }
    }

    @Test
    void powSpecialCasesMatchMathPow() {
        double inf = Double.POSITIVE_INFINITY, nan = Double.NaN;
        double[] vals = {0.0, -0.0, 1, -1, 2, -2, 0.5, -0.5, 3, -3, 1.5, -1.5, inf, -inf, nan, 0x1p52, -0x1p52, 0x1p52 + 1,
            -(0x1p52 + 1), 0x1p53, 0x1p51 + 0.5, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MAX_VALUE, 1e-300, 1e300, 1 + 0x1p-52, 1 - 0x1p-53};
        double[] xs = new double[S.length()], ys = new double[S.length()];
        for (double x : vals) {
            for (double y : vals) {
                double want = StrictMath.pow(x, y), got = VectorMath.pow(x, y);
                java.util.Arrays.fill(xs, x);
                java.util.Arrays.fill(ys, y);
                double lane = VectorMath.pow(DoubleVector.fromArray(S, xs, 0), DoubleVector.fromArray(S, ys, 0)).lane(0);
                assertEquals(Double.doubleToLongBits(got), Double.doubleToLongBits(lane), "pow(" + x + ", " + y + ") lane vs twin");
                boolean special = Double.isNaN(want) || Double.isInfinite(want) || want == 0 || y == 0 || y == 1
                        || Double.isNaN(x) || Double.isInfinite(x) || x == 0 || Double.isInfinite(y);
                if (special) assertEquals(Double.doubleToLongBits(want), Double.doubleToLongBits(got), "pow(" + x + ", " + y + ")");
                else assertTrue(ulpError(got, want) <= MAX_ULP, "pow(" + x + ", " + y + ") = " + got + ", StrictMath " + want);
                float fx = (float) x, fy = (float) y;
                float fwant = (float) StrictMath.pow(fx, fy);
                if (special) assertEquals(Float.floatToIntBits(fwant), Float.floatToIntBits(VectorMath.pow(fx, fy)), "F32 pow(" + fx + ", " + fy + ")");
            }
        }
    }

    @Test
    void specialValues() {
        double inf = Double.POSITIVE_INFINITY, nan = Double.NaN;
        double[] xs = {0.0, -0.0, inf, -inf, nan, 1, -1, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL,
            Double.MAX_VALUE, -Double.MAX_VALUE, 709.7, 709.8, -745.2, -746, 1e-300, -1e-300, 0.625, -0.625, 1e6, 1e7, -1e300};
        DoubleUnaryOperator[] mine = {VectorMath::exp, VectorMath::log, VectorMath::log1p, VectorMath::tanh, VectorMath::sin, VectorMath::cos};
        DoubleUnaryOperator[] strict = {StrictMath::exp, StrictMath::log, StrictMath::log1p, StrictMath::tanh, StrictMath::sin, StrictMath::cos};
        String[] names = {"exp", "log", "log1p", "tanh", "sin", "cos"};
        double[] lane = new double[S.length()];
        for (double x : xs) {
            java.util.Arrays.fill(lane, x);
            DoubleVector v = DoubleVector.fromArray(S, lane, 0);
            DoubleVector[] lanes = {VectorMath.exp(v), VectorMath.log(v), VectorMath.log1p(v), VectorMath.tanh(v), VectorMath.sin(v), VectorMath.cos(v)};
            for (int f = 0; f < names.length; f++) {
                double want = strict[f].applyAsDouble(x), got = mine[f].applyAsDouble(x);
                assertEquals(Double.doubleToLongBits(got), Double.doubleToLongBits(lanes[f].lane(0)), names[f] + "(" + x + ") lane vs twin");
                boolean special = Double.isNaN(want) || Double.isInfinite(want) || want == 0 || Double.isNaN(x) || Double.isInfinite(x) || x == 0;
                if (special) assertEquals(Double.doubleToLongBits(want), Double.doubleToLongBits(got), names[f] + "(" + x + ")");
                else assertTrue(ulpError(got, want) <= MAX_ULP, names[f] + "(" + x + ") = " + got + ", StrictMath " + want);
            }
            assertEquals(Double.doubleToLongBits(VectorMath.sigmoid(x)), Double.doubleToLongBits(VectorMath.sigmoid(v).lane(0)), "sigmoid(" + x + ")");
        }
        assertEquals(0.0, VectorMath.sigmoid(-inf));
        assertEquals(1.0, VectorMath.sigmoid(inf));
        assertEquals(StrictMath.exp(-740), VectorMath.sigmoid(-740.0), Math.ulp(StrictMath.exp(-740))); // subnormal, not 0
    }
}
