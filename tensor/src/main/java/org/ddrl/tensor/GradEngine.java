package org.ddrl.tensor;

import java.util.ServiceLoader;

/**
 * The autodiff engine behind {@link Tensor#backward()}, provided by the autodiff module through
 * {@link ServiceLoader}. It records the graph through a {@link Dispatch.Interceptor} once installed.
 */
public interface GradEngine {
    /** Starts recording ops whose inputs require gradients. Called once, on first use. */
    void install();

    /** Accumulates d root / d leaf into every leaf's grad, seeded with gradOutput. */
    void backward(Tensor root, Tensor gradOutput, boolean retainGraph);

    /** The engine, installed on first call; a clear error when the autodiff module is not on the class path. */
    static GradEngine get() {
        return Holder.ENGINE;
    }

    final class Holder {
        private static final GradEngine ENGINE = load();

        private Holder() {}

        private static GradEngine load() {
            GradEngine e = ServiceLoader.load(GradEngine.class).findFirst().orElseThrow(() -> new IllegalStateException(
                    "autodiff: no gradient engine found; add the ddrl-autodiff module to the class path"));
            e.install();
            return e;
        }
    }
}
