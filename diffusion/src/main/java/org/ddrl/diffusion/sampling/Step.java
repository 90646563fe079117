package org.ddrl.diffusion.sampling;

import org.ddrl.tensor.Tensor;

/**
 * One recorded transition of a sampler: from {@code state} the sampler drew {@code next ~ N(mean, std^2 I)}.
 * Tensors are F32, [B, ...], without gradient history.
 *
 * @param index          position in the trajectory, 0 = noisiest
 * @param state          the state the model was evaluated at (for EDM churn: x-hat, after the churn noise)
 * @param level          noise level of {@code state}: RF time t for the flow samplers, sigma-hat for EDM churn
 * @param scheduleLevel  the schedule's level before churn (sigma_i for EDM churn; equal to level otherwise)
 * @param nextLevel      the level the step moves to (t' or sigma_{i+1})
 * @param x0Pred         the model's x0-prediction at {@code state}
 * @param previousX0     EDM 2AB only: the previous step's x0-prediction the multistep formula used (cached, a
 *                       constant for training); null otherwise
 * @param previousLevel  EDM 2AB only: the previous step's sigma-hat; NaN otherwise
 * @param mean           the Gaussian mean of {@code next}
 * @param std            its standard deviation (0 for deterministic steps)
 * @param next           the sampled next state, the RL "action" (for EDM churn: x-hat of the next step, i.e.
 *                       after the next churn; the last EDM step's next is the clean sample, not a Gaussian draw)
 * @param logProb        the Gaussian log-density of next computed at sampling time ({@link LogProbs#gaussian},
 *                       [B]); null where the step is not a Gaussian draw (std 0, or the last EDM churn step)
 */
public record Step(int index, Tensor state, double level, double scheduleLevel, double nextLevel, Tensor x0Pred,
                   Tensor previousX0, double previousLevel, Tensor mean, double std, Tensor next, Tensor logProb) {

    /** Whether next was drawn from N(mean, std^2), so that a policy log-probability exists. */
    public boolean isStochastic() {
        return logProb != null;
    }
}
