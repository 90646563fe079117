package org.ddrl.diffusion.model;

import java.util.function.Function;
import org.ddrl.autodiff.Autograd;
import org.ddrl.autodiff.nn.Module;
import org.ddrl.tensor.Tensor;

/** Runs a block either plainly or under gradient checkpointing, in which case its parameters are handed over as captured tensors. */
final class BlockCheckpoint {
    private BlockCheckpoint() {}

    static Tensor run(boolean checkpoint, Module block, Function<Tensor[], Tensor> fn, Tensor... inputs) {
        return checkpoint ? Autograd.checkpoint(fn, block.parameters(), inputs) : fn.apply(inputs);
    }
}
