package org.ddrl.diffusion.model;

import org.ddrl.autodiff.nn.Linear;
import org.ddrl.autodiff.nn.Module;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;

/**
 * The noise level as a vector: sinusoidal features of 1000 t (t in [0, 1]; the factor puts the level on
 * the 0 .. 1000 scale the frequencies below were designed for, as in DDPM and DiT), then linear1 -> SiLU ->
 * linear2. t [B] to [B, dim].
 */
public final class TimestepEmbedding extends Module {
    /** t is multiplied by this before the sinusoids. */
    public static final double TIME_SCALE = 1000;
    private static final double MAX_PERIOD = 10000;

    private final int frequencyDim;
    private final Linear linear1;
    private final Linear linear2;

    /** frequencyDim: the number of sinusoidal features (even); dim: the output width. */
    public TimestepEmbedding(int frequencyDim, int dim, Generator gen) {
        if (frequencyDim <= 0 || frequencyDim % 2 != 0) {
            throw new IllegalArgumentException("TimestepEmbedding: frequency dim must be even and positive, got " + frequencyDim);
        }
        this.frequencyDim = frequencyDim;
        linear1 = registerModule("linear1", new Linear(frequencyDim, dim, gen));
        linear2 = registerModule("linear2", new Linear(dim, dim, gen));
    }

    /**
     * [cos(1000 t f_0), ..., cos(1000 t f_{k-1}), sin(1000 t f_0), ..., sin(1000 t f_{k-1})] with k = dim / 2
     * and f_i = 10000^(-i / k): periods from 2 pi up to 10000 * 2 pi steps. t [B] to [B, dim] in t's dtype.
     */
    public static Tensor sinusoidal(Tensor t, int dim) {
        if (t.dim() != 1 || !t.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("TimestepEmbedding: t " + t.dtype() + Shapes.str(t.shape()) + " must be floating [B]");
        }
        int half = dim / 2;
        double[] f = new double[half];
        for (int i = 0; i < half; i++) f[i] = Math.exp(-Math.log(MAX_PERIOD) * i / half);
        Tensor freqs = Tensor.of(f, 1, half).to(t.dtype()).to(t.device());
        Tensor args = t.mul(TIME_SCALE).unsqueeze(1).mul(freqs);
        return Tensor.cat(1, args.cos(), args.sin());
    }

    /** t [B] to [B, dim]; computed in F32 unless t is F64. */
    public Tensor forward(Tensor t) {
        Tensor tt = t.dtype() == DType.F64 ? t : t.to(DType.F32);
        Tensor features = sinusoidal(tt, frequencyDim).to(linear1.weight().dtype());
        return linear2.forward(linear1.forward(features).silu());
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        return forward(single(inputs));
    }

    @Override
    protected String extraRepr() {
        return "frequency_dim=" + frequencyDim + ", dim=" + linear2.outFeatures();
    }
}
