package org.ddrl.tensor.cpu;

import org.ddrl.tensor.Attrs;
import org.ddrl.tensor.Op;

/**
 * A unary op with its attributes resolved to plain numbers once, so the inner loops read no Attrs:
 * CLAMP keeps its bounds in p (min) and q (max), with an open side as an infinity (clamping to an
 * infinity changes nothing and lets NaN inputs pass through unchanged); SOFTPLUS keeps beta in p and
 * threshold in q; GELU says whether it uses the tanh form.
 */
record UnarySpec(Op op, double p, double q, boolean tanhGelu) {
    static UnarySpec of(Op op, Attrs a) {
        return switch (op) {
            case CLAMP -> {
                double lo = a.d("min"), hi = a.d("max");
                yield new UnarySpec(op, Double.isNaN(lo) ? Double.NEGATIVE_INFINITY : lo,
                        Double.isNaN(hi) ? Double.POSITIVE_INFINITY : hi, false);
            }
            case SOFTPLUS -> new UnarySpec(op, a.d("beta"), a.d("threshold"), false);
            case GELU -> {
                String form = a.has("approximate") ? a.s("approximate") : "none";
                if (!form.equals("none") && !form.equals("tanh")) {
                    throw new IllegalArgumentException("gelu: approximate must be \"none\" or \"tanh\", got \"" + form + "\"");
                }
                yield new UnarySpec(op, 0, 0, form.equals("tanh"));
            }
            default -> new UnarySpec(op, 0, 0, false);
        };
    }
}
