package org.ddrl.autodiff.nn;

import org.ddrl.tensor.Tensor;

/** max(x, 0) elementwise (torch.nn.ReLU), for use in {@link Sequential}; any shape. */
public final class ReLU extends Module {
    public Tensor forward(Tensor x) {
        return x.relu();
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        return forward(single(inputs));
    }
}
