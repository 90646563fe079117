package org.ddrl.autodiff;

import java.util.ArrayList;
import java.util.List;
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
        return checkpoint(fn, List.of(), inputs);
    }

    /**
     * As {@link #checkpoint(Function, Tensor...)} for an fn that also reads tensors it is not given, such as
     * the parameters of the modules it calls: list them in {@code captured} (leaf tensors) and they receive
     * their gradients too (the recomputation reads them directly, so without this they would get none). The
     * recomputation runs in its own scope during backward, so only the gradients it yields outlive it.
     */
    public static Tensor checkpoint(Function<Tensor[], Tensor> fn, List<Tensor> captured, Tensor... inputs) {
        boolean any = false;
        for (Tensor t : inputs) any |= t != null && t.requiresGrad();
        for (Tensor t : captured) any |= t.requiresGrad();
        if (!GradMode.isEnabled() || !any) return fn.apply(inputs);
        Tensor out;
        try (Scope scope = Scope.open(); GradMode.Guard g = GradMode.noGrad()) {
            out = scope.keep(fn.apply(inputs));
        }
        Tensor[] all = new Tensor[inputs.length + captured.size()];
        System.arraycopy(inputs, 0, all, 0, inputs.length);
        for (int j = 0; j < captured.size(); j++) all[inputs.length + j] = captured.get(j);
        return Engine.attach("checkpoint", all, out, (node, gradOut) -> {
            Tensor[] leaves = new Tensor[inputs.length];
            List<Tensor> wrt = new ArrayList<>();
            List<Integer> slot = new ArrayList<>();
            for (int i = 0; i < all.length; i++) {
                if (all[i] == null) continue;
                Tensor t = all[i];
                if (i < inputs.length) {
                    t = leaves[i] = t.detach();
                    if (all[i].requiresGrad()) t.requiresGrad(true);
                }
                if (t.requiresGrad()) {
                    wrt.add(t);
                    slot.add(i);
                }
            }
            try (Scope scope = Scope.open(); GradMode.Guard g = GradMode.enableGrad()) {
                Tensor recomputed = fn.apply(leaves);
                Tensor[] found = Engine.grad(recomputed, gradOut, wrt.toArray(new Tensor[0]), false);
                Tensor[] grads = new Tensor[all.length];
                for (int k = 0; k < found.length; k++) {
                    if (found[k] != null) grads[slot.get(k)] = scope.keep(found[k]);
                }
                return grads;
            }
        });
    }
}
