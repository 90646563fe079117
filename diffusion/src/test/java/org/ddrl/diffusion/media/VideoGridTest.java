package org.ddrl.diffusion.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.ddrl.tensor.Tensor;
import org.junit.jupiter.api.Test;

class VideoGridTest {
    @Test
    void videosAreLaidOutRowByRowWithWhiteGaps() {
        int b = 3, t = 2, h = 2, w = 3;
        float[] v = new float[b * 3 * t * h * w];
        for (int i = 0; i < v.length; i++) v[i] = -0.5f + i / (float) v.length; // all distinct, none white
        Tensor grid = VideoGrid.tile(Tensor.of(v, b, 3, t, h, w), 2);
        int gh = 2 * (h + 1) + 1, gw = 2 * (w + 1) + 1;
        assertArrayEquals(new int[] {3, t, gh, gw}, grid.shape());
        float[] g = grid.toFloatArray();
        for (int i = 0; i < 4; i++) {
            int top = 1 + (i / 2) * (h + 1), left = 1 + (i % 2) * (w + 1);
            for (int c = 0; c < 3; c++) {
                for (int f = 0; f < t; f++) {
                    for (int y = 0; y < h; y++) {
                        for (int x = 0; x < w; x++) {
                            float want = i < b ? v[(((i * 3 + c) * t + f) * h + y) * w + x] : 1f;
                            assertEquals(want, g[((c * t + f) * gh + top + y) * gw + left + x], "video " + i);
                        }
                    }
                }
            }
        }
        assertEquals(1f, g[0], "the frame around the tiles is white");
        assertEquals(1f, g[(gh - 1) * gw + 4], "and so is the gap between them");
    }

    @Test
    void badInputsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> VideoGrid.tile(Tensor.zeros(3, 2, 4, 4), 2));
        assertThrows(IllegalArgumentException.class, () -> VideoGrid.tile(Tensor.zeros(1, 3, 2, 4, 4), 0));
        assertEquals(3, VideoGrid.defaultColumns(9));
        assertEquals(4, VideoGrid.defaultColumns(10));
    }
}
