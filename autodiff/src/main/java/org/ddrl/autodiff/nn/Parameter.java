package org.ddrl.autodiff.nn;

import org.ddrl.tensor.Scope;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;

/**
 * How a tensor becomes a trainable parameter (torch.nn.Parameter): a leaf that requires grad and shares
 * the data of the tensor it was made from. Tensor is final, so a parameter is a plain Tensor; what makes
 * it one is being registered on a {@link Module}.
 *
 * <p>Lifetime: a parameter's storage belongs to the {@link Scope} that was open when its data was created,
 * and its gradient lives as long as it does (the engine moves gradients to the scope that owns the leaf).
 * Build modules with no scope open (the garbage collector then owns them) or inside a scope that lives as
 * long as the model; never inside a per-step {@code try (Scope s = Scope.open())} block, which would free
 * the weights when the step ends.
 */
public final class Parameter {
    private Parameter() {}

    /** A new leaf over the same storage as {@code data}, with requiresGrad(true); data must be floating. */
    public static Tensor of(Tensor data) {
        if (!data.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("Parameter: only floating tensors can be trained, got " + data.dtype()
                    + Shapes.str(data.shape()));
        }
        return data.detach().requiresGrad(true);
    }
}
