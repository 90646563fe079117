package org.ddrl.autodiff.optim;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ddrl.tensor.Tensor;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter), exactly torch.optim.AdamW's rule. At step t,
 * with g the gradient:
 *
 * <pre>
 * p = p * (1 - lr * weight_decay)                  (decay of the weights themselves, not through g)
 * m = beta1 * m + (1 - beta1) * g
 * v = beta2 * v + (1 - beta2) * g * g
 * vmax = max(vmax, v), used in place of v          (amsgrad)
 * p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 *
 * Options: "lr" (default 1e-3), "beta1" (0.9), "beta2" (0.999), "eps" (1e-8), "weight_decay" (1e-2),
 * "amsgrad" (false). State: "exp_avg", "exp_avg_sq", and "max_exp_avg_sq" with amsgrad.
 */
public final class AdamW extends Optimizer {
    public static final String EXP_AVG = "exp_avg";
    public static final String EXP_AVG_SQ = "exp_avg_sq";
    public static final String MAX_EXP_AVG_SQ = "max_exp_avg_sq";

    /** The default options of every group. */
    public static final class Options {
        private final Map<String, Object> values = new LinkedHashMap<>();

        public Options() {
            values.put("lr", 1e-3);
            values.put("beta1", 0.9);
            values.put("beta2", 0.999);
            values.put("eps", 1e-8);
            values.put("weight_decay", 1e-2);
            values.put("amsgrad", false);
        }

        public Options lr(double v) { values.put("lr", v); return this; }
        public Options betas(double beta1, double beta2) { values.put("beta1", beta1); values.put("beta2", beta2); return this; }
        public Options eps(double v) { values.put("eps", v); return this; }
        public Options weightDecay(double v) { values.put("weight_decay", v); return this; }
        public Options amsgrad(boolean v) { values.put("amsgrad", v); return this; }
    }

    public AdamW(Map<String, Tensor> params, Options options) {
        this(List.of(ParamGroup.of(params)), options);
    }

    public AdamW(Collection<Tensor> params, Options options) {
        this(List.of(ParamGroup.of(params)), options);
    }

    public AdamW(List<ParamGroup> groups, Options options) {
        super(groups, options.values);
    }

    @Override
    protected void checkOptions(String where, ParamGroup g) {
        double lr = g.lr(), b1 = g.getDouble("beta1"), b2 = g.getDouble("beta2"), eps = g.getDouble("eps"), wd = g.getDouble("weight_decay");
        if (!(lr >= 0) || Double.isInfinite(lr)) throw new IllegalArgumentException(where + ": invalid learning rate " + lr);
        if (!(b1 >= 0 && b1 < 1)) throw new IllegalArgumentException(where + ": invalid beta1 " + b1 + " (need 0 <= beta1 < 1)");
        if (!(b2 >= 0 && b2 < 1)) throw new IllegalArgumentException(where + ": invalid beta2 " + b2 + " (need 0 <= beta2 < 1)");
        if (!(eps >= 0) || Double.isInfinite(eps)) throw new IllegalArgumentException(where + ": invalid eps " + eps);
        if (!(wd >= 0) || Double.isInfinite(wd)) throw new IllegalArgumentException(where + ": invalid weight_decay " + wd);
    }

    @Override
    protected List<String> stateKeys(ParamGroup g) {
        return g.getBoolean("amsgrad") ? List.of(EXP_AVG, EXP_AVG_SQ, MAX_EXP_AVG_SQ) : List.of(EXP_AVG, EXP_AVG_SQ);
    }

    @Override
    protected void update(ParamGroup g, Tensor param, Tensor grad, ParamState state) {
        double lr = g.lr(), b1 = g.getDouble("beta1"), b2 = g.getDouble("beta2"), eps = g.getDouble("eps"), wd = g.getDouble("weight_decay");
        Tensor m = state.zeros(EXP_AVG);
        Tensor v = state.zeros(EXP_AVG_SQ);
        Tensor vmax = g.getBoolean("amsgrad") ? state.zeros(MAX_EXP_AVG_SQ) : null;
        long t = state.step();
        double stepSize = lr / (1 - Math.pow(b1, t));
        double bc2Sqrt = Math.sqrt(1 - Math.pow(b2, t));
        if (CpuFused.applies(param, grad)) {
            CpuFused.adamw(param, grad, m, v, vmax, lr, wd, b1, b2, eps, stepSize, bc2Sqrt);
            return;
        }
        var ct = ParamState.stateType(param.dtype());
        Tensor p = param.to(ct);
        Tensor d = grad.to(ct);
        if (wd != 0) p = p.mul(1 - lr * wd);
        m.copyFrom(m.mul(b1).add(d.mul(1 - b1)));
        v.copyFrom(v.mul(b2).add(d.mul(d).mul(1 - b2)));
        if (vmax != null) {
            vmax.copyFrom(vmax.maximum(v));
            v = vmax;
        }
        Tensor denom = v.sqrt().div(bc2Sqrt).add(eps);
        param.copyFrom(p.sub(m.div(denom).mul(stepSize)));
    }
}
