package org.ddrl.autodiff.nn;

import org.ddrl.tensor.DType;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;

/**
 * Inverted dropout (torch.nn.Dropout): in training, each element of x [*] is kept with probability 1 - p
 * and scaled by 1 / (1 - p), else zeroed, so the expected output equals x; in eval mode (and for p = 0) it
 * is the identity. The keep mask is {@code rand < 1 - p} drawn in F32 from the layer's own generator, so a
 * run is reproduced exactly by the generator's seed and the order of calls, whatever x's dtype.
 */
public final class Dropout extends Module {
    private final double p;
    private final Generator gen;

    public Dropout(double p, Generator gen) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("Dropout: p must be in [0, 1], got " + p);
        this.p = p;
        this.gen = gen;
    }

    public double p() {
        return p;
    }

    public Tensor forward(Tensor x) {
        if (!isTraining() || p == 0) return x;
        if (p == 1) return x.mul(0);
        Tensor keep = Tensor.rand(gen, DType.F32, x.device(), x.shape()).lt(1 - p);
        return x.mul(keep.to(x.dtype()).mul(1 / (1 - p)));
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        return forward(single(inputs));
    }

    @Override
    protected String extraRepr() {
        return "p=" + p;
    }
}
