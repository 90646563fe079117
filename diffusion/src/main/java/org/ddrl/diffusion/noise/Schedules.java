package org.ddrl.diffusion.noise;

/**
 * Noise-level grids of the reference samplers, in double precision, from the noisiest level down.
 */
public final class Schedules {
    private Schedules() {}

    /**
     * Karras/EDM levels {@code sigma_k = (sigma_max^(1/rho) + k/N (sigma_min^(1/rho) - sigma_max^(1/rho)))^rho},
     * k = 0..N (N + 1 values, ending at sigma_min; no trailing zero). Cosmos: N = 20, [0.01, 200], rho = 7.
     */
    public static double[] karras(int steps, double sigmaMin, double sigmaMax, double rho) {
        checkSteps("karras", steps);
        if (!(sigmaMin > 0 && sigmaMax > sigmaMin) || Double.isInfinite(sigmaMax) || !(rho > 0)) {
            throw new IllegalArgumentException("karras: need 0 < sigmaMin < sigmaMax < inf and rho > 0, got sigmaMin=" + sigmaMin
                    + " sigmaMax=" + sigmaMax + " rho=" + rho);
        }
        double lo = Math.pow(sigmaMin, 1 / rho), hi = Math.pow(sigmaMax, 1 / rho);
        double[] s = new double[steps + 1];
        for (int k = 0; k <= steps; k++) s[k] = Math.pow(hi + (double) k / steps * (lo - hi), rho);
        return s;
    }

    /**
     * RF times {@code shift(u_k)} with u_k = linspace(1, 0, N + 1): N steps from pure noise to t = 0
     * (DanceGRPO's grid, also used here for the Euler and DDIM samplers).
     */
    public static double[] flowMatch(int steps, double shift) {
        checkSteps("flowMatch", steps);
        double[] t = new double[steps + 1];
        for (int k = 0; k <= steps; k++) t[k] = RectifiedFlow.shift(1 - (double) k / steps, shift);
        return t;
    }

    /**
     * The grid diffusers' FlowMatchEulerDiscreteScheduler builds for SD3 (Flow-GRPO): u_k = linspace(1, u_min, N)
     * with u_min = shift(0.001) (so the smallest level is shifted twice), t_k = shift(u_k), then t_N = 0 appended.
     */
    public static double[] flowMatchDiffusers(int steps, double shift) {
        checkSteps("flowMatchDiffusers", steps);
        double uMin = RectifiedFlow.shift(0.001, shift);
        double[] t = new double[steps + 1];
        for (int k = 0; k < steps; k++) {
            double u = steps == 1 ? 1 : 1 + (uMin - 1) * k / (steps - 1);
            t[k] = RectifiedFlow.shift(u, shift);
        }
        t[steps] = 0;
        return t;
    }

    private static void checkSteps(String op, int steps) {
        if (steps < 1) throw new IllegalArgumentException(op + ": need at least one step, got " + steps);
    }
}
