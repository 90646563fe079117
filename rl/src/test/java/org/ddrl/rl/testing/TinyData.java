package org.ddrl.rl.testing;

import org.ddrl.diffusion.data.Dataset;
import org.ddrl.diffusion.data.Sample;
import org.ddrl.tensor.Tensor;

/**
 * Videos of {@link Runs#SHAPE} captioned with {@link Runs#CAPTIONS} in turn: a flat colour per caption (red, blue,
 * green at 0.6) with a horizontal ramp that moves one pixel per frame, in [-1, 1].
 */
public final class TinyData implements Dataset {
    private static final double[][] COLOURS = {{0.6, -0.6, -0.6}, {-0.6, -0.6, 0.6}, {-0.6, 0.6, -0.6}};
    private final int size;

    public TinyData(int size) {
        this.size = size;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int[] videoShape() {
        return Runs.SHAPE.clone();
    }

    @Override
    public Sample get(int index) {
        Dataset.checkIndex(index, size);
        int k = index % Runs.CAPTIONS.size();
        int t = Runs.SHAPE[1], h = Runs.SHAPE[2], w = Runs.SHAPE[3];
        float[] v = new float[3 * t * h * w];
        for (int c = 0; c < 3; c++) {
            for (int f = 0; f < t; f++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) v[((c * t + f) * h + y) * w + x] = (float) (COLOURS[k][c] + 0.05 * ((x + f + index) % w) / w);
                }
            }
        }
        return new Sample(Tensor.of(v, Runs.SHAPE), Runs.CAPTIONS.get(k), null);
    }
}
