package org.ddrl.autodiff.nn;

import java.util.Arrays;
import org.ddrl.tensor.Functional;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;

/**
 * Adaptive layer-norm modulation from a conditioning vector, as in DiT: c [N, cond_dim] goes through SiLU
 * and a Linear to [N, chunks * dim], split into chunks of [N, dim] (shift, scale, gate, ...), which
 * {@link #modulate} and {@link #gate} apply to a normalized x [N, *, dim]. The Linear starts at zero
 * (adaLN-Zero): every modulation is the identity at initialization, so a residual block it gates
 * starts as the identity map. The child Linear is registered as "linear".
 */
public final class AdaLNModulation extends Module {
    private final int condDim;
    private final int dim;
    private final int chunks;
    private final Linear linear;

    public AdaLNModulation(int condDim, int dim, int chunks) {
        if (chunks <= 0 || dim <= 0 || condDim <= 0) {
            throw new IllegalArgumentException("AdaLNModulation: need positive cond_dim, dim and chunks, got " + condDim + ", " + dim
                    + ", " + chunks);
        }
        this.condDim = condDim;
        this.dim = dim;
        this.chunks = chunks;
        linear = registerModule("linear", Linear.zeros(condDim, chunks * dim, true));
    }

    /** c [N, cond_dim] to [N, chunks * dim]. */
    public Tensor forward(Tensor c) {
        if (c.dim() != 2 || c.size(1) != condDim) {
            throw new IllegalArgumentException(describe() + ": conditioning " + Shapes.str(c.shape()) + " must be [N, " + condDim + "]");
        }
        return linear.forward(c.silu());
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        return forward(single(inputs));
    }

    /** The forward output split into {@code chunks} views of [N, dim], in order. */
    public Tensor[] chunks(Tensor c) {
        return forward(c).chunk(chunks, 1);
    }

    /** x * (1 + scale) + shift, with shift and scale [N, dim] broadcast over x [N, *, dim] (or already broadcastable to x). */
    public static Tensor modulate(Tensor x, Tensor shift, Tensor scale) {
        return x.mul(perSample(scale, x).add(1)).add(perSample(shift, x));
    }

    /**
     * norm(x) * (1 + scale) + shift. Where norm is a plain LayerNorm over the last dim (no weight or bias, as
     * DiT's norm1 and norm3) and shift and scale are per sample, this is one fused op that normalizes and
     * modulates each row in one pass ({@code Functional.layerNormModulate}, see {@link Fusion}); otherwise
     * the norm, then {@link #modulate(Tensor, Tensor, Tensor)}.
     */
    public static Tensor modulate(LayerNorm norm, Tensor x, Tensor shift, Tensor scale) {
        if (Fusion.enabled() && norm.isPlain() && norm.normalizedShape().length == 1 && isPerSample(shift, x) && isPerSample(scale, x)) {
            return Functional.layerNormModulate(x, shift, scale, norm.eps());
        }
        return modulate(norm.forward(x), shift, scale);
    }

    /**
     * The gated residual x + gate * y, gate [N, dim] (or broadcastable to y) per sample: one fused op
     * ({@code Functional.gatedResidual}, see {@link Fusion}) where x and y have one shape and the gate one
     * vector per sample, else x + {@link #gate(Tensor, Tensor)}.
     */
    public static Tensor gatedResidual(Tensor x, Tensor y, Tensor gate) {
        if (Fusion.enabled() && Arrays.equals(x.shape(), y.shape()) && isPerSample(gate, y)) return Functional.gatedResidual(x, y, gate);
        return x.add(gate(y, gate));
    }

    /** Whether m is one vector per sample of x [N, *, dim]: [N, dim] or [N, 1, ..., 1, dim]. */
    private static boolean isPerSample(Tensor m, Tensor x) {
        int r = x.dim();
        if (r < 2 || (m.dim() != 2 && m.dim() != r) || m.size(0) != x.size(0) || m.size(-1) != x.size(-1)) return false;
        for (int d = 1; d < m.dim() - 1; d++) if (m.size(d) != 1) return false;
        return true;
    }

    /** x * gate, with gate [N, dim] broadcast over x [N, *, dim] (or already broadcastable to x). */
    public static Tensor gate(Tensor x, Tensor gate) {
        return x.mul(perSample(gate, x));
    }

    /** A per-sample [N, dim] tensor reshaped to [N, 1, ..., 1, dim] to broadcast over x's middle dims. */
    private static Tensor perSample(Tensor m, Tensor x) {
        if (m.dim() != 2 || x.dim() <= 2) return m;
        if (m.size(0) != x.size(0) || m.size(1) != x.size(-1)) {
            throw new IllegalArgumentException("AdaLNModulation: modulation " + Shapes.str(m.shape()) + " does not match input "
                    + Shapes.str(x.shape()) + " (expected [" + x.size(0) + ", " + x.size(-1) + "])");
        }
        int[] s = new int[x.dim()];
        Arrays.fill(s, 1);
        s[0] = m.size(0);
        s[s.length - 1] = m.size(1);
        return m.reshape(s);
    }

    @Override
    protected String extraRepr() {
        return "cond_dim=" + condDim + ", dim=" + dim + ", chunks=" + chunks;
    }
}
