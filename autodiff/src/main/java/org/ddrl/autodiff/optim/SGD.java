package org.ddrl.autodiff.optim;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ddrl.tensor.Tensor;

/**
 * Stochastic gradient descent with momentum, exactly torch.optim.SGD's rule. With g the gradient:
 *
 * <pre>
 * g = g + weight_decay * p                                   (L2 penalty, coupled to the gradient)
 * b = g on the first step, else momentum * b + (1 - dampening) * g
 * g = nesterov ? g + momentum * b : b                        (when momentum != 0)
 * p = p - lr * g
 * </pre>
 *
 * Options: "lr" (default 1e-3), "momentum" (0), "dampening" (0), "weight_decay" (0), "nesterov" (false).
 * State: "momentum_buffer" when momentum is non-zero.
 */
public final class SGD extends Optimizer {
    public static final String MOMENTUM_BUFFER = "momentum_buffer";

    /** The default options of every group. */
    public static final class Options {
        private final Map<String, Object> values = new LinkedHashMap<>();

        public Options() {
            values.put("lr", 1e-3);
            values.put("momentum", 0.0);
            values.put("dampening", 0.0);
            values.put("weight_decay", 0.0);
            values.put("nesterov", false);
        }

        public Options lr(double v) { values.put("lr", v); return this; }
        public Options momentum(double v) { values.put("momentum", v); return this; }
        public Options dampening(double v) { values.put("dampening", v); return this; }
        public Options weightDecay(double v) { values.put("weight_decay", v); return this; }
        public Options nesterov(boolean v) { values.put("nesterov", v); return this; }
    }

    public SGD(Map<String, Tensor> params, Options options) {
        this(List.of(ParamGroup.of(params)), options);
    }

    public SGD(Collection<Tensor> params, Options options) {
        this(List.of(ParamGroup.of(params)), options);
    }

    public SGD(List<ParamGroup> groups, Options options) {
        super(groups, options.values);
    }

    @Override
    protected void checkOptions(String where, ParamGroup g) {
        double lr = g.lr(), momentum = g.getDouble("momentum"), dampening = g.getDouble("dampening"), wd = g.getDouble("weight_decay");
        if (!(lr >= 0) || Double.isInfinite(lr)) throw new IllegalArgumentException(where + ": invalid learning rate " + lr);
        if (!(momentum >= 0) || Double.isInfinite(momentum)) throw new IllegalArgumentException(where + ": invalid momentum " + momentum);
        if (!Double.isFinite(dampening)) throw new IllegalArgumentException(where + ": invalid dampening " + dampening);
        if (!(wd >= 0) || Double.isInfinite(wd)) throw new IllegalArgumentException(where + ": invalid weight_decay " + wd);
        if (g.getBoolean("nesterov") && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException(where + ": nesterov momentum requires a momentum > 0 and zero dampening, got momentum "
                    + momentum + " and dampening " + dampening);
        }
    }

    @Override
    protected List<String> stateKeys(ParamGroup g) {
        return g.getDouble("momentum") != 0 ? List.of(MOMENTUM_BUFFER) : List.of();
    }

    @Override
    protected void update(ParamGroup g, Tensor param, Tensor grad, ParamState state) {
        double lr = g.lr(), momentum = g.getDouble("momentum"), dampening = g.getDouble("dampening"), wd = g.getDouble("weight_decay");
        boolean nesterov = g.getBoolean("nesterov");
        boolean first = momentum != 0 && state.get(MOMENTUM_BUFFER) == null;
        if (CpuFused.applies(param, grad)) {
            Tensor buf = momentum != 0 ? state.zeros(MOMENTUM_BUFFER) : null;
            CpuFused.sgd(param, grad, buf, first, lr, momentum, dampening, wd, nesterov);
            return;
        }
        var ct = ParamState.stateType(param.dtype());
        Tensor p = param.to(ct);
        Tensor d = grad.to(ct);
        if (wd != 0) d = d.add(p.mul(wd));
        if (momentum != 0) {
            Tensor buf;
            if (first) {
                buf = state.init(MOMENTUM_BUFFER, d);
            } else {
                buf = state.get(MOMENTUM_BUFFER);
                buf.copyFrom(buf.mul(momentum).add(d.mul(1 - dampening)));
            }
            d = nesterov ? d.add(buf.mul(momentum)) : buf;
        }
        param.copyFrom(p.sub(d.mul(lr)));
    }
}
