package org.ddrl.diffusion.sampling;

import org.ddrl.diffusion.noise.PerSample;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;

/**
 * Per-step policy log-probabilities. Every reference reduces over the data dims by a <em>mean</em>, not a sum
 * (so the 1e-4 PPO clip and the learning rates are per element); both functions here do the same and return
 * one value per sample, [B]. The exact joint log-density is {@code gaussian(...) * D} with D the elements per
 * sample. {@code next} is always treated as a constant (detached).
 */
public final class LogProbs {
    private static final double LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

    private LogProbs() {}

    /**
     * The exact Gaussian log-density of {@code next} under N(mean, std^2 I), averaged over the non-batch dims:
     * mean_D[-(next - mean)^2 / (2 std^2) - ln std - ln sqrt(2 pi)] (Flow-GRPO, DanceGRPO, DDPO).
     */
    public static Tensor gaussian(Tensor next, Tensor mean, double std) {
        check("gaussian", next, mean);
        if (!(std > 0) || Double.isInfinite(std)) {
            throw new IllegalArgumentException("LogProbs.gaussian: std must be finite and > 0, got " + std
                    + " (a deterministic step has no log-probability)");
        }
        Tensor d = next.detach().sub(mean);
        return d.mul(d).mul(-1 / (2 * std * std)).sub(Math.log(std) + LOG_SQRT_2PI)
                .mean(PerSample.nonBatchDims("LogProbs.gaussian", next), false);
    }

    /**
     * DDRL's log-ratio as released (cosmos-rl): {@code -mean_D[(next - mean)^2 - (next - oldMean)^2]}, i.e. the
     * Gaussian log-ratio <em>without</em> the division by 2 std^2 (present there only as a commented-out line).
     * It is 0 when mean equals oldMean, and its gradient grows with the step's noise level. oldMean is a constant.
     */
    public static Tensor squaredErrorLogRatio(Tensor next, Tensor mean, Tensor oldMean) {
        check("squaredErrorLogRatio", next, mean);
        check("squaredErrorLogRatio", next, oldMean);
        Tensor x = next.detach();
        Tensor dNew = x.sub(mean);
        Tensor dOld = x.sub(oldMean.detach());
        return dNew.mul(dNew).sub(dOld.mul(dOld)).mean(PerSample.nonBatchDims("LogProbs.squaredErrorLogRatio", next), false).neg();
    }

    private static void check(String op, Tensor a, Tensor b) {
        if (!java.util.Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException("LogProbs." + op + ": next " + Shapes.str(a.shape()) + " and mean "
                    + Shapes.str(b.shape()) + " differ in shape");
        }
    }
}
