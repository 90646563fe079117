package org.ddrl.autodiff.nn;

import org.ddrl.tensor.Tensor;

/** x * Phi(x) elementwise (torch.nn.GELU), exact or with the tanh approximation, for use in {@link Sequential}; any shape. */
public final class GELU extends Module {
    private final String approximate;

    /** The exact (erf) form. */
    public GELU() {
        this("none");
    }

    /** approximate: "none" or "tanh". */
    public GELU(String approximate) {
        if (!approximate.equals("none") && !approximate.equals("tanh")) {
            throw new IllegalArgumentException("GELU: approximate must be \"none\" or \"tanh\", got \"" + approximate + "\"");
        }
        this.approximate = approximate;
    }

    public Tensor forward(Tensor x) {
        return x.gelu(approximate);
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        return forward(single(inputs));
    }

    @Override
    protected String extraRepr() {
        return approximate.equals("none") ? "" : "approximate=" + approximate;
    }
}
