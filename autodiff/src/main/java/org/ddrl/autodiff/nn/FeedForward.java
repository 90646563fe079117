package org.ddrl.autodiff.nn;

import org.ddrl.tensor.Functional;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;

/**
 * The transformer MLP: x [*, dim] to [*, dim] through a hidden width.
 * <ul>
 *   <li>GELU / GELU_TANH: fc2(gelu(fc1(x))), fc1 [hidden, dim], fc2 [dim, hidden] (exact or tanh GELU).</li>
 *   <li>SWIGLU: down_proj(silu(gate_proj(x)) * up_proj(x)), gate_proj and up_proj [hidden, dim], down_proj
 *       [dim, hidden]; pick hidden about 2/3 of a GELU MLP's to match its parameter count.</li>
 * </ul>
 * All Linear layers use the default initialization.
 */
public final class FeedForward extends Module {
    public enum Activation { GELU, GELU_TANH, SWIGLU }

    private final int dim;
    private final int hiddenDim;
    private final Activation activation;
    /** fc1 or gate_proj */
    private final Linear in;
    /** up_proj, or null for the GELU variants */
    private final Linear up;
    /** fc2 or down_proj */
    private final Linear out;

    public FeedForward(int dim, int hiddenDim, Activation activation, boolean bias, Generator gen) {
        this.dim = dim;
        this.hiddenDim = hiddenDim;
        this.activation = activation;
        if (activation == Activation.SWIGLU) {
            in = registerModule("gate_proj", new Linear(dim, hiddenDim, bias, gen));
            up = registerModule("up_proj", new Linear(dim, hiddenDim, bias, gen));
            out = registerModule("down_proj", new Linear(hiddenDim, dim, bias, gen));
        } else {
            in = registerModule("fc1", new Linear(dim, hiddenDim, bias, gen));
            up = null;
            out = registerModule("fc2", new Linear(hiddenDim, dim, bias, gen));
        }
    }

    public Tensor forward(Tensor x) {
        if (x.dim() < 1 || x.size(-1) != dim) {
            throw new IllegalArgumentException(describe() + ": input " + Shapes.str(x.shape()) + " must end in " + dim + " features");
        }
        Tensor h = switch (activation) {
            case GELU -> gelu(x, "none");
            case GELU_TANH -> gelu(x, "tanh");
            case SWIGLU -> in.forward(x).silu().mul(up.forward(x));
        };
        return out.forward(h);
    }

    /**
     * gelu(fc1(x)). With a bias, the bias and the activation are one fused pass over the GEMM output
     * ({@code Functional.biasGelu}, see {@link Fusion}) instead of an add pass and a gelu pass.
     */
    private Tensor gelu(Tensor x, String approximate) {
        if (Fusion.enabled() && in.bias() != null) return Functional.biasGelu(x.matmul(in.weight().t()), in.bias(), approximate);
        return in.forward(x).gelu(approximate);
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        return forward(single(inputs));
    }

    @Override
    protected String extraRepr() {
        return "dim=" + dim + ", hidden_dim=" + hiddenDim + ", activation=" + activation.name().toLowerCase();
    }
}
