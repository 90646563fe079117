package org.ddrl.rl.algo;

import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;

/**
 * The PPO clipped surrogate every reference uses, per sample:
 * {@code loss = max(-A r, -A clip(r, 1 - eps, 1 + eps))} with {@code r = exp(logRatio)}; minimising it raises the
 * probability of actions with A > 0. With eps = 1e-4 and one update per rollout, r = 1 exactly on the update and the
 * clip is inert; where it binds (for A > 0 and r > 1 + eps, or A < 0 and r < 1 - eps) the gradient is zero.
 */
public final class PpoLoss {
    private PpoLoss() {}

    /** A batch's per-sample losses [B] with the ratio statistics for logging. */
    public record Result(Tensor perSample, Tensor ratio, Tensor clipped) {}

    /**
     * @param logRatio   log(pi_theta / pi_old) per sample, [B] (with gradient)
     * @param advantages A per sample, [B] (a constant)
     * @param clipRange  eps > 0
     */
    public static Result clipped(Tensor logRatio, Tensor advantages, double clipRange) {
        if (!(clipRange > 0) || Double.isInfinite(clipRange)) {
            throw new IllegalArgumentException("PpoLoss.clipped: clipRange must be finite and > 0, got " + clipRange);
        }
        if (logRatio.dim() != 1 || advantages.dim() != 1 || logRatio.size(0) != advantages.size(0)) {
            throw new IllegalArgumentException("PpoLoss.clipped: logRatio and advantages must both be [B], got " + Shapes.str(logRatio.shape())
                    + " and " + Shapes.str(advantages.shape()));
        }
        Tensor a = advantages.detach();
        Tensor ratio = logRatio.exp();
        Tensor unclipped = a.neg().mul(ratio);
        Tensor clippedTerm = a.neg().mul(ratio.clamp(1 - clipRange, 1 + clipRange));
        Tensor loss = unclipped.maximum(clippedTerm);
        Tensor outside = ratio.detach().sub(1).abs().gt(clipRange);
        return new Result(loss, ratio.detach(), outside);
    }
}
