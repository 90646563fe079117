package org.ddrl.tensor;

import java.util.Arrays;

/**
 * Runs catalog ops: checks arity, liveness and devices, then calls the kernel of the inputs' backend.
 * The autodiff module installs an {@link Interceptor} here to record the graph.
 */
public final class Dispatch {
    private static volatile Interceptor interceptor;
    /** How deep this thread is inside kernels: ops that kernels call are internal, never recorded. */
    private static final ThreadLocal<int[]> KERNEL_DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    private Dispatch() {}

    /** Sees every op call; {@code next} runs the kernel. Used by autodiff to record the graph. */
    public interface Interceptor {
        Tensor call(Op op, Attrs attrs, Tensor[] inputs, Invoker next);
    }

    @FunctionalInterface
    public interface Invoker {
        Tensor invoke(Op op, Attrs attrs, Tensor[] inputs);
    }

    public static void setInterceptor(Interceptor i) {
        interceptor = i;
    }

    /** Runs {@code op} on inputs (nulls allowed for optional inputs). Creation ops read "device" from attrs. */
    public static Tensor call(Op op, Attrs attrs, Tensor... inputs) {
        if (inputs.length < op.minInputs() || inputs.length > op.maxInputs()) {
            throw new IllegalArgumentException(op.opName() + ": expects " + arity(op) + " inputs, got " + inputs.length);
        }
        Interceptor i = interceptor;
        return i == null || KERNEL_DEPTH.get()[0] > 0 ? run(op, attrs, inputs) : i.call(op, attrs, inputs, Dispatch::run);
    }

    private static String arity(Op op) {
        if (op.minInputs() == op.maxInputs()) return String.valueOf(op.minInputs());
        return op.maxInputs() == Integer.MAX_VALUE ? "at least " + op.minInputs() : op.minInputs() + " to " + op.maxInputs();
    }

    /** Runs the kernel, with no interception. */
    public static Tensor run(Op op, Attrs attrs, Tensor[] inputs) {
        Device device = null;
        for (int k = 0; k < inputs.length; k++) {
            Tensor t = inputs[k];
            if (t == null) {
                if (k < op.minInputs()) throw new IllegalArgumentException(op.opName() + ": input " + k + " is required but was null");
                continue;
            }
            t.storage().checkLive(op.opName());
            if (device == null) {
                device = t.device();
            } else if (!device.equals(t.device())) {
                throw new IllegalArgumentException(op.opName() + ": inputs are on different devices, " + device + " and "
                        + t.device() + " (input 0 and input " + k + "); move them with to(device) first");
            }
        }
        if (op.kind() == Op.Kind.VIEW) return ViewOps.apply(op, attrs, inputs[0]);
        if (device == null) device = attrs.has("device") ? (Device) attrs.obj("device") : Backends.defaultDevice();
        Backend backend = Backends.of(device);
        Kernel k = backend.kernel(op);
        if (k == null) {
            throw new UnsupportedOperationException(op.opName() + ": no kernel on device " + device + " for inputs " + describe(inputs));
        }
        if (op == Op.ASSIGN && !Arrays.equals(Shapes.broadcast("assign", inputs[1].shape(), inputs[0].shape()), inputs[0].shape())) {
            throw new IllegalArgumentException("assign: source shape " + Shapes.str(inputs[1].shape())
                    + " does not broadcast to destination " + Shapes.str(inputs[0].shape()));
        }
        // Temporaries a kernel allocates (dense copies of strided inputs...) die with the call; only the
        // result outlives it, in the caller's scope.
        int[] depth = KERNEL_DEPTH.get();
        depth[0]++;
        try (Scope kernelScope = Scope.open()) {
            Tensor out = k.apply(attrs, inputs);
            kernelScope.keep(out);
            if (op == Op.ASSIGN) inputs[0].storage().bumpVersion();
            return out;
        } finally {
            depth[0]--;
        }
    }

    /** "f32[2, 3] on cpu, i64[4] on cpu" for error messages. */
    public static String describe(Tensor... inputs) {
        StringBuilder sb = new StringBuilder();
        for (Tensor t : inputs) {
            if (!sb.isEmpty()) sb.append(", ");
            sb.append(t == null ? "null" : t.dtype().name().toLowerCase() + Arrays.toString(t.shape()) + " on " + t.device());
        }
        return sb.toString();
    }
}
