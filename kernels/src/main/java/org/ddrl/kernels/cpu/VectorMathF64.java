package org.ddrl.kernels.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * The double-precision functions behind {@link VectorMath}. Every vector function has a scalar twin
 * right below it that performs the same IEEE operations in the same order (Math.fma where the vector
 * code fuses), so a lane and a scalar element give the same bits. Only add, mul, div, fma, min/max,
 * comparisons, blends and bit reinterpretation are used: those are exactly specified, so the
 * interpreter, C1 and C2 agree.
 *
 * <p>Rounding to an integer uses the 1.5 * 2^52 trick: adding it pushes the fraction bits out, and the
 * integer sits in the low bits of the sum, where a reinterpretation as long picks it up.
 */
final class VectorMathF64 {
    private VectorMathF64() {}

    static final double SHIFT = 0x1.8p52;
    static final long SHIFT_BITS = Double.doubleToRawLongBits(SHIFT);
    private static final double INF = Double.POSITIVE_INFINITY;

    // ------------------------------------------------------------------ exp

    static final double LOG2E = 1.4426950408889634;
    /** ln 2 split so that n * LN2_HI is exact for |n| < 2^21 (the low 21 bits of LN2_HI are zero). */
    static final double LN2_HI = 6.93147180369123816490e-01;
    static final double LN2_LO = 1.90821492927058770002e-10;
    /** Beyond these exp is 0 or +inf anyway; clamping keeps 2^n inside the two-factor scaling below. */
    private static final double EXP_LO = -746, EXP_HI = 710;
    // exp(r) = 1 + r + r^2 Q(r) on |r| <= ln2 / 2: a Chebyshev fit of (e^r - 1 - r) / r^2 (error < 2e-17 relative)
    private static final double E0 = 0.5000000000000001, E1 = 0.16666666666666669, E2 = 0.041666666666624164,
            E3 = 0.008333333333330065, E4 = 0.0013888888917196719, E5 = 0.00019841269863040545,
            E6 = 2.4801521322368692e-05, E7 = 2.7557268480310024e-06, E8 = 2.7620075879983367e-07,
            E9 = 2.5100375832561234e-08;

    /** For |n| <= 1020, p 2^n is a normal double for every p in [0.7, 1.42], so one multiply by 2^n is exact. */
    private static final double ONE_SCALE = 1020;

    /**
     * e^x: n = round(x / ln 2), r = x - n ln 2 (Cody-Waite, exact first step), e^r by polynomial, then
     * times 2^n. Where some lane needs |n| > 1020 (results near overflow, subnormal or zero) the vector
     * goes through {@link #expReduced}, which applies 2^n as two factors 2^(n/2) and 2^(n - n/2) so the
     * result is rounded once, by the last multiply; elsewhere p 2^n is exact both ways, same bits.
     */
    static DoubleVector exp(DoubleVector x) {
        DoubleVector t = x.lanewise(VectorOperators.FMA, LOG2E, SHIFT);
        DoubleVector n = t.sub(SHIFT);
        if (n.abs().compare(VectorOperators.GT, ONE_SCALE).anyTrue()) return expWide(x);
        DoubleVector p = expPoly(n.lanewise(VectorOperators.FMA, -LN2_LO, x.sub(n.mul(LN2_HI))));
        return p.mul(t.reinterpretAsLongs().add(1023 - SHIFT_BITS).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles());
    }

    private static DoubleVector expWide(DoubleVector x) {
        DoubleVector xc = x.max(EXP_LO).min(EXP_HI);
        DoubleVector t = xc.lanewise(VectorOperators.FMA, LOG2E, SHIFT);
        DoubleVector n = t.sub(SHIFT);
        return expReduced(n.lanewise(VectorOperators.FMA, -LN2_LO, xc.sub(n.mul(LN2_HI))), t);
    }

    /** e^r * 2^n for |r| <= ln2 / 2 (a little more is fine), t = SHIFT + n. */
    private static DoubleVector expReduced(DoubleVector r, DoubleVector t) {
        return scale(expPoly(r), t);
    }

