package org.ddrl.diffusion.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Tensor;

/**
 * Videos from arrays read out of .npy and safetensors files, in one of two layouts:
 * <ul>
 *   <li>integers (uint8, or any integer type holding 0..255), channels last: [frames, height, width, 3], as video
 *       decoders and imageio produce them; mapped to [-1, 1] by v / 127.5 - 1;</li>
 *   <li>floats (F16, BF16, F32, F64), channels first: [3, frames, height, width], already in [-1, 1] (values up to
 *       {@link #TOLERANCE} outside are clamped, as left by rounding; anything further out, NaN or infinite, is
 *       refused);</li>
 * </ul>
 * either alone or as a batch with a leading dim, [N, ...]. Errors name the file (and tensor), the shape and dtype,
 * and for a bad value its index.
 */
final class VideoArrays {
    /** How far outside [-1, 1] a float may stray (rounding of a conversion) before it is an error. */
    static final double TOLERANCE = 1e-3;

    private VideoArrays() {}

    /** The videos of the array, each [3, T, H, W] as a flat float array; their shape goes into {@code shape}. */
    static List<float[]> videos(String where, Tensor t, int[] shape) throws VideoFileException {
        int[] s = t.shape();
        DType dtype = t.dtype();
        boolean batch = s.length == 5;
        boolean integral = dtype.isIntegral();
        if ((s.length != 4 && !batch) || !(integral || dtype.isFloatingPoint())
                || (integral && s[s.length - 1] != 3) || (!integral && s[batch ? 1 : 0] != 3)) {
            throw new VideoFileException(where + ": expected a video [frames, height, width, 3] of 8-bit integers (uint8) or "
                    + "[3, frames, height, width] of floats in [-1, 1], or a batch of them with a leading dim; got shape "
                    + Arrays.toString(s) + " of " + dtype);
        }
        for (int d : s) {
            if (d == 0) throw new VideoFileException(where + ": shape " + Arrays.toString(s) + " holds no pixels");
        }
        int n = batch ? s[0] : 1, o = batch ? 1 : 0;
        int frames = integral ? s[o] : s[o + 1], h = integral ? s[o + 1] : s[o + 2], w = integral ? s[o + 2] : s[o + 3];
        System.arraycopy(new int[] {3, frames, h, w}, 0, shape, 0, 4);
        int per = Math.multiplyExact(3 * frames, Math.multiplyExact(h, w));
        List<float[]> out = new ArrayList<>();
        if (integral) {
            long[] v = t.toLongArray();
            for (int i = 0; i < n; i++) out.add(fromChannelsLast(where, s, v, i * (long) per, frames, h, w));
        } else {
            float[] v = t.toFloatArray();
            for (int i = 0; i < n; i++) {
                float[] video = Arrays.copyOfRange(v, i * per, (i + 1) * per);
                for (int k = 0; k < per; k++) {
                    float x = video[k];
                    if (!(Math.abs(x) <= 1 + TOLERANCE)) {
                        throw new VideoFileException(where + ": value " + x + " at index " + index(s, i * (long) per + k) + " of shape "
                                + Arrays.toString(s) + " is outside [-1, 1]; float videos must already be scaled to [-1, 1] "
                                + "(8-bit videos are scaled on loading when stored as integers)");
                    }
                    video[k] = Math.max(-1f, Math.min(1f, x));
                }
                out.add(video);
            }
        }
        return out;
    }

    private static float[] fromChannelsLast(String where, int[] s, long[] v, long at, int frames, int h, int w)
            throws VideoFileException {
        int plane = h * w;
        float[] out = new float[3 * frames * plane];
        long k = at;
        for (int t = 0; t < frames; t++) {
            for (int p = 0; p < plane; p++) {
                for (int c = 0; c < 3; c++, k++) {
                    long x = v[(int) k];
                    if (x < 0 || x > 255) {
                        throw new VideoFileException(where + ": value " + x + " at index " + index(s, k) + " of shape "
                                + Arrays.toString(s) + " is outside 0..255; integer videos must hold 8-bit values");
                    }
                    out[(c * frames + t) * plane + p] = x / 127.5f - 1;
                }
            }
        }
        return out;
    }

    /** The multi-index of a row-major flat index. */
    private static String index(int[] shape, long flat) {
        long[] idx = new long[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return Arrays.toString(idx);
    }
}
