package org.ddrl.tensor.cuda;

/**
 * How matmul and the conv3d ops (implicit GEMMs) on CUDA devices may use tensor cores; process-wide, like
 * {@code torch.backends.cuda.matmul}.
 *
 * <ul>
 *   <li>{@link #allowTf32()} (default false, property {@code ddrl.cuda.matmul.allowTf32}): F32 products (and F32 convolutions)
 *       round their operands to TF32 (10-bit mantissa) on tensor cores and accumulate in F32. The error
 *       grows from about 1e-6 to about 1e-3 relative: at most (2^-10 + k 2^-23) sum |a_ik b_kj| per element
 *       of a product with inner dim k. As {@code torch.backends.cuda.matmul.allow_tf32}.</li>
 *   <li>{@link #tensorCores()} (default true, property {@code ddrl.cuda.matmul.tensorCores}): products of
 *       two BF16 or two F16 operands (and BF16 / F16 convolutions) run on tensor cores (WMMA) with F32 accumulation. Nothing is rounded
 *       that the portable path keeps (the operands already are BF16 / F16), so only the order of the F32
 *       additions differs: at most k 2^-23 sum |a_ik b_kj| before the result is rounded to its dtype. Off,
 *       they take the portable float path, as mixed dtypes always do.</li>
 * </ul>
 * Both need a device and a kernel build with tensor cores (compute capability 8.0 and newer, or the
 * emulated device, whose WMMA is software); elsewhere every product takes the portable path.
 */
public final class CudaMatmulSettings {
    private static volatile boolean allowTf32 = Boolean.parseBoolean(System.getProperty("ddrl.cuda.matmul.allowTf32", "false"));
    private static volatile boolean tensorCores = Boolean.parseBoolean(System.getProperty("ddrl.cuda.matmul.tensorCores", "true"));

    private CudaMatmulSettings() {}

    /** Whether F32 products may run on tensor cores in TF32 (default false). */
    public static boolean allowTf32() {
        return allowTf32;
    }

    /** Allows or forbids TF32 for F32 products from the next matmul on; returns the previous setting. */
    public static boolean setAllowTf32(boolean allow) {
        boolean was = allowTf32;
        allowTf32 = allow;
        return was;
    }

    /** Whether BF16 x BF16 and F16 x F16 products run on tensor cores (default true). */
    public static boolean tensorCores() {
        return tensorCores;
    }

    /** Enables or disables tensor cores for BF16 and F16 products from the next matmul on; returns the previous setting. */
    public static boolean setTensorCores(boolean enable) {
        boolean was = tensorCores;
        tensorCores = enable;
        return was;
    }
}
