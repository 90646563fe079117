package org.ddrl.rl.algo;

import org.ddrl.diffusion.noise.RectifiedFlow;
import org.ddrl.diffusion.sampling.EdmChurn2ab;
import org.ddrl.diffusion.sampling.Sampler;
import org.ddrl.diffusion.sampling.Step;

/** A recorded step's noise level as an RF time, whatever space its sampler works in. */
public final class NoiseLevels {
    private NoiseLevels() {}

    /**
     * The RF time of the state the model saw at {@code step}: t = sigma_hat / (1 + sigma_hat) for the EDM churn sampler
     * (whose levels are EDM sigmas), the recorded t for the flow samplers.
     */
    public static double rfTime(Sampler sampler, Step step) {
        return sampler instanceof EdmChurn2ab ? RectifiedFlow.tFromSigma(step.level()) : step.level();
    }
}