    private static DoubleVector expPoly(DoubleVector r) {
        DoubleVector q = r.lanewise(VectorOperators.FMA, E9, E8).lanewise(VectorOperators.FMA, r, r.broadcast(E7))
                .lanewise(VectorOperators.FMA, r, r.broadcast(E6)).lanewise(VectorOperators.FMA, r, r.broadcast(E5))
                .lanewise(VectorOperators.FMA, r, r.broadcast(E4)).lanewise(VectorOperators.FMA, r, r.broadcast(E3))
                .lanewise(VectorOperators.FMA, r, r.broadcast(E2)).lanewise(VectorOperators.FMA, r, r.broadcast(E1))
                .lanewise(VectorOperators.FMA, r, r.broadcast(E0));
        return r.mul(r).lanewise(VectorOperators.FMA, q, r).add(1);
    }

    static double exp(double x) {
        double xc = Math.min(Math.max(x, EXP_LO), EXP_HI);
        double t = Math.fma(xc, LOG2E, SHIFT);
        double n = t - SHIFT;
        return expReduced(Math.fma(n, -LN2_LO, xc - n * LN2_HI), t);
    }

    private static double expReduced(double r, double t) {
        double r2 = r * r;
        double q = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(
                r, E9, E8), r, E7), r, E6), r, E5), r, E4), r, E3), r, E2), r, E1), r, E0);
        return scale(Math.fma(r2, q, r) + 1, t);
    }

    /** p * 2^n where t = SHIFT + n. */
    private static DoubleVector scale(DoubleVector p, DoubleVector t) {
        LongVector n = t.reinterpretAsLongs().sub(SHIFT_BITS);
        LongVector n1 = n.lanewise(VectorOperators.ASHR, 1);
        DoubleVector s1 = n1.add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
        DoubleVector s2 = n.sub(n1).add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
        return p.mul(s1).mul(s2);
    }

    private static double scale(double p, double t) {
        long n = Double.doubleToRawLongBits(t) - SHIFT_BITS;
        long n1 = n >> 1;
        return p * Double.longBitsToDouble((n1 + 1023) << 52) * Double.longBitsToDouble((n - n1 + 1023) << 52);
    }

    // ------------------------------------------------------------------ sigmoid

    /**
     * 1 / (1 + e^-x) for x >= 0 and e^x / (1 + e^x) for x < 0, both as n / (1 + e) with e = e^-|x| and
     * n = 1 or e: one exp, no overflow, subnormal results for very negative x. 1 + e is kept as d + dl
     * (exact) and the quotient gets one Newton correction from the residual n - q (d + dl), so the error
     * is that of exp plus one rounding.
     */
    static DoubleVector sigmoid(DoubleVector x) {
        DoubleVector e = exp(x.abs().neg());
        DoubleVector num = x.broadcast(1).blend(e, x.compare(VectorOperators.LT, 0));
        DoubleVector d = e.add(1);
        DoubleVector dl = x.broadcast(1).sub(d).add(e);
        DoubleVector rd = x.broadcast(1).div(d);
        DoubleVector q = num.mul(rd);
        DoubleVector r = q.neg().lanewise(VectorOperators.FMA, d, num).sub(q.mul(dl));
        return r.lanewise(VectorOperators.FMA, rd, q);
    }

    static double sigmoid(double x) {
        double e = exp(-Math.abs(x));
        double num = x < 0 ? e : 1;
        double d = e + 1;
        double dl = (1 - d) + e;
        double rd = 1 / d;
        double q = num * rd;
        double r = Math.fma(-q, d, num) - q * dl;
        return Math.fma(r, rd, q);
    }

    // ------------------------------------------------------------------ log

    private static final long SQRT_HALF_BITS = Double.doubleToRawLongBits(0.7071067811865476);
    private static final long MANTISSA = 0x000fffffffffffffL;
    private static final double TWO54 = 0x1p54;
    // 2 atanh(s) = 2s + s z R(z), z = s^2, |s| <= 0.1716: a Chebyshev fit of R (error < 4e-16 of R, s z R < 0.004)
    private static final double L1 = 0.666666666666667, L2 = 0.39999999999899505, L3 = 0.28571428625975487,
            L4 = 0.2222221113479508, L5 = 0.18182889125261723, L6 = 0.15331721600556042, L7 = 0.14616449685043406;

    /**
     * log x: x = 2^e m with m in [sqrt(1/2), sqrt 2), f = m - 1 (exact), and log(1 + f) = 2 atanh(s) with
     * s = f / (2 + f), written as f - (f^2/2 - s (f^2/2 + R)) so the big terms are exact. Subnormal x are
     * scaled by 2^54 first. 0 gives -inf, negative x NaN, +inf and NaN themselves.
     */
    static DoubleVector log(DoubleVector x) {
        VectorMask<Double> sub = x.compare(VectorOperators.LT, Double.MIN_NORMAL);
        DoubleVector xs = x.blend(x.mul(TWO54), sub);
        LongVector ix = xs.reinterpretAsLongs().sub(SQRT_HALF_BITS);
        LongVector e = ix.lanewise(VectorOperators.ASHR, 52);
        DoubleVector f = ix.and(MANTISSA).add(SQRT_HALF_BITS).reinterpretAsDoubles().sub(1);
        DoubleVector k = e.add(SHIFT_BITS).reinterpretAsDoubles().sub(SHIFT);
        k = k.blend(k.sub(54), sub);
        DoubleVector s = f.div(f.add(2));
        DoubleVector z = s.mul(s);
        DoubleVector rp = z.lanewise(VectorOperators.FMA, L7, L6).lanewise(VectorOperators.FMA, z, z.broadcast(L5))
                .lanewise(VectorOperators.FMA, z, z.broadcast(L4)).lanewise(VectorOperators.FMA, z, z.broadcast(L3))
                .lanewise(VectorOperators.FMA, z, z.broadcast(L2)).lanewise(VectorOperators.FMA, z, z.broadcast(L1));
        DoubleVector hfsq = f.mul(f).mul(0.5);
        DoubleVector lo = k.lanewise(VectorOperators.FMA, LN2_LO, s.mul(z.lanewise(VectorOperators.FMA, rp, hfsq)));
        DoubleVector y = k.lanewise(VectorOperators.FMA, LN2_HI, f.sub(hfsq.sub(lo)));
        return logSpecials(x, y);
    }

    private static DoubleVector logSpecials(DoubleVector x, DoubleVector y) {
        y = y.blend(x, x.compare(VectorOperators.LT, INF).not());
        y = y.blend(Double.NaN, x.compare(VectorOperators.LT, 0));
        return y.blend(Double.NEGATIVE_INFINITY, x.compare(VectorOperators.EQ, 0));
    }

    static double log(double x) {
        if (!(x < INF)) return x;
        if (x < 0) return Double.NaN;
        if (x == 0) return Double.NEGATIVE_INFINITY;
        boolean sub = x < Double.MIN_NORMAL;
        double xs = sub ? x * TWO54 : x;
        long ix = Double.doubleToRawLongBits(xs) - SQRT_HALF_BITS;
        long e = ix >> 52;
        double f = Double.longBitsToDouble((ix & MANTISSA) + SQRT_HALF_BITS) - 1;
        double k = Double.longBitsToDouble(e + SHIFT_BITS) - SHIFT;
        if (sub) k = k - 54;
        double s = f / (f + 2);
        double z = s * s;
        double rp = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(z, L7, L6), z, L5), z, L4), z, L3), z, L2), z, L1);
        double hfsq = f * f * 0.5;
        double lo = Math.fma(k, LN2_LO, s * Math.fma(z, rp, hfsq));
        return Math.fma(k, LN2_HI, f - (hfsq - lo));
    }

    // ------------------------------------------------------------------ log1p

    /**
     * log(1 + x) as log(u) + (x - (u - 1)) / u with u = 1 + x rounded: the quotient puts back, to first
     * order, what the rounding of u lost. -0 stays -0, -1 gives -inf, +inf gives +inf.
     */
    static DoubleVector log1p(DoubleVector x) {
        DoubleVector u = x.add(1);
        DoubleVector c = x.sub(u.sub(1)).div(u);
        DoubleVector y = log(u).add(c.blend(0, c.compare(VectorOperators.NE, c)));
        return y.blend(x, x.compare(VectorOperators.EQ, 0).or(x.compare(VectorOperators.EQ, INF)));
    }

    static double log1p(double x) {
        double u = x + 1;
        double c = (x - (u - 1)) / u;
        double y = log(u) + (c != c ? 0 : c);
        return x == 0 || x == INF ? x : y;
    }

    // ------------------------------------------------------------------ tanh

    /** Below this |x| the odd polynomial, above it 1 - 2 / (e^{2|x|} + 1), where tanh >= 0.55 so 1 - q loses nothing. */
    private static final double TANH_SPLIT = 0.625;
    // tanh x = x + x^3 P(x^2) on |x| <= 0.625: a Chebyshev fit of P (error < 4e-18)
    private static final double T0 = -0.3333333333333333, T1 = 0.13333333333333042, T2 = -0.05396825396789699,
            T3 = 0.021869488519008305, T4 = -0.008863235103240878, T5 = 0.0035921217511549622,
            T6 = -0.0014557754120478055, T7 = 0.0005896606577757043, T8 = -0.0002375906496055562,
            T9 = 9.257116129556769e-05, T10 = -3.12011014257974e-05, T11 = 6.485163482793113e-06;
    static final long SIGN = 0x8000000000000000L;

    /** tanh from |x|, the sign put back by bits, so -0 stays -0. */
    static DoubleVector tanh(DoubleVector x) {
        DoubleVector a = x.abs();
        DoubleVector z = a.mul(a);
        DoubleVector p = z.lanewise(VectorOperators.FMA, T11, T10).lanewise(VectorOperators.FMA, z, z.broadcast(T9))
                .lanewise(VectorOperators.FMA, z, z.broadcast(T8)).lanewise(VectorOperators.FMA, z, z.broadcast(T7))
                .lanewise(VectorOperators.FMA, z, z.broadcast(T6)).lanewise(VectorOperators.FMA, z, z.broadcast(T5))
                .lanewise(VectorOperators.FMA, z, z.broadcast(T4)).lanewise(VectorOperators.FMA, z, z.broadcast(T3))
                .lanewise(VectorOperators.FMA, z, z.broadcast(T2)).lanewise(VectorOperators.FMA, z, z.broadcast(T1))
                .lanewise(VectorOperators.FMA, z, z.broadcast(T0));
        DoubleVector small = a.mul(z).lanewise(VectorOperators.FMA, p, a);
        DoubleVector big = x.broadcast(1).sub(x.broadcast(2).div(exp(a.mul(2)).add(1)));
        DoubleVector t = big.blend(small, a.compare(VectorOperators.LT, TANH_SPLIT));
        return t.reinterpretAsLongs().or(x.reinterpretAsLongs().and(SIGN)).reinterpretAsDoubles();
    }

    static double tanh(double x) {
        double a = Math.abs(x);
        double t;
        if (a < TANH_SPLIT) {
            double z = a * a;
            double p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(
                    z, T11, T10), z, T9), z, T8), z, T7), z, T6), z, T5), z, T4), z, T3), z, T2), z, T1), z, T0);
            t = Math.fma(a * z, p, a);
        } else {
            t = 1 - 2 / (exp(a * 2) + 1);
        }
        return Double.longBitsToDouble(Double.doubleToRawLongBits(t) | (Double.doubleToRawLongBits(x) & SIGN));
    }

    // ------------------------------------------------------------------ sin, cos

    private static final double TWO_OVER_PI = 0.6366197723675814;
    /** pi/2 in three 33-bit pieces (n * piece is exact for n < 2^20) and a tail. */
    private static final double PIO2_1 = 1.57079632673412561417e+00, PIO2_2 = 6.07710050630396597660e-11,
            PIO2_3 = 2.02226624871116645580e-21, PIO2_3T = 8.47842766036889956997e-32;
    /** Up to here n < 2^20 and the three-piece reduction is exact to well below an ulp; beyond, StrictMath per element. */
    static final double TRIG_MAX = 0x1p20 * 1.5707963267948966;
    /** Below this sin x rounds to x itself (and the reduction would lose the sign of -0). */
    private static final double SIN_TINY = 0x1p-27;
    // sin r = r + r^3 S(r^2), cos r = 1 - r^2/2 + r^4 C(r^2) on |r| <= pi/4: Chebyshev fits of S and C
    private static final double S0 = -0.16666666666666666, S1 = 0.008333333333330948, S2 = -0.00019841269836758574,
            S3 = 2.755731610255244e-06, S4 = -2.5051131845003624e-08, S5 = 1.5918129294866608e-10;
    private static final double C0 = 0.041666666666666664, C1 = -0.0013888888888887398, C2 = 2.480158729876569e-05,
            C3 = -2.7557317271729793e-07, C4 = 2.08761462684032e-09, C5 = -1.1382632425521717e-11;

    static DoubleVector sin(DoubleVector x) {
        return trig(x, false);
    }

    static DoubleVector cos(DoubleVector x) {
        return trig(x, true);
    }

    /**
     * x = n pi/2 + (rh + rl), rh + rl exact to ~2^-100 from the three exact products; then the sine and
     * cosine polynomials of the remainder, picked and signed by n mod 4.
     */
    // One method, on purpose: too big for the JIT to inline into a loop, it is compiled on its own with
    // every Vector API call intrinsified and one vector boxed in and out, which is cheaper than a
    // partial inlining that stops (node-count cutoff) at a helper taking several vectors.
    private static DoubleVector trig(DoubleVector x, boolean cos) {
        DoubleVector t = x.lanewise(VectorOperators.FMA, TWO_OVER_PI, SHIFT);
        DoubleVector n = t.sub(SHIFT);
        DoubleVector t1 = n.lanewise(VectorOperators.FMA, -PIO2_1, x);
        // two two-sums keep the rounding errors of t1 - n p2 and t2 - n p3
        DoubleVector w2 = n.mul(PIO2_2);
        DoubleVector t2 = t1.sub(w2);
        DoubleVector v2 = t2.sub(t1);
        DoubleVector e2 = t1.sub(t2.sub(v2)).sub(w2.add(v2));
        DoubleVector w3 = n.mul(PIO2_3);
        DoubleVector t3 = t2.sub(w3);
        DoubleVector v3 = t3.sub(t2);
        DoubleVector e3 = t2.sub(t3.sub(v3)).sub(w3.add(v3));
        DoubleVector lo = n.lanewise(VectorOperators.FMA, -PIO2_3T, e2.add(e3));
        DoubleVector rh = t3.add(lo);
        DoubleVector rl = lo.sub(rh.sub(t3));
        DoubleVector z = rh.mul(rh);
        DoubleVector sp = z.lanewise(VectorOperators.FMA, S5, S4).lanewise(VectorOperators.FMA, z, z.broadcast(S3))
                .lanewise(VectorOperators.FMA, z, z.broadcast(S2)).lanewise(VectorOperators.FMA, z, z.broadcast(S1))
                .lanewise(VectorOperators.FMA, z, z.broadcast(S0));
        DoubleVector sinr = rh.add(rh.mul(z).lanewise(VectorOperators.FMA, sp, z.mul(-0.5).lanewise(VectorOperators.FMA, rl, rl)));
        DoubleVector cp = z.lanewise(VectorOperators.FMA, C5, C4).lanewise(VectorOperators.FMA, z, z.broadcast(C3))
                .lanewise(VectorOperators.FMA, z, z.broadcast(C2)).lanewise(VectorOperators.FMA, z, z.broadcast(C1))
                .lanewise(VectorOperators.FMA, z, z.broadcast(C0));
        DoubleVector hz = z.mul(0.5);
        DoubleVector w = x.broadcast(1).sub(hz);
        DoubleVector cosr = w.add(x.broadcast(1).sub(w).sub(hz).add(z.mul(z).lanewise(VectorOperators.FMA, cp, rh.mul(rl).neg())));
        LongVector q = t.reinterpretAsLongs().sub(SHIFT_BITS);
        VectorMask<Double> swap = q.and(1).compare(VectorOperators.NE, 0).cast(x.species());
        DoubleVector v = cos ? cosr.blend(sinr, swap) : sinr.blend(cosr, swap);
        LongVector sign = (cos ? q.add(1) : q).and(2).lanewise(VectorOperators.LSHL, 62);
        v = v.reinterpretAsLongs().lanewise(VectorOperators.XOR, sign).reinterpretAsDoubles();
        DoubleVector a = x.abs();
        if (!cos) v = v.blend(x, a.compare(VectorOperators.LT, SIN_TINY));
        VectorMask<Double> big = a.compare(VectorOperators.GT, TRIG_MAX);
        return big.anyTrue() ? strictLanes(x, v, big, cos) : v;
    }

    /** The lanes too large for the three-piece reduction, from StrictMath (exact reduction, deterministic). */
    private static DoubleVector strictLanes(DoubleVector x, DoubleVector v, VectorMask<Double> big, boolean cos) {
        double[] xs = x.toArray(), vs = v.toArray();
        for (int i = 0; i < xs.length; i++) {
            if (big.laneIsSet(i)) vs[i] = cos ? StrictMath.cos(xs[i]) : StrictMath.sin(xs[i]);
        }
        return DoubleVector.fromArray(x.species(), vs, 0);
    }

    static double sin(double x) {
        return trig(x, false);
    }

    static double cos(double x) {
        return trig(x, true);
    }

    private static double trig(double x, boolean cos) {
        double a = Math.abs(x);
        if (a > TRIG_MAX) return cos ? StrictMath.cos(x) : StrictMath.sin(x);
        if (!cos && a < SIN_TINY) return x;
        double t = Math.fma(x, TWO_OVER_PI, SHIFT);
        double n = t - SHIFT;
        double t1 = Math.fma(n, -PIO2_1, x);
        double w2 = n * PIO2_2;
        double t2 = t1 - w2;
        double v2 = t2 - t1;
        double e2 = (t1 - (t2 - v2)) - (w2 + v2);
        double w3 = n * PIO2_3;
        double t3 = t2 - w3;
        double v3 = t3 - t2;
        double e3 = (t2 - (t3 - v3)) - (w3 + v3);
        double lo = Math.fma(n, -PIO2_3T, e2 + e3);
        double rh = t3 + lo;
        double rl = lo - (rh - t3);
        double z = rh * rh;
        long q = Double.doubleToRawLongBits(t) - SHIFT_BITS;
        double v;
        if (((q & 1) != 0) == cos) {
            double sp = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(z, S5, S4), z, S3), z, S2), z, S1), z, S0);
            v = rh + Math.fma(rh * z, sp, Math.fma(z * -0.5, rl, rl));
        } else {
            double cp = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(z, C5, C4), z, C3), z, C2), z, C1), z, C0);
            double hz = z * 0.5;
            double w = 1 - hz;
            v = w + (((1 - w) - hz) + Math.fma(z * z, cp, -(rh * rl)));
        }
        long sign = ((cos ? q + 1 : q) & 2) << 62;
        return Double.longBitsToDouble(Double.doubleToRawLongBits(v) ^ sign);
    }

    // ------------------------------------------------------------------ pow

    private static final double TWO_THIRDS = 0.6666666666666666, TWO_THIRDS_LO = 3.700743415417188e-17;
    private static final double TWO52 = 0x1p52, TWO53 = 0x1p53;
    // 2 atanh(s) = 2s + (2/3) s^3 + s z^2 R(z), z = s^2: a Chebyshev fit of R (relative error < 5e-18)
    private static final double P0 = 0.4, P1 = 0.28571428571429364, P2 = 0.22222222221656232, P3 = 0.18181818335314404,
            P4 = 0.15384594970895457, P5 = 0.13334804238225345, P6 = 0.11706248540922386, P7 = 0.11723051028097753;

    /**
     * x^y = e^{y log|x|} with log|x| carried as hi + lo to about 2^-65 relative (2s and (2/3) s^3 with
     * their rounding errors, a two-sum chain), y log|x| as hi + lo by an fma, and lo added to the reduced
     * exp argument: the error of y log|x| must stay near 2^-54 absolute even where it is 700. The special
     * cases of Math.pow (zeros, infinities, NaN, negative bases and odd integer exponents, y = 0 and
     * y = 1) are put in by blends afterwards.
     */
    static DoubleVector pow(DoubleVector x, DoubleVector y) {
        // one method on purpose, as trig

        DoubleVector ax = x.abs();
        VectorMask<Double> sub = ax.compare(VectorOperators.LT, Double.MIN_NORMAL);
        LongVector ix = ax.blend(ax.mul(TWO54), sub).reinterpretAsLongs().sub(SQRT_HALF_BITS);
        DoubleVector k = ix.lanewise(VectorOperators.ASHR, 52).add(SHIFT_BITS).reinterpretAsDoubles().sub(SHIFT);
        k = k.blend(k.sub(54), sub);
        DoubleVector f = ix.and(MANTISSA).add(SQRT_HALF_BITS).reinterpretAsDoubles().sub(1);
        DoubleVector d = f.add(2);
        DoubleVector dl = f.sub(d.sub(2));
        DoubleVector s = f.div(d);
        DoubleVector sl = s.neg().lanewise(VectorOperators.FMA, d, f).sub(s.mul(dl)).div(d);
        DoubleVector z = s.mul(s);
        DoubleVector zl = s.lanewise(VectorOperators.FMA, s, z.neg());
        DoubleVector s3 = z.mul(s);
        DoubleVector s3l = z.lanewise(VectorOperators.FMA, s, s3.neg()).add(zl.mul(s));
        DoubleVector c3 = s3.mul(TWO_THIRDS);
        DoubleVector c3l = s3.lanewise(VectorOperators.FMA, TWO_THIRDS, c3.neg()).add(s3l.mul(TWO_THIRDS)).add(s3.mul(TWO_THIRDS_LO));
        DoubleVector rp = z.lanewise(VectorOperators.FMA, P7, P6).lanewise(VectorOperators.FMA, z, z.broadcast(P5))
                .lanewise(VectorOperators.FMA, z, z.broadcast(P4)).lanewise(VectorOperators.FMA, z, z.broadcast(P3))
                .lanewise(VectorOperators.FMA, z, z.broadcast(P2)).lanewise(VectorOperators.FMA, z, z.broadcast(P1))
                .lanewise(VectorOperators.FMA, z, z.broadcast(P0));
        DoubleVector tail = s.mul(z).mul(z).mul(rp);
        DoubleVector a1 = k.mul(LN2_HI), b1 = s.mul(2);
        DoubleVector h1 = a1.add(b1), v1 = h1.sub(a1);
        DoubleVector e1 = a1.sub(h1.sub(v1)).add(b1.sub(v1));
        DoubleVector h2 = h1.add(c3), v2 = h2.sub(h1);
        DoubleVector e2 = h1.sub(h2.sub(v2)).add(c3.sub(v2));
        DoubleVector lo = e1.add(e2).add(k.lanewise(VectorOperators.FMA, LN2_LO, sl.mul(2)).add(c3l)
                .add(z.mul(2).lanewise(VectorOperators.FMA, sl, tail)));
        DoubleVector lh = h2.add(lo);
        DoubleVector ll = lo.sub(lh.sub(h2));
        DoubleVector ph = y.mul(lh);
        DoubleVector pl = y.lanewise(VectorOperators.FMA, lh, ph.neg()).add(y.mul(ll));
        DoubleVector pc = ph.max(EXP_LO).min(EXP_HI);
        // where y log|x| overflowed, or was clamped (then it decides alone), its low part must not count
        pl = pl.blend(0, pl.compare(VectorOperators.NE, pl).or(pc.compare(VectorOperators.NE, ph)));
        DoubleVector t = pc.lanewise(VectorOperators.FMA, LOG2E, SHIFT);
        DoubleVector n = t.sub(SHIFT);
        DoubleVector r = expReduced(n.lanewise(VectorOperators.FMA, -LN2_LO, pc.sub(n.mul(LN2_HI))).add(pl), t);
        return powSpecials(x, y, ax, r);
    }

    private static DoubleVector powSpecials(DoubleVector x, DoubleVector y, DoubleVector ax, DoubleVector r) {
        DoubleVector ay = y.abs();
        VectorMask<Double> isInt = ay.compare(VectorOperators.GE, TWO52).or(ay.add(TWO52).sub(TWO52).compare(VectorOperators.EQ, ay));
        DoubleVector h = ay.mul(0.5);
        VectorMask<Double> odd = isInt.and(ay.compare(VectorOperators.LT, TWO53))
                .andNot(h.add(TWO52).sub(TWO52).compare(VectorOperators.EQ, h));
        VectorMask<Double> yPos = y.compare(VectorOperators.GT, 0);
        VectorMask<Double> axInf = ax.compare(VectorOperators.EQ, INF);
        VectorMask<Double> zeroOrInf = ax.compare(VectorOperators.EQ, 0).or(axInf);
        r = r.blend(x.broadcast(0).blend(INF, yPos.eq(axInf)), zeroOrInf);
        VectorMask<Double> yInf = ay.compare(VectorOperators.EQ, INF);
        DoubleVector yInfVal = x.broadcast(0).blend(INF, yPos.eq(ax.compare(VectorOperators.GT, 1)));
        r = r.blend(yInfVal.blend(Double.NaN, ax.compare(VectorOperators.EQ, 1)), yInf);
        VectorMask<Double> xNeg = x.reinterpretAsLongs().compare(VectorOperators.LT, 0).cast(x.species());
        r = r.lanewise(VectorOperators.NEG, xNeg.and(odd));
        r = r.blend(Double.NaN, x.compare(VectorOperators.LT, 0).and(axInf.not()).andNot(isInt));
        r = r.blend(Double.NaN, x.compare(VectorOperators.NE, x).or(y.compare(VectorOperators.NE, y)));
        r = r.blend(1, y.compare(VectorOperators.EQ, 0));
        return r.blend(x, y.compare(VectorOperators.EQ, 1));
    }

    static double pow(double x, double y) {
        if (y == 1) return x;
        if (y == 0) return 1;
        if (x != x || y != y) return Double.NaN;
        double ax = Math.abs(x), ay = Math.abs(y);
        boolean isInt = ay >= TWO52 || (ay + TWO52) - TWO52 == ay;
        if (x < 0 && ax != INF && !isInt) return Double.NaN;
        double h = ay * 0.5;
        boolean odd = isInt && ay < TWO53 && !((h + TWO52) - TWO52 == h);
        double r;
        if (ay == INF) {
            r = ax == 1 ? Double.NaN : (y > 0) == (ax > 1) ? INF : 0;
        } else if (ax == 0 || ax == INF) {
            r = (y > 0) == (ax == INF) ? INF : 0;
        } else {
            r = powFinite(ax, y);
        }
        return Double.doubleToRawLongBits(x) < 0 && odd ? -r : r;
    }

    private static double powFinite(double ax, double y) {
        boolean sub = ax < Double.MIN_NORMAL;
        long ix = Double.doubleToRawLongBits(sub ? ax * TWO54 : ax) - SQRT_HALF_BITS;
        double k = Double.longBitsToDouble((ix >> 52) + SHIFT_BITS) - SHIFT;
        if (sub) k = k - 54;
        double f = Double.longBitsToDouble((ix & MANTISSA) + SQRT_HALF_BITS) - 1;
        double d = f + 2;
        double dl = f - (d - 2);
        double s = f / d;
        double sl = (Math.fma(-s, d, f) - s * dl) / d;
        double z = s * s;
        double zl = Math.fma(s, s, -z);
        double s3 = z * s;
        double s3l = Math.fma(z, s, -s3) + zl * s;
        double c3 = s3 * TWO_THIRDS;
        double c3l = (Math.fma(s3, TWO_THIRDS, -c3) + s3l * TWO_THIRDS) + s3 * TWO_THIRDS_LO;
        double rp = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(z, P7, P6), z, P5), z, P4), z, P3), z, P2), z, P1), z, P0);
        double tail = s * z * z * rp;
        double a1 = k * LN2_HI, b1 = s * 2;
        double h1 = a1 + b1, v1 = h1 - a1;
        double e1 = (a1 - (h1 - v1)) + (b1 - v1);
        double h2 = h1 + c3, v2 = h2 - h1;
        double e2 = (h1 - (h2 - v2)) + (c3 - v2);
        double lo = (e1 + e2) + ((Math.fma(k, LN2_LO, sl * 2) + c3l) + Math.fma(z * 2, sl, tail));
        double lh = h2 + lo;
        double ll = lo - (lh - h2);
        double ph = y * lh;
        double pl = Math.fma(y, lh, -ph) + y * ll;
        double pc = Math.min(Math.max(ph, EXP_LO), EXP_HI);
        if (pl != pl || pc != ph) pl = 0;
        double t = Math.fma(pc, LOG2E, SHIFT);
        double n = t - SHIFT;
        return expReduced(Math.fma(n, -LN2_LO, pc - n * LN2_HI) + pl, t);
    }
}
