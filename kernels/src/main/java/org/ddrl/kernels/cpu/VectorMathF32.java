package org.ddrl.kernels.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The single-precision functions behind {@link VectorMath}, built as {@link VectorMathF64} is (same
 * rules: exactly specified operations only, a scalar twin per function doing the same operations).
 * exp, log, log1p, tanh and sigmoid run in float; sin, cos and pow widen to double, run the F64
 * kernels and round once, which makes them nearly correctly rounded without a float argument
 * reduction (the hard part of float sin/cos for large arguments) or an extended-precision float log.
 */
final class VectorMathF32 {
    private VectorMathF32() {}

    static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    /** The double species of the same bit size, so one float vector widens into two of these. */
    static final VectorSpecies<Double> DS = VectorSpecies.of(double.class, FS.vectorShape());

    private static final float SHIFT = 0x1.8p23f;
    private static final int SHIFT_BITS = Float.floatToRawIntBits(SHIFT);
    private static final float INF = Float.POSITIVE_INFINITY;
    private static final int SIGN = 0x80000000;

    // ------------------------------------------------------------------ exp

    private static final float LOG2E = 1.44269504f;
    /** ln 2 with 9 trailing zero bits (n * LN2_HI exact for |n| < 256) and the rest. */
    private static final float LN2_HI = 0.693145751953125f, LN2_LO = 1.4286068203094173e-06f;
    private static final float EXP_LO = -104f, EXP_HI = 89f;
    // exp(r) = 1 + r + r^2 Q(r) on |r| <= ln2 / 2: a Chebyshev fit of (e^r - 1 - r) / r^2 (error < 1.1e-8 of e^r)
    private static final float E0 = 0.5f, E1 = 0.1666657702559799f, E2 = 0.041666554662050534f,
            E3 = 0.008363173074513711f, E4 = 0.001392617611993558f;
    /** For |n| <= 125, p 2^n is a normal float for every p in [0.7, 1.42], so one multiply by 2^n is exact. */
    private static final float ONE_SCALE = 125f;

