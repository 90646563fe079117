package org.ddrl.rl.train;

import java.util.ArrayList;
import java.util.List;
import org.ddrl.diffusion.sampling.Step;
import org.ddrl.diffusion.sampling.Trajectory;
import org.ddrl.rl.config.TrainOnConfig;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;

/** Which recorded steps of a rollout are trained (see {@link TrainOnConfig}). */
public final class TrainSteps {
    private TrainSteps() {}

    /** Indices of the steps that have a policy probability, without the last one when {@code dropLastStep}. */
    public static List<Integer> eligible(Trajectory trajectory, boolean dropLastStep) {
        List<Integer> out = new ArrayList<>();
        int n = trajectory.size();
        for (Step s : trajectory.steps()) {
            if (s.isStochastic() && !(dropLastStep && s.index() == n - 1)) out.add(s.index());
        }
        return out;
    }

    /**
     * Checks that the configuration selects at least one step among {@code eligible} (and, for a list, only eligible
     * steps); the message names the config field.
     */
    public static void validate(TrainOnConfig config, List<Integer> eligible, int steps) {
        if (eligible.isEmpty()) {
            throw new IllegalArgumentException("train_on: none of the sampler's " + steps + " steps is trainable (no step draws Gaussian noise"
                    + (config.dropLastStep() ? " except perhaps the dropped last one" : "") + ")");
        }
        switch (config.mode()) {
            case EVERY_OTHER -> {
                if (eligible.stream().noneMatch(k -> k % 2 == 0)) {
                    throw new IllegalArgumentException("train_on: mode every_other finds no even step among the trainable steps " + eligible);
                }
            }
            case LIST -> {
                for (int k : config.steps()) {
                    if (!eligible.contains(k)) {
                        throw new IllegalArgumentException("train_on.steps: step " + k + " is not trainable; the trainable steps of this sampler are "
                                + eligible + (config.dropLastStep() ? " (drop_last_step is on)" : ""));
                    }
                }
            }
            default -> { }
        }
    }

    /** The steps to train for one micro-batch, in training order; RANDOM_FRACTION draws from {@code gen}. */
    public static List<Integer> select(TrainOnConfig config, List<Integer> eligible, Generator gen) {
        int n = eligible.size();
        return switch (config.mode()) {
            case ALL -> List.copyOf(eligible);
            case LIST -> List.copyOf(config.steps());
            case EVERY_OTHER -> eligible.stream().filter(k -> k % 2 == 0).toList();
            case FIRST_FRACTION -> List.copyOf(eligible.subList(0, count(n, config.fraction())));
            case RANDOM_FRACTION -> {
                // Fisher-Yates with the run's generator, so a seed fixes the choice.
                double[] u = Tensor.rand(gen, DType.F64, Device.CPU, n).toDoubleArray();
                List<Integer> order = new ArrayList<>(eligible);
                for (int i = n - 1; i > 0; i--) {
                    int j = (int) Math.min(i, Math.floor(u[i] * (i + 1)));
                    Integer tmp = order.get(i);
                    order.set(i, order.get(j));
                    order.set(j, tmp);
                }
                yield List.copyOf(order.subList(0, count(n, config.fraction())));
            }
        };
    }

    private static int count(int n, double fraction) {
        return Math.max(1, (int) (n * fraction));
    }
}
