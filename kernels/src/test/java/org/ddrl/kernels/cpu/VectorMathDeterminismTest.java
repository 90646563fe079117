package org.ddrl.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

/**
 * The reason VectorMath exists: a loop gives the same bits the first time it runs (interpreted) as
 * after 20,000 runs (C2-compiled), and its scalar tail gives what the lanes give. Each function has its
 * own loop method, so that the first call of each is really cold. The length is not a multiple of the
 * vector length, so the tail runs too.
 */
class VectorMathDeterminismTest {
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    private static final int N = 1003;
    private static final int WARM = 20_000;

    @Test
    void floatLoopsGiveTheSameBitsColdAndCompiled() {
        float[] x = new float[N];
        Random r = new Random(11);
        for (int i = 0; i < N; i++) x[i] = (float) (r.nextGaussian() * 6);
        float[] pos = new float[N];
        for (int i = 0; i < N; i++) pos[i] = (float) Math.exp(r.nextGaussian() * 10);

        float[] coldExp = new float[N], coldTanh = new float[N], coldSin = new float[N], coldLog = new float[N];
        expF(x, coldExp);
        tanhF(x, coldTanh);
        sinF(x, coldSin);
        logF(pos, coldLog);
        float[] o = new float[N];
        for (int i = 0; i < WARM; i++) expF(x, o);
        assertArrayEquals(coldExp, o, "exp after warm-up");
        for (int i = 0; i < WARM; i++) tanhF(x, o);
        assertArrayEquals(coldTanh, o, "tanh after warm-up");
        for (int i = 0; i < WARM / 4; i++) sinF(x, o);
        assertArrayEquals(coldSin, o, "sin after warm-up");
        for (int i = 0; i < WARM; i++) logF(pos, o);
        assertArrayEquals(coldLog, o, "log after warm-up");
        for (int i = 0; i < N; i++) {
            if (Float.floatToIntBits(coldExp[i]) != Float.floatToIntBits(VectorMath.exp(x[i]))) throw new AssertionError("exp lane vs twin at " + x[i]);
        }
    }

    @Test
    void doubleLoopsGiveTheSameBitsColdAndCompiled() {
        double[] x = new double[N];
        Random r = new Random(12);
        for (int i = 0; i < N; i++) x[i] = r.nextGaussian() * 6;
        double[] pos = new double[N];
        for (int i = 0; i < N; i++) pos[i] = Math.exp(r.nextGaussian() * 10);

        double[] coldExp = new double[N], coldTanh = new double[N], coldSin = new double[N], coldLog = new double[N];
        expD(x, coldExp);
        tanhD(x, coldTanh);
        sinD(x, coldSin);
        logD(pos, coldLog);
        double[] o = new double[N];
        for (int i = 0; i < WARM; i++) expD(x, o);
        assertArrayEquals(coldExp, o, "exp after warm-up");
        for (int i = 0; i < WARM; i++) tanhD(x, o);
        assertArrayEquals(coldTanh, o, "tanh after warm-up");
        for (int i = 0; i < WARM / 4; i++) sinD(x, o);
        assertArrayEquals(coldSin, o, "sin after warm-up");
        for (int i = 0; i < WARM; i++) logD(pos, o);
        assertArrayEquals(coldLog, o, "log after warm-up");
    }

    private static void expF(float[] x, float[] y) {
        int i = 0;
        for (int e = FS.loopBound(x.length); i < e; i += FS.length()) VectorMath.exp(FloatVector.fromArray(FS, x, i)).intoArray(y, i);
        for (; i < x.length; i++) y[i] = VectorMath.exp(x[i]);
    }

    private static void tanhF(float[] x, float[] y) {
        int i = 0;
        for (int e = FS.loopBound(x.length); i < e; i += FS.length()) VectorMath.tanh(FloatVector.fromArray(FS, x, i)).intoArray(y, i);
        for (; i < x.length; i++) y[i] = VectorMath.tanh(x[i]);
    }

    private static void sinF(float[] x, float[] y) {
        int i = 0;
        for (int e = FS.loopBound(x.length); i < e; i += FS.length()) VectorMath.sin(FloatVector.fromArray(FS, x, i)).intoArray(y, i);
        for (; i < x.length; i++) y[i] = VectorMath.sin(x[i]);
    }

    private static void logF(float[] x, float[] y) {
        int i = 0;
        for (int e = FS.loopBound(x.length); i < e; i += FS.length()) VectorMath.log(FloatVector.fromArray(FS, x, i)).intoArray(y, i);
        for (; i < x.length; i++) y[i] = VectorMath.log(x[i]);
    }

    private static void expD(double[] x, double[] y) {
        int i = 0;
        for (int e = DS.loopBound(x.length); i < e; i += DS.length()) VectorMath.exp(DoubleVector.fromArray(DS, x, i)).intoArray(y, i);
        for (; i < x.length; i++) y[i] = VectorMath.exp(x[i]);
    }

    private static void tanhD(double[] x, double[] y) {
        int i = 0;
        for (int e = DS.loopBound(x.length); i < e; i += DS.length()) VectorMath.tanh(DoubleVector.fromArray(DS, x, i)).intoArray(y, i);
        for (; i < x.length; i++) y[i] = VectorMath.tanh(x[i]);
    }

    private static void sinD(double[] x, double[] y) {
        int i = 0;
        for (int e = DS.loopBound(x.length); i < e; i += DS.length()) VectorMath.sin(DoubleVector.fromArray(DS, x, i)).intoArray(y, i);
        for (; i < x.length; i++) y[i] = VectorMath.sin(x[i]);
    }

    private static void logD(double[] x, double[] y) {
        int i = 0;
        for (int e = DS.loopBound(x.length); i < e; i += DS.length()) VectorMath.log(DoubleVector.fromArray(DS, x, i)).intoArray(y, i);
        for (; i < x.length; i++) y[i] = VectorMath.log(x[i]);
    }
}