    /**
     * e^x: n = round(x / ln 2), r = x - n ln 2 (Cody-Waite, the first step exact), e^r by polynomial, then
     * times 2^n. Where some lane needs |n| > 125 (results near overflow, subnormal or zero, and NaN-free
     * huge inputs) the vector takes {@link #expWide}, which applies 2^n as two factors so the result is
     * rounded once; elsewhere p 2^n is exact either way, so both paths give the same bits.
     */
    static FloatVector exp(FloatVector x) {
        FloatVector t = x.lanewise(VectorOperators.FMA, LOG2E, SHIFT);
        FloatVector n = t.sub(SHIFT);
        if (n.abs().compare(VectorOperators.GT, ONE_SCALE).anyTrue()) return expWide(x);
        FloatVector p = expPoly(n.lanewise(VectorOperators.FMA, -LN2_LO, x.sub(n.mul(LN2_HI))));
        return p.mul(t.reinterpretAsInts().add(127 - SHIFT_BITS).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
    }

    private static FloatVector expWide(FloatVector x) {
        FloatVector xc = x.max(EXP_LO).min(EXP_HI);
        FloatVector t = xc.lanewise(VectorOperators.FMA, LOG2E, SHIFT);
        FloatVector n = t.sub(SHIFT);
        FloatVector p = expPoly(n.lanewise(VectorOperators.FMA, -LN2_LO, xc.sub(n.mul(LN2_HI))));
        IntVector ni = t.reinterpretAsInts().sub(SHIFT_BITS);
        IntVector n1 = ni.lanewise(VectorOperators.ASHR, 1);
        FloatVector s1 = n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = ni.sub(n1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(s1).mul(s2);
    }

    private static FloatVector expPoly(FloatVector r) {
        FloatVector q = r.lanewise(VectorOperators.FMA, E4, E3).lanewise(VectorOperators.FMA, r, r.broadcast(E2))
                .lanewise(VectorOperators.FMA, r, r.broadcast(E1)).lanewise(VectorOperators.FMA, r, r.broadcast(E0));
        return r.mul(r).lanewise(VectorOperators.FMA, q, r).add(1f);
    }

    static float exp(float x) {
        float xc = Math.min(Math.max(x, EXP_LO), EXP_HI);
        float t = Math.fma(xc, LOG2E, SHIFT);
        float n = t - SHIFT;
        float r = Math.fma(n, -LN2_LO, xc - n * LN2_HI);
        float q = Math.fma(Math.fma(Math.fma(Math.fma(r, E4, E3), r, E2), r, E1), r, E0);
        float p = Math.fma(r * r, q, r) + 1f;
        int ni = Float.floatToRawIntBits(t) - SHIFT_BITS;
        int n1 = ni >> 1;
        return p * Float.intBitsToFloat((n1 + 127) << 23) * Float.intBitsToFloat((ni - n1 + 127) << 23);
    }

    // ------------------------------------------------------------------ sigmoid

    /**
     * 1 / (1 + e^-x) for x >= 0 and e^x / (1 + e^x) for x < 0, both as n / (1 + e) with e = e^-|x| and
     * n = 1 or e: one exp, no overflow, subnormal results for very negative x. 1 + e is kept as d + dl
     * (exact) and the quotient gets one Newton correction from the residual n - q (d + dl), so the error
     * is that of exp plus one rounding.
     */
    static FloatVector sigmoid(FloatVector x) {
        FloatVector e = exp(x.abs().neg());
        FloatVector num = x.broadcast(1f).blend(e, x.compare(VectorOperators.LT, 0f));
        FloatVector d = e.add(1f);
        FloatVector dl = x.broadcast(1f).sub(d).add(e);
        FloatVector rd = x.broadcast(1f).div(d);
        FloatVector q = num.mul(rd);
        FloatVector r = q.neg().lanewise(VectorOperators.FMA, d, num).sub(q.mul(dl));
        return r.lanewise(VectorOperators.FMA, rd, q);
    }

    static float sigmoid(float x) {
        float e = exp(-Math.abs(x));
        float num = x < 0 ? e : 1f;
        float d = e + 1f;
        float dl = (1f - d) + e;
        float rd = 1f / d;
        float q = num * rd;
        float r = Math.fma(-q, d, num) - q * dl;
        return Math.fma(r, rd, q);
    }

    // ------------------------------------------------------------------ log

    private static final int SQRT_HALF_BITS = Float.floatToRawIntBits(0.70710677f);
    private static final int MANTISSA = 0x007fffff;
    private static final float TWO23 = 0x1p23f;
    // log(1 + f) = f - f^2/2 + f^3 P(f) on f in [sqrt(1/2) - 1, sqrt 2 - 1]: a Chebyshev fit of P
    private static final float L0 = 0.33333331180030046f, L1 = -0.24999996957950882f, L2 = 0.200007157488921f,
            L3 = -0.16667802319501254f, L4 = 0.1424905764569748f, L5 = -0.12425687331451106f,
            L6 = 0.1168541992348674f, L7 = -0.11479733846637635f, L8 = 0.06971611471451178f;

    /**
     * log x: x = 2^k m with m in [sqrt(1/2), sqrt 2), f = m - 1 exact, a polynomial in f (no division),
     * k ln 2 added in two parts. Subnormals are scaled by 2^23 first; 0 gives -inf, negative x NaN.
     */
    static FloatVector log(FloatVector x) {
        VectorMask<Float> sub = x.compare(VectorOperators.LT, Float.MIN_NORMAL);
        IntVector ix = x.blend(x.mul(TWO23), sub).reinterpretAsInts().sub(SQRT_HALF_BITS);
        FloatVector k = ix.lanewise(VectorOperators.ASHR, 23).add(SHIFT_BITS).reinterpretAsFloats().sub(SHIFT);
        k = k.blend(k.sub(23f), sub);
        FloatVector f = ix.and(MANTISSA).add(SQRT_HALF_BITS).reinterpretAsFloats().sub(1f);
        FloatVector p = f.lanewise(VectorOperators.FMA, L8, L7).lanewise(VectorOperators.FMA, f, f.broadcast(L6))
                .lanewise(VectorOperators.FMA, f, f.broadcast(L5)).lanewise(VectorOperators.FMA, f, f.broadcast(L4))
                .lanewise(VectorOperators.FMA, f, f.broadcast(L3)).lanewise(VectorOperators.FMA, f, f.broadcast(L2))
                .lanewise(VectorOperators.FMA, f, f.broadcast(L1)).lanewise(VectorOperators.FMA, f, f.broadcast(L0));
        FloatVector y = f.mul(f).lanewise(VectorOperators.FMA, f.lanewise(VectorOperators.FMA, p, f.broadcast(-0.5f)), f);
        y = k.lanewise(VectorOperators.FMA, LN2_HI, k.lanewise(VectorOperators.FMA, LN2_LO, y));
        y = y.blend(x, x.compare(VectorOperators.LT, INF).not());
        y = y.blend(Float.NaN, x.compare(VectorOperators.LT, 0f));
        return y.blend(Float.NEGATIVE_INFINITY, x.compare(VectorOperators.EQ, 0f));
    }

    static float log(float x) {
        if (!(x < INF)) return x;
        if (x < 0) return Float.NaN;
        if (x == 0) return Float.NEGATIVE_INFINITY;
        boolean sub = x < Float.MIN_NORMAL;
        int ix = Float.floatToRawIntBits(sub ? x * TWO23 : x) - SQRT_HALF_BITS;
        float k = Float.intBitsToFloat((ix >> 23) + SHIFT_BITS) - SHIFT;
        if (sub) k = k - 23f;
        float f = Float.intBitsToFloat((ix & MANTISSA) + SQRT_HALF_BITS) - 1f;
        float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(
                f, L8, L7), f, L6), f, L5), f, L4), f, L3), f, L2), f, L1), f, L0);
        float y = Math.fma(f * f, Math.fma(f, p, -0.5f), f);
        return Math.fma(k, LN2_HI, Math.fma(k, LN2_LO, y));
    }

    // ------------------------------------------------------------------ log1p

    /** log(1 + x) as log(u) + (x - (u - 1)) / u, u = 1 + x rounded (see VectorMathF64.log1p). */
    static FloatVector log1p(FloatVector x) {
        FloatVector u = x.add(1f);
        FloatVector c = x.sub(u.sub(1f)).div(u);
        FloatVector y = log(u).add(c.blend(0f, c.compare(VectorOperators.NE, c)));
        return y.blend(x, x.compare(VectorOperators.EQ, 0f).or(x.compare(VectorOperators.EQ, INF)));
    }

    static float log1p(float x) {
        float u = x + 1f;
        float c = (x - (u - 1f)) / u;
        float y = log(u) + (c != c ? 0f : c);
        return x == 0 || x == INF ? x : y;
    }

    // ------------------------------------------------------------------ tanh

    private static final float TANH_SPLIT = 0.625f;
    // tanh x = x + x^3 P(x^2) on |x| <= 0.625: a Chebyshev fit of P
    private static final float T0 = -0.3333333317214036f, T1 = 0.1333330355691574f, T2 = -0.053959259577204544f,
            T3 = 0.02176891865102821f, T4 = -0.008343945515839153f, T5 = 0.002292744816178142f;

    /** As VectorMathF64.tanh: odd polynomial below 0.625, 1 - 2 / (e^{2|x|} + 1) above, sign put back by bits. */
    static FloatVector tanh(FloatVector x) {
        FloatVector a = x.abs();
        FloatVector z = a.mul(a);
        FloatVector p = z.lanewise(VectorOperators.FMA, T5, T4).lanewise(VectorOperators.FMA, z, z.broadcast(T3))
                .lanewise(VectorOperators.FMA, z, z.broadcast(T2)).lanewise(VectorOperators.FMA, z, z.broadcast(T1))
                .lanewise(VectorOperators.FMA, z, z.broadcast(T0));
        FloatVector small = a.mul(z).lanewise(VectorOperators.FMA, p, a);
        FloatVector big = x.broadcast(1f).sub(x.broadcast(2f).div(exp(a.mul(2f)).add(1f)));
        FloatVector t = big.blend(small, a.compare(VectorOperators.LT, TANH_SPLIT));
        return t.reinterpretAsInts().or(x.reinterpretAsInts().and(SIGN)).reinterpretAsFloats();
    }

    static float tanh(float x) {
        float a = Math.abs(x);
        float t;
        if (a < TANH_SPLIT) {
            float z = a * a;
            float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(z, T5, T4), z, T3), z, T2), z, T1), z, T0);
            t = Math.fma(a * z, p, a);
        } else {
            t = 1f - 2f / (exp(a * 2f) + 1f);
        }
        return Float.intBitsToFloat(Float.floatToRawIntBits(t) | (Float.floatToRawIntBits(x) & SIGN));
    }

    // ------------------------------------------------------------------ through double: sin, cos, pow

    static FloatVector sin(FloatVector x) {
        requirePreferred("sin", x);
        return narrow(VectorMathF64.sin(widen(x, 0)), VectorMathF64.sin(widen(x, 1)));
    }

    static float sin(float x) {
        return (float) VectorMathF64.sin(x);
    }

    static FloatVector cos(FloatVector x) {
        requirePreferred("cos", x);
        return narrow(VectorMathF64.cos(widen(x, 0)), VectorMathF64.cos(widen(x, 1)));
    }

    static float cos(float x) {
        return (float) VectorMathF64.cos(x);
    }

    static FloatVector pow(FloatVector x, FloatVector y) {
        requirePreferred("pow", x);
        return narrow(VectorMathF64.pow(widen(x, 0), widen(y, 0)), VectorMathF64.pow(widen(x, 1), widen(y, 1)));
    }

    static float pow(float x, float y) {
        return (float) VectorMathF64.pow(x, y);
    }

    private static DoubleVector widen(FloatVector x, int part) {
        return (DoubleVector) x.convertShape(VectorOperators.F2D, DS, part);
    }

    /** The two halves rounded to float and put side by side (OR of bits: the unused lanes convert to +0). */
    private static FloatVector narrow(DoubleVector lo, DoubleVector hi) {
        IntVector a = ((FloatVector) lo.convertShape(VectorOperators.D2F, FS, 0)).reinterpretAsInts();
        IntVector b = ((FloatVector) hi.convertShape(VectorOperators.D2F, FS, -1)).reinterpretAsInts();
        return a.or(b).reinterpretAsFloats();
    }

    private static void requirePreferred(String op, FloatVector x) {
        if (x.species() != FS) {
            throw new IllegalArgumentException("VectorMath." + op + ": float vectors of species " + FS
                    + " only (it widens to " + DS + "), got " + x.species());
        }
    }
}
