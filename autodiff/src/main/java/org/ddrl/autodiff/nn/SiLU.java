package org.ddrl.autodiff.nn;

import org.ddrl.tensor.Tensor;

/** x * sigmoid(x) elementwise (torch.nn.SiLU), for use in {@link Sequential}; any shape. */
public final class SiLU extends Module {
    public Tensor forward(Tensor x) {
        return x.silu();
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        return forward(single(inputs));
    }
}
