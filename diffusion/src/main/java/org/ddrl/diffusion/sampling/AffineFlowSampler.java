package org.ddrl.diffusion.sampling;

import java.util.ArrayList;
import java.util.List;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.GradMode;
import org.ddrl.tensor.Scope;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;

/**
 * The samplers that work on an RF time grid t_0 = 1 > ... > t_N and whose step mean is affine in the state
 * and the predicted velocity, {@code mean = cx x + cv v}, with a per-step std. All algebra runs in F32 on F32
 * states (as Flow-GRPO and DanceGRPO do, with their coefficients from double-precision schedule values).
 */
abstract class AffineFlowSampler implements Sampler {
    /** Per-step coefficients: mean = cx x + cv v, next = mean + std xi. */
    record Coefficients(double cx, double cv, double std) {}

    final double[] t;

    AffineFlowSampler(double[] t) {
        this.t = t;
    }

    /** The mean/std coefficients of step k (from t[k] to t[k + 1]). */
    abstract Coefficients coefficients(int k);

    /** The time fed to the network at step k; t[k] unless the reference quantises it. */
    double modelTime(int k) {
        return t[k];
    }

    /** The sample the reward sees; the state after the last step unless the reference says otherwise. */
    Tensor finalSample(List<Step> steps) {
        return steps.getLast().next();
    }

    @Override
    public double[] levels() {
        return t.clone();
    }

    public int steps() {
        return t.length - 1;
    }

    @Override
    public Trajectory sample(VelocityModel model, Tensor noise, Conditioning cond, Generator gen) {
        String name = getClass().getSimpleName();
        Tensor x = SamplerChecks.noise(name, noise);
        List<Step> steps = new ArrayList<>(t.length - 1);
        try (var noGrad = GradMode.noGrad()) {
            for (int k = 0; k < t.length - 1; k++) {
                try (Scope scope = Scope.open()) {
                    Coefficients c = coefficients(k);
                    Tensor v = velocity(model, x, k, cond);
                    Tensor mean = mean(x, v, c);
                    Tensor x0 = x.sub(v.mul(t[k]));
                    Tensor next = mean;
                    Tensor logProb = null;
                    if (c.std() > 0) {
                        next = mean.add(Tensor.randn(gen, DType.F32, x.device(), x.shape()).mul(c.std()));
                        logProb = scope.keep(LogProbs.gaussian(next, mean, c.std()));
                    }
                    scope.keep(x0, mean, next);
                    steps.add(new Step(k, x, t[k], t[k], t[k + 1], x0, null, Double.NaN, mean, c.std(), next, logProb));
                    x = next;
                }
            }
        }
        return new Trajectory(this, cond, noise, steps, finalSample(steps));
    }

    @Override
    public Tensor recomputeMean(VelocityModel model, Step step, Conditioning cond) {
        int k = SamplerChecks.step(getClass().getSimpleName(), step, t);
        Tensor x = step.state();
        return mean(x, velocity(model, x, k, cond), coefficients(k));
    }

    private Tensor velocity(VelocityModel model, Tensor x, int k, Conditioning cond) {
        return model.velocity(x, Tensor.full(modelTime(k), DType.F32, x.device(), x.size(0)), cond);
    }

    // The one place a step's mean is formed, for the rollout and the recomputation alike.
    private static Tensor mean(Tensor x, Tensor v, Coefficients c) {
        return x.mul(c.cx()).add(v.mul(c.cv()));
    }
}
