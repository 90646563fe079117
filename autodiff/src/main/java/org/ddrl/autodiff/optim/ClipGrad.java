package org.ddrl.autodiff.optim;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.GradMode;
import org.ddrl.tensor.Scope;
import org.ddrl.tensor.Tensor;

/** Gradient clipping (torch.nn.utils.clip_grad_norm_). */
public final class ClipGrad {
    private ClipGrad() {}

    /** {@link #clipGradNorm(Map, double, double, boolean)} with the 2-norm, not failing on a non-finite norm. */
    public static double clipGradNorm(Map<String, Tensor> params, double maxNorm) {
        return clipGradNorm(params, maxNorm, 2, false);
    }

    /** The same for unnamed parameters, named "0", "1", ... in error messages. */
    public static double clipGradNorm(Collection<Tensor> params, double maxNorm) {
        return clipGradNorm(params, maxNorm, 2, false);
    }

    public static double clipGradNorm(Collection<Tensor> params, double maxNorm, double normType, boolean errorIfNonfinite) {
        Map<String, Tensor> named = new LinkedHashMap<>();
        for (Tensor t : params) named.put(String.valueOf(named.size()), t);
        return clipGradNorm(named, maxNorm, normType, errorIfNonfinite);
    }

    /**
     * Scales all gradients together so that their total norm, the norm of the vector of every gradient
     * element, is at most {@code maxNorm}, and returns that norm as it was before scaling. Parameters
     * without a gradient are ignored. The norm is accumulated in F64. As PyTorch, gradients are scaled
     * by maxNorm / (total + 1e-6), and only when that is below 1.
     *
     * <p>A NaN or infinite total means some gradient is not finite. With {@code errorIfNonfinite} that
     * throws, naming the parameters whose gradients are not finite; without it the gradients are left
     * unscaled and the non-finite norm is returned, so the caller can skip the step (PyTorch would scale
     * them by the non-finite factor, turning them into NaN and zeros).
     *
     * @param normType the p of the p-norm, > 0; {@code Double.POSITIVE_INFINITY} for the largest magnitude
     */
    public static double clipGradNorm(Map<String, Tensor> params, double maxNorm, double normType, boolean errorIfNonfinite) {
        if (!(maxNorm >= 0)) throw new IllegalArgumentException("clipGradNorm: maxNorm must be >= 0, got " + maxNorm);
        if (!(normType > 0)) throw new IllegalArgumentException("clipGradNorm: normType must be > 0 (or infinity), got " + normType);
        boolean inf = normType == Double.POSITIVE_INFINITY;
        double acc = 0;
        List<String> nonfinite = new ArrayList<>();
        try (GradMode.Guard noGrad = GradMode.noGrad()) {
            // Dense F32/F64 CPU gradients: the 2-norm's sums of squares in one parallel pass instead of four ops each.
            Map<String, Double> fused = new HashMap<>();
            if (normType == 2) {
                List<String> names = new ArrayList<>();
                List<Tensor> grads = new ArrayList<>();
                for (Map.Entry<String, Tensor> e : params.entrySet()) {
                    Tensor g = e.getValue().grad();
                    if (g != null && g.numel() > 0 && CpuFused.applies(g)) {
                        names.add(e.getKey());
                        grads.add(g);
                    }
                }
                double[] sums = CpuFused.sumsOfSquares(grads);
                for (int i = 0; i < sums.length; i++) fused.put(names.get(i), sums[i]);
            }
            for (Map.Entry<String, Tensor> e : params.entrySet()) {
                Tensor g = e.getValue().grad();
                if (g == null || g.numel() == 0) continue;
                double part;
                Double done = fused.get(e.getKey());
                if (done != null) {
                    part = done;
                } else try (Scope scope = Scope.open()) {
                    Tensor x = g.to(DType.F64);
                    if (normType == 2) part = x.mul(x).sum().item();
                    else if (inf) part = x.abs().max().item();
                    else if (normType == 1) part = x.abs().sum().item();
                    else part = x.abs().pow(normType).sum().item();
                }
                if (!Double.isFinite(part)) nonfinite.add(e.getKey());
                acc = inf ? Math.max(acc, part) : acc + part;
            }
            double total = inf ? acc : normType == 2 ? Math.sqrt(acc) : normType == 1 ? acc : Math.pow(acc, 1 / normType);
            if (!Double.isFinite(total)) {
                if (errorIfNonfinite) {
                    throw new IllegalStateException("clipGradNorm: the total gradient norm of order " + normType + " is " + total
                            + "; gradients with non-finite values: " + (nonfinite.isEmpty() ? "none (the sum overflowed)" : nonfinite)
                            + ". Pass errorIfNonfinite = false to get the norm back and skip the step instead");
                }
                return total;
            }
            double coef = maxNorm / (total + 1e-6);
            if (coef < 1) {
                try (CpuFused.Batch batch = CpuFused.Batch.open()) {
                    scaleAll(params.values(), coef);
                }
            }
            return total;
        }
    }

    /** g *= coef for every gradient; dense CPU ones in one parallel pass (the caller's batch). */
    private static void scaleAll(Collection<Tensor> params, double coef) {
        for (Tensor p : params) {
            Tensor g = p.grad();
            if (g == null || g.numel() == 0) continue;
            if (CpuFused.applies(g)) {
                CpuFused.scale(g, coef);
                continue;
            }
            try (Scope scope = Scope.open()) {
                // scaled in the compute type: coef as a BF16 scalar would lose all but 3 digits
                g.copyFrom(g.to(ParamState.stateType(g.dtype())).mul(coef));
            }
        }
    }
}
