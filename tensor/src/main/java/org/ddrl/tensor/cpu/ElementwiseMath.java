package org.ddrl.tensor.cpu;

import org.ddrl.kernels.cpu.SpecialMath;

/** Scalar double-precision GELU (from SpecialMath.erfc). */
final class ElementwiseMath {
    private ElementwiseMath() {}

    private static final double INV_SQRT2 = 1 / Math.sqrt(2);

    /** Exact GELU x * Phi(x), Phi the standard normal CDF, from erfc so that negative x stay accurate. */
    static double gelu(double x) {
        double halfErfc = 0.5 * SpecialMath.erfc(Math.abs(x) * INV_SQRT2);
        return x * (x < 0 ? halfErfc : 1 - halfErfc);
    }
}
