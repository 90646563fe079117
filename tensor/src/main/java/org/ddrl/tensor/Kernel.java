package org.ddrl.tensor;

/** A backend's implementation of one catalog op. Inputs are already checked to share the backend's device. */
@FunctionalInterface
public interface Kernel {
    Tensor apply(Attrs attrs, Tensor... inputs);
}
