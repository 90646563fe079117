package org.ddrl.rl.policy;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.ddrl.autodiff.nn.Module;
import org.ddrl.diffusion.sampling.Conditioning;
import org.ddrl.diffusion.sampling.VelocityModel;
import org.ddrl.tensor.Tensor;

/**
 * A {@link Policy} over one {@link Module} that holds every trained weight (the video network and, if it is trained
 * too, the text encoder). The module is put in eval mode, as the ratio contract needs.
 *
 * @param <M> the module type
 */
public final class ModulePolicy<M extends Module> implements Policy {
    /** The velocity of the module at x_t, t under a conditioning. */
    @FunctionalInterface
    public interface Velocity<M> {
        Tensor apply(M module, Tensor xt, Tensor t, Conditioning cond);
    }

    /** How the module turns captions into its conditioning. */
    @FunctionalInterface
    public interface Encoder<M> {
        Conditioning apply(M module, List<String> captions);
    }

    private final M module;
    private final Supplier<M> blank;
    private final Velocity<M> velocity;
    private final Encoder<M> encoder;
    private final VelocityModel model;

    /**
     * @param module   the module to train
     * @param blank    builds a new module of the same architecture (any weights), for {@link #frozenCopy()}
     * @param velocity the forward pass as a velocity model
     * @param encoder  the captions' conditioning
     */
    public ModulePolicy(M module, Supplier<M> blank, Velocity<M> velocity, Encoder<M> encoder) {
        this.module = Objects.requireNonNull(module, "module");
        this.blank = Objects.requireNonNull(blank, "blank");
        this.velocity = Objects.requireNonNull(velocity, "velocity");
        this.encoder = Objects.requireNonNull(encoder, "encoder");
        module.eval();
        this.model = (xt, t, cond) -> velocity.apply(module, xt, t, cond);
    }

    public M module() {
        return module;
    }

    @Override
    public VelocityModel model() {
        return model;
    }

    @Override
    public Conditioning condition(List<String> captions) {
        return encoder.apply(module, captions);
    }

    @Override
    public Map<String, Tensor> parameters() {
        return module.namedParameters();
    }

    @Override
    public ModulePolicy<M> frozenCopy() {
        M copy = blank.get();
        if (copy == module) throw new IllegalStateException("ModulePolicy.frozenCopy: the blank supplier returned the trained module itself");
        copy.loadStateDict(module.stateDict(), true);
        copy.requiresGrad(false);
        return new ModulePolicy<>(copy, blank, velocity, encoder);
    }
}
