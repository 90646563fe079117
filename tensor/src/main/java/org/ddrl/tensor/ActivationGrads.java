package org.ddrl.tensor;

import java.util.Arrays;

/**
 * The fused activation gradients GELU_BACKWARD and SILU_BACKWARD: calls, and the argument check every
 * backend runs so that the error messages are the same on every device.
 */
public final class ActivationGrads {
    private ActivationGrads() {}

    /** gradOut * GELU'(x); approximate is "none" (erf form) or "tanh", as the forward. */
    public static Tensor gelu(Tensor gradOut, Tensor x, String approximate) {
        return Dispatch.call(Op.GELU_BACKWARD, Attrs.of("approximate", approximate), gradOut, x);
    }

    /** gradOut * SiLU'(x). */
    public static Tensor silu(Tensor gradOut, Tensor x) {
        return Dispatch.call(Op.SILU_BACKWARD, Attrs.NONE, gradOut, x);
    }

    /** Floating inputs of one shape; for GELU_BACKWARD an approximate of "none" or "tanh". Returns whether GELU is the tanh form. */
    public static boolean check(Op op, Attrs a, Tensor gradOut, Tensor x) {
        String what = "grad output " + desc(gradOut) + " and input " + desc(x);
        if (!gradOut.dtype().isFloatingPoint() || !x.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(op.opName() + ": needs floating-point tensors, got " + what);
        }
        if (!Arrays.equals(gradOut.shape(), x.shape())) {
            throw new IllegalArgumentException(op.opName() + ": grad output and input must have the same shape, got " + what);
        }
        if (op != Op.GELU_BACKWARD) return false;
        String approximate = a.s("approximate");
        if (!approximate.equals("none") && !approximate.equals("tanh")) {
            throw new IllegalArgumentException("gelu_backward: approximate must be \"none\" or \"tanh\", got \"" + approximate + "\"");
        }
        return approximate.equals("tanh");
    }

    private static String desc(Tensor t) {
        return t.dtype().name().toLowerCase() + Shapes.str(t.shape()) + " on " + t.device();
    }
}
