package org.ddrl.autodiff.nn;

import java.util.Arrays;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;

/** Loss functions (torch.nn.functional's mse_loss, cross_entropy, nll_loss); each returns a tensor that backward() can start from. */
public final class Losses {
    /** PyTorch's default ignore_index: no real class has it. */
    public static final long NO_IGNORE = -100;

    private Losses() {}

    /** Mean of (input - target)^2. */
    public static Tensor mse(Tensor input, Tensor target) {
        return mse(input, target, Reduction.MEAN);
    }

    /** (input - target)^2 reduced; input and target must have the same shape. */
    public static Tensor mse(Tensor input, Tensor target, Reduction reduction) {
        if (!Arrays.equals(input.shape(), target.shape())) {
            throw new IllegalArgumentException("mse_loss: input " + Shapes.str(input.shape()) + " and target " + Shapes.str(target.shape())
                    + " must have the same shape");
        }
        Tensor d = input.sub(target);
        return reduce(d.mul(d), reduction);
    }

    /** Mean cross-entropy of logits [N, C, *] against class indices [N, *], no smoothing, nothing ignored. */
    public static Tensor crossEntropy(Tensor logits, Tensor target) {
        return crossEntropy(logits, target, Reduction.MEAN, 0, NO_IGNORE);
    }

    /**
     * Cross-entropy of logits [N, C] or [N, C, d1, ...] (classes on dim 1) against target class indices
     * [N] or [N, d1, ...] (I64 or I32), via log_softmax and gather. With label smoothing e the target
     * distribution puts 1 - e + e / C on the class and e / C elsewhere: loss = (1 - e) nll + e mean_c(-log p_c).
     * Targets equal to ignoreIndex contribute 0 and are not counted by MEAN (which gives NaN when all are ignored).
     */
    public static Tensor crossEntropy(Tensor logits, Tensor target, Reduction reduction, double labelSmoothing, long ignoreIndex) {
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new IllegalArgumentException("cross_entropy: label smoothing must be in [0, 1], got " + labelSmoothing);
        }
        checkClassShapes("cross_entropy", logits, target);
        return classLoss("cross_entropy", logits.logSoftmax(1), target, reduction, labelSmoothing, ignoreIndex);
    }

    /** Mean negative log-likelihood of log-probabilities [N, C, *] at class indices [N, *]. */
    public static Tensor nll(Tensor logProbs, Tensor target) {
        return nll(logProbs, target, Reduction.MEAN, NO_IGNORE);
    }

    /** -logProbs[n, target[n], ...] reduced; targets equal to ignoreIndex contribute 0 and are not counted by MEAN. */
    public static Tensor nll(Tensor logProbs, Tensor target, Reduction reduction, long ignoreIndex) {
        checkClassShapes("nll_loss", logProbs, target);
        return classLoss("nll_loss", logProbs, target, reduction, 0, ignoreIndex);
    }

    private static void checkClassShapes(String op, Tensor scores, Tensor target) {
        int[] s = scores.shape();
        boolean ok = s.length >= 2 && target.dtype().isIntegral();
        if (ok) {
            int[] expect = new int[s.length - 1];
            expect[0] = s[0];
            System.arraycopy(s, 2, expect, 1, s.length - 2);
            ok = Arrays.equals(target.shape(), expect);
        }
        if (!ok) {
            throw new IllegalArgumentException(op + ": input " + scores.dtype() + Shapes.str(s) + " must be [N, C, *] and target "
                    + target.dtype() + Shapes.str(target.shape()) + " integer class indices [N, *]");
        }
        if (!scores.dtype().isFloatingPoint()) throw new IllegalArgumentException(op + ": input must be floating, got " + scores.dtype());
    }

    private static Tensor classLoss(String op, Tensor logp, Tensor target, Reduction reduction, double smoothing, long ignoreIndex) {
        int classes = logp.size(1);
        Tensor valid = target.ne(ignoreIndex);
        Tensor safe = Tensor.where(valid, target, Tensor.scalar(0, target.dtype(), target.device()));
        if (safe.numel() > 0) {
            long lo = safe.min().itemLong(), hi = safe.max().itemLong();
            if (lo < 0 || hi >= classes) {
                throw new IndexOutOfBoundsException(op + ": target class " + (lo < 0 ? lo : hi) + " is out of range for " + classes
                        + " classes (input " + Shapes.str(logp.shape()) + ", target " + Shapes.str(target.shape()) + ")");
            }
        }
        Tensor loss = logp.gather(1, safe.unsqueeze(1)).squeeze(1).neg();
        if (smoothing > 0) loss = loss.mul(1 - smoothing).sub(logp.mean(1, false).mul(smoothing));
        loss = Tensor.where(valid, loss, Tensor.scalar(0, loss.dtype(), loss.device()));
        if (reduction != Reduction.MEAN) return reduce(loss, reduction);
        return loss.sum().div(valid.sum().to(loss.dtype()));
    }

    private static Tensor reduce(Tensor loss, Reduction reduction) {
        return switch (reduction) {
            case NONE -> loss;
            case SUM -> loss.sum();
            case MEAN -> loss.mean();
        };
    }
}
