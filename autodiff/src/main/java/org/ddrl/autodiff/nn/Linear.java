package org.ddrl.autodiff.nn;

import org.ddrl.tensor.DType;
import org.ddrl.tensor.Functional;
import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;

/**
 * y = x W^T + b. Shapes: x [*, in_features] (any number of leading dims) to y [*, out_features]; weight
 * [out_features, in_features], bias [out_features]. Initialized as PyTorch: weight kaiming-uniform with
 * a = sqrt(5) (U(-1/sqrt(in), 1/sqrt(in))), bias U(-1/sqrt(in), 1/sqrt(in)), weight drawn first.
 */
public final class Linear extends Module {
    private final int inFeatures;
    private final int outFeatures;

    public Linear(int inFeatures, int outFeatures, Generator gen) {
        this(inFeatures, outFeatures, true, gen);
    }

    public Linear(int inFeatures, int outFeatures, boolean bias, Generator gen) {
        this(inFeatures, outFeatures, bias);
        Init.kaimingUniform(weight(), Math.sqrt(5), Init.FanMode.FAN_IN, Init.Nonlinearity.LEAKY_RELU, gen);
        if (bias) {
            double bound = inFeatures > 0 ? 1 / Math.sqrt(inFeatures) : 0;
            Init.uniform(bias(), -bound, bound, gen);
        }
    }

    /** Zero weight and bias, for layers that must start as the zero map (adaLN-Zero, a DiT's final layer). */
    public static Linear zeros(int inFeatures, int outFeatures, boolean bias) {
        return new Linear(inFeatures, outFeatures, bias);
    }

    private Linear(int inFeatures, int outFeatures, boolean bias) {
        if (inFeatures < 0 || outFeatures < 0) {
            throw new IllegalArgumentException("Linear: feature counts must be >= 0, got in=" + inFeatures + " out=" + outFeatures);
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        registerParameter("weight", Tensor.zeros(DType.F32, outFeatures, inFeatures));
        if (bias) registerParameter("bias", Tensor.zeros(DType.F32, outFeatures));
    }

    public Tensor weight() {
        return param("weight");
    }

    /** The bias, or null when built without one. */
    public Tensor bias() {
        return paramOrNull("bias");
    }

    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }

    public Tensor forward(Tensor x) {
        if (x.dim() < 1 || x.size(-1) != inFeatures) {
            throw new IllegalArgumentException(describe() + ": input " + Shapes.str(x.shape()) + " must end in " + inFeatures + " features");
        }
        return Functional.linear(x, weight(), bias());
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        return forward(single(inputs));
    }

    @Override
    protected String extraRepr() {
        return "in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias=" + (bias() != null);
    }
}
