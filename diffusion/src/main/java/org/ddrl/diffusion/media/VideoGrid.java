package org.ddrl.diffusion.media;

import java.io.IOException;
import java.nio.file.Path;
import org.ddrl.tensor.Tensor;

/**
 * Several videos tiled into one: a batch [B, 3, T, H, W] becomes a single video [3, T, rows * (H + gap) + gap,
 * columns * (W + gap) + gap], videos laid out row by row, separated and framed by white gaps. Empty cells at the
 * end of the last row are white too. The result plays all videos side by side, e.g. as one animated GIF.
 */
public final class VideoGrid {
    /** Pixels between and around the tiles. */
    public static final int GAP = 1;

    private VideoGrid() {}

    /** The videos tiled into {@code columns} columns. */
    public static Tensor tile(Tensor videos, int columns) {
        int[] s = Frames.checkVideos("VideoGrid.tile", videos);
        if (columns < 1) throw new IllegalArgumentException("VideoGrid.tile: columns must be positive, got " + columns);
        int b = s[0], frames = s[2], h = s[3], w = s[4];
        int cols = Math.min(columns, b), rows = (b + cols - 1) / cols;
        int gh = rows * (h + GAP) + GAP, gw = cols * (w + GAP) + GAP;
        float[] in = videos.toFloatArray();
        float[] out = new float[Math.multiplyExact(3 * frames, Math.multiplyExact(gh, gw))];
        java.util.Arrays.fill(out, 1f);
        for (int i = 0; i < b; i++) {
            int top = GAP + (i / cols) * (h + GAP), left = GAP + (i % cols) * (w + GAP);
            for (int c = 0; c < 3; c++) {
                for (int t = 0; t < frames; t++) {
                    for (int y = 0; y < h; y++) {
                        int src = (((i * 3 + c) * frames + t) * h + y) * w;
                        int dst = ((c * frames + t) * gh + top + y) * gw + left;
                        System.arraycopy(in, src, out, dst, w);
                    }
                }
            }
        }
        return Tensor.of(out, 3, frames, gh, gw);
    }

    /** A near-square layout: ceil(sqrt(B)) columns. */
    public static int defaultColumns(int count) {
        return (int) Math.ceil(Math.sqrt(count));
    }

    /** Tiles the videos and writes them as one animated GIF (see {@link Gif#write(Path, Tensor, int, int)}). */
    public static void writeGif(Path path, Tensor videos, int columns, int scale, int delayMs) throws IOException {
        Gif.write(path, tile(videos, columns), scale, delayMs);
    }
}
