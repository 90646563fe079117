package org.ddrl.autodiff.nn;

import org.ddrl.tensor.Tensor;

/** tanh(x) elementwise (torch.nn.Tanh), for use in {@link Sequential}; any shape. */
public final class Tanh extends Module {
    public Tensor forward(Tensor x) {
        return x.tanh();
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        return forward(single(inputs));
    }
}
