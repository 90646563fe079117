package org.ddrl.tensor;

/**
 * Whether ops are recorded for autodiff on this thread. {@code try (var g = GradMode.noGrad()) {...}}
 * turns recording off for a block (evaluation, optimizer updates), as torch.no_grad.
 */
public final class GradMode {
    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    private GradMode() {}

    public static boolean isEnabled() {
        return ENABLED.get()[0];
    }

    /** Restores the previous mode on close. */
    public interface Guard extends AutoCloseable {
        @Override
        void close();
    }

    public static Guard noGrad() {
        return set(false);
    }

    public static Guard enableGrad() {
        return set(true);
    }

    private static Guard set(boolean on) {
        boolean[] flag = ENABLED.get();
        boolean prev = flag[0];
        flag[0] = on;
        return () -> flag[0] = prev;
    }
}
