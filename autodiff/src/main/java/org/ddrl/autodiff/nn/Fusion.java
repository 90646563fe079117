package org.ddrl.autodiff.nn;

/**
 * Whether the layers run their forward chains as fused ops (the default) or as the composite chains of
 * elementwise ops they replace: AdaLNModulation's norm-and-modulate and gated residual
 * ({@code Functional.layerNormModulate}, {@code Functional.gatedResidual}) and FeedForward's bias and GELU
 * ({@code Functional.biasGelu}). Both paths compute the same function with the same parameters (the
 * state dict does not change), equal up to float rounding; the composite one is kept as the baseline that
 * benchmarks and checks compare against. Set it with {@code -Dddrl.nn.fused=false} at startup or
 * {@link #setEnabled}; layers read it on every forward call.
 */
public final class Fusion {
    private static volatile boolean enabled = !"false".equalsIgnoreCase(System.getProperty("ddrl.nn.fused", "true"));

    private Fusion() {}

    public static boolean enabled() {
        return enabled;
    }

    public static void setEnabled(boolean on) {
        enabled = on;
    }
}
