package org.ddrl.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.ddrl.kernels.cpu.VectorMath;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * VectorMath against the Vector API's own lanewise operators (SVML intrinsics under C2) on 4096
 * elements held in L1/L2, so the figure is compute, not memory: nanoseconds per call; divide by 4096
 * for the time per element. One loop per benchmark, as in the kernels, so each operator is a constant
 * in its compiled loop. Inputs: exp, tanh, sin, cos in [-8, 8), log and pow bases in (0, 16).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class VectorMathBench {
    static final int N = 4096;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private final float[] xf = new float[N], pf = new float[N], yf = new float[N], of = new float[N];
    private final double[] xd = new double[N], pd = new double[N], yd = new double[N], od = new double[N];

    @Setup
    public void setUp() {
        Random r = new Random(1);
        for (int i = 0; i < N; i++) {
            xd[i] = r.nextDouble() * 16 - 8;
            pd[i] = r.nextDouble() * 16 + 1e-3;
            yd[i] = r.nextDouble() * 8 - 4;
            xf[i] = (float) xd[i];
            pf[i] = (float) pd[i];
            yf[i] = (float) yd[i];
        }
    }

    // ------------------------------------------------------------------ F32

    @Benchmark public float[] expF32Lanewise() {
        for (int i = 0; i < N; i += F.length()) FloatVector.fromArray(F, xf, i).lanewise(VectorOperators.EXP).intoArray(of, i);
        return of;
    }

    @Benchmark public float[] expF32VectorMath() {
        for (int i = 0; i < N; i += F.length()) VectorMath.exp(FloatVector.fromArray(F, xf, i)).intoArray(of, i);
        return of;
    }

    @Benchmark public float[] tanhF32Lanewise() {
        for (int i = 0; i < N; i += F.length()) FloatVector.fromArray(F, xf, i).lanewise(VectorOperators.TANH).intoArray(of, i);
        return of;
    }

    @Benchmark public float[] tanhF32VectorMath() {
        for (int i = 0; i < N; i += F.length()) VectorMath.tanh(FloatVector.fromArray(F, xf, i)).intoArray(of, i);
        return of;
    }

    @Benchmark public float[] logF32Lanewise() {
        for (int i = 0; i < N; i += F.length()) FloatVector.fromArray(F, pf, i).lanewise(VectorOperators.LOG).intoArray(of, i);
        return of;
    }

    @Benchmark public float[] logF32VectorMath() {
        for (int i = 0; i < N; i += F.length()) VectorMath.log(FloatVector.fromArray(F, pf, i)).intoArray(of, i);
        return of;
    }

    @Benchmark public float[] sinF32Lanewise() {
        for (int i = 0; i < N; i += F.length()) FloatVector.fromArray(F, xf, i).lanewise(VectorOperators.SIN).intoArray(of, i);
        return of;
    }

    @Benchmark public float[] sinF32VectorMath() {
        for (int i = 0; i < N; i += F.length()) VectorMath.sin(FloatVector.fromArray(F, xf, i)).intoArray(of, i);
        return of;
    }

    @Benchmark public float[] sigmoidF32VectorMath() {
        for (int i = 0; i < N; i += F.length()) VectorMath.sigmoid(FloatVector.fromArray(F, xf, i)).intoArray(of, i);
        return of;
    }

    @Benchmark public float[] powF32Lanewise() {
        for (int i = 0; i < N; i += F.length()) {
            FloatVector.fromArray(F, pf, i).lanewise(VectorOperators.POW, FloatVector.fromArray(F, yf, i)).intoArray(of, i);
        }
        return of;
    }

    @Benchmark public float[] powF32VectorMath() {
        for (int i = 0; i < N; i += F.length()) VectorMath.pow(FloatVector.fromArray(F, pf, i), FloatVector.fromArray(F, yf, i)).intoArray(of, i);
        return of;
    }

    // ------------------------------------------------------------------ F64

    @Benchmark public double[] expF64Lanewise() {
        for (int i = 0; i < N; i += D.length()) DoubleVector.fromArray(D, xd, i).lanewise(VectorOperators.EXP).intoArray(od, i);
        return od;
    }

    @Benchmark public double[] expF64VectorMath() {
        for (int i = 0; i < N; i += D.length()) VectorMath.exp(DoubleVector.fromArray(D, xd, i)).intoArray(od, i);
        return od;
    }

    @Benchmark public double[] tanhF64Lanewise() {
        for (int i = 0; i < N; i += D.length()) DoubleVector.fromArray(D, xd, i).lanewise(VectorOperators.TANH).intoArray(od, i);
        return od;
    }

    @Benchmark public double[] tanhF64VectorMath() {
        for (int i = 0; i < N; i += D.length()) VectorMath.tanh(DoubleVector.fromArray(D, xd, i)).intoArray(od, i);
        return od;
    }

    @Benchmark public double[] logF64Lanewise() {
        for (int i = 0; i < N; i += D.length()) DoubleVector.fromArray(D, pd, i).lanewise(VectorOperators.LOG).intoArray(od, i);
        return od;
    }

    @Benchmark public double[] logF64VectorMath() {
        for (int i = 0; i < N; i += D.length()) VectorMath.log(DoubleVector.fromArray(D, pd, i)).intoArray(od, i);
        return od;
    }

    @Benchmark public double[] sinF64Lanewise() {
        for (int i = 0; i < N; i += D.length()) DoubleVector.fromArray(D, xd, i).lanewise(VectorOperators.SIN).intoArray(od, i);
        return od;
    }

    @Benchmark public double[] sinF64VectorMath() {
        for (int i = 0; i < N; i += D.length()) VectorMath.sin(DoubleVector.fromArray(D, xd, i)).intoArray(od, i);
        return od;
    }

    @Benchmark public double[] powF64Lanewise() {
        for (int i = 0; i < N; i += D.length()) {
            DoubleVector.fromArray(D, pd, i).lanewise(VectorOperators.POW, DoubleVector.fromArray(D, yd, i)).intoArray(od, i);
        }
        return od;
    }

    @Benchmark public double[] powF64VectorMath() {
        for (int i = 0; i < N; i += D.length()) VectorMath.pow(DoubleVector.fromArray(D, pd, i), DoubleVector.fromArray(D, yd, i)).intoArray(od, i);
        return od;
    }
}
