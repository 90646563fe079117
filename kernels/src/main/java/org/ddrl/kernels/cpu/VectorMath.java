package org.ddrl.kernels.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;

/**
 * Transcendental functions on Vector API lanes that give the same bits in every JIT tier.
 *
 * <p>{@code lanewise(VectorOperators.EXP)} and its kin run per-lane StrictMath/Math code while a loop
 * is interpreted or C1-compiled and the SVML intrinsics once C2 has compiled it, and the two differ in
 * the last bit for a few percent of inputs; a forward pass would then not reproduce its own outputs
 * (an RL ratio recomputed with unchanged weights would not be exactly 1). These functions are built
 * from operations IEEE 754 specifies exactly (add, mul, div, fma, min/max, comparisons, blends, bit
 * reinterpretation): a range reduction, a polynomial fitted for the reduced range, and a rescale.
 *
 * <p>Each vector function has a scalar twin performing the same operations in the same order, so the
 * scalar tail of a loop gives exactly what a lane would. Special values follow Math: exp(-inf) = 0,
 * log(0) = -inf, log of a negative number NaN, -0 kept by odd functions, NaN propagated; pow follows
 * Math.pow's special cases. Accuracy (measured by the tests against StrictMath): within 2 ulp of the
 * exact result in float, 2-3 ulp in double. F32 sin, cos and pow run in double internally, so their
 * float vectors must be of the preferred species.
 */
public final class VectorMath {
    private VectorMath() {}

    public static FloatVector exp(FloatVector x) { return VectorMathF32.exp(x); }
    public static float exp(float x) { return VectorMathF32.exp(x); }
    public static DoubleVector exp(DoubleVector x) { return VectorMathF64.exp(x); }
    public static double exp(double x) { return VectorMathF64.exp(x); }

    public static FloatVector log(FloatVector x) { return VectorMathF32.log(x); }
    public static float log(float x) { return VectorMathF32.log(x); }
    public static DoubleVector log(DoubleVector x) { return VectorMathF64.log(x); }
    public static double log(double x) { return VectorMathF64.log(x); }

    public static FloatVector log1p(FloatVector x) { return VectorMathF32.log1p(x); }
    public static float log1p(float x) { return VectorMathF32.log1p(x); }
    public static DoubleVector log1p(DoubleVector x) { return VectorMathF64.log1p(x); }
    public static double log1p(double x) { return VectorMathF64.log1p(x); }

    public static FloatVector tanh(FloatVector x) { return VectorMathF32.tanh(x); }
    public static float tanh(float x) { return VectorMathF32.tanh(x); }
    public static DoubleVector tanh(DoubleVector x) { return VectorMathF64.tanh(x); }
    public static double tanh(double x) { return VectorMathF64.tanh(x); }

    /** 1 / (1 + e^-x). */
    public static FloatVector sigmoid(FloatVector x) { return VectorMathF32.sigmoid(x); }
    public static float sigmoid(float x) { return VectorMathF32.sigmoid(x); }
    public static DoubleVector sigmoid(DoubleVector x) { return VectorMathF64.sigmoid(x); }
    public static double sigmoid(double x) { return VectorMathF64.sigmoid(x); }

    public static FloatVector sin(FloatVector x) { return VectorMathF32.sin(x); }
    public static float sin(float x) { return VectorMathF32.sin(x); }
    public static DoubleVector sin(DoubleVector x) { return VectorMathF64.sin(x); }
    public static double sin(double x) { return VectorMathF64.sin(x); }

    public static FloatVector cos(FloatVector x) { return VectorMathF32.cos(x); }
    public static float cos(float x) { return VectorMathF32.cos(x); }
    public static DoubleVector cos(DoubleVector x) { return VectorMathF64.cos(x); }
    public static double cos(double x) { return VectorMathF64.cos(x); }

    /** x^y with Math.pow's special cases (note: integral results are not guaranteed exact, as they are for Math.pow). */
    public static FloatVector pow(FloatVector x, FloatVector y) { return VectorMathF32.pow(x, y); }
    public static float pow(float x, float y) { return VectorMathF32.pow(x, y); }
    public static DoubleVector pow(DoubleVector x, DoubleVector y) { return VectorMathF64.pow(x, y); }
    public static double pow(double x, double y) { return VectorMathF64.pow(x, y); }
}
