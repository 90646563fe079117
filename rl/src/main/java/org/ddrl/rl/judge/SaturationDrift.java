package org.ddrl.rl.judge;

import org.ddrl.tensor.Shapes;
import org.ddrl.tensor.Tensor;

/**
 * Colour drift: the mean saturation of generated videos minus that of real ones. Saturation is HSV's
 * (max - min) / max of each pixel's RGB, with values in [-1, 1] mapped to [0, 1] (and clamped, as a picture would
 * show them); black pixels count as 0. Over-colouring, the paper's headline failure, shows as a positive drift.
 */
public final class SaturationDrift {
    private SaturationDrift() {}

    /** The mean saturation over every pixel of every frame of videos [N, 3, frames, height, width]. */
    public static double meanSaturation(Tensor videos) {
        int[] s = videos.shape();
        if (s.length != 5 || s[1] != 3 || videos.numel() == 0) {
            throw new IllegalArgumentException("SaturationDrift: expected videos [N, 3, frames, height, width], got " + Shapes.str(s));
        }
        float[] data = videos.toFloatArray();
        int plane = s[2] * s[3] * s[4], n = s[0];
        double sum = 0;
        for (int b = 0; b < n; b++) {
            int at = b * 3 * plane;
            for (int p = 0; p < plane; p++) {
                double r = unit(data[at + p]), g = unit(data[at + plane + p]), bl = unit(data[at + 2 * plane + p]);
                double max = Math.max(r, Math.max(g, bl)), min = Math.min(r, Math.min(g, bl));
                if (max > 0) sum += (max - min) / max;
            }
        }
        return sum / ((double) n * plane);
    }

    /** Mean saturation of generated minus that of real videos. */
    public static double drift(Tensor generated, Tensor real) {
        return meanSaturation(generated) - meanSaturation(real);
    }

    /** [-1, 1] to [0, 1], clamped; NaN to 0. */
    private static double unit(float v) {
        if (!(v > -1)) return 0;
        return v >= 1 ? 1 : (v + 1) / 2.0;
    }
}
