package org.ddrl.autodiff;

import java.util.function.Function;
import org.ddrl.tensor.GradMode;
import org.ddrl.tensor.Scope;
import org.ddrl.tensor.Tensor;

/** Autodiff entry points beyond {@link Tensor#backward()}: gradients as values, custom functions, checkpointing. */
public final class Autograd {
    private Autograd() {}

    /**
     * d output / d inputs[i] seeded with gradOutput (ones for a one-element output), returned instead of
     * accumulated into .grad (torch.autograd.grad). Inputs the output does not depend on get null.
     */
    public static Tensor[] grad(Tensor output, Tensor gradOutput, Tensor... inputs) {
        if (!output.requiresGrad()) {
            throw new IllegalStateException("grad: the output does not require grad; none of its inputs required grad");
        }
        Tensor seed = gradOutput != null ? gradOutput : Tensor.ones(output.dtype(), output.device(), output.shape());
        return Engine.grad(output, seed, inputs, false);
    }

    /** The backward of a custom function: maps the output's gradient to one gradient per input (null allowed). */
    @FunctionalInterface
    public interface BackwardFn {
        Tensor[] apply(Tensor gradOutput);
    }

    /**
     * Records {@code output} as computed from {@code inputs} with a hand-written backward (as a
     * torch.autograd.Function); returns the tensor to use downstream. Compute output under
     * {@link GradMode#noGrad()} so its internals are not recorded as well.
     */
    public static Tensor function(String name, Tensor[] inputs, Tensor output, BackwardFn backward) {
        return Engine.attach(name, inputs, output, (node, g) -> backward.apply(g));
    }

    /**
     * Gradient checkpointing: runs fn without keeping its intermediate results (they are released as soon as
     * fn returns) and recomputes them during backward. Trades compute for memory on deep blocks. fn must be
     * deterministic given its inputs (use an explicit generator for dropout).
     */
    public static Tensor checkpoint(Function<Tensor[], Tensor> fn, Tensor... inputs) {
        boolean any = false;
        for (Tensor t : inputs) any |= t != null && t.requiresGrad();
        if (!GradMode.isEnabled() || !any) return fn.apply(inputs);
        Tensor out;
        try (Scope scope = Scope.open(); GradMode.Guard g = GradMode.noGrad()) {
            out = scope.keep(fn.apply(inputs));
        }
        return Engine.attach("checkpoint", inputs, out, (node, gradOut) -> {
            Tensor[] leaves = new Tensor[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                if (inputs[i] == null) continue;
                leaves[i] = inputs[i].detach();
                if (inputs[i].requiresGrad()) leaves[i].requiresGrad(true);
            }
            try (GradMode.Guard g = GradMode.enableGrad()) {
                Tensor recomputed = fn.apply(leaves);
                java.util.List<Tensor> wrt = new java.util.ArrayList<>();
                for (Tensor l : leaves) if (l != null && l.requiresGrad()) wrt.add(l);
                Tensor[] found = Engine.grad(recomputed, gradOut, wrt.toArray(new Tensor[0]), false);
                Tensor[] grads = new Tensor[inputs.length];
                for (int i = 0, j = 0; i < inputs.length; i++) {
                    if (leaves[i] != null && leaves[i].requiresGrad()) grads[i] = found[j++];
                }
                return grads;
            }
        });
    }
}
