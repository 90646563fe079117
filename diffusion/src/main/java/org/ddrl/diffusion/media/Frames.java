package org.ddrl.diffusion.media;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import org.ddrl.tensor.Tensor;

/**
 * Video tensors as 8-bit images: values in [-1, 1] map linearly to 0..255 (clamped, so a sample that overshoots
 * shows as saturated rather than wrapping; NaN shows as black), each pixel repeated scale x scale times so that a
 * 32x32 video is big enough to see.
 */
final class Frames {
    private Frames() {}

    /** The shape of a single video [3, T, H, W], or throws naming the caller and the shape it got. */
    static int[] checkVideo(String op, Tensor video) {
        int[] s = video.shape();
        if (s.length != 4 || s[0] != 3 || s[1] < 1 || s[2] < 1 || s[3] < 1) {
            throw new IllegalArgumentException(op + ": expected a video [3, frames, height, width], got shape " + Arrays.toString(s));
        }
        return s;
    }

    /** The shape of a batch of videos [B, 3, T, H, W], or throws naming the caller and the shape it got. */
    static int[] checkVideos(String op, Tensor videos) {
        int[] s = videos.shape();
        if (s.length != 5 || s[0] < 1 || s[1] != 3 || s[2] < 1 || s[3] < 1 || s[4] < 1) {
            throw new IllegalArgumentException(op + ": expected videos [B, 3, frames, height, width], got shape " + Arrays.toString(s));
        }
        return s;
    }

    static void checkScale(String op, int scale) {
        if (scale < 1 || scale > 64) throw new IllegalArgumentException(op + ": scale must be in [1, 64], got " + scale);
    }

    /** 0..255 for a value in [-1, 1]. */
    static int level(float v) {
        if (!(v > -1)) return 0; // also NaN
        if (v >= 1) return 255;
        return Math.round((v + 1) * 127.5f);
    }

    /**
     * Copies frame t of the video stored at data[at ..] as [3, frames, h, w] into the image at (left, top), each
     * pixel as a scale x scale block.
     */
    static void paint(float[] data, int at, int frames, int h, int w, int t, BufferedImage image, int left, int top, int scale) {
        int plane = h * w;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = at + t * plane + y * w + x;
                int rgb = level(data[p]) << 16 | level(data[p + frames * plane]) << 8 | level(data[p + 2 * frames * plane]);
                for (int dy = 0; dy < scale; dy++) {
                    for (int dx = 0; dx < scale; dx++) image.setRGB(left + x * scale + dx, top + y * scale + dy, rgb);
                }
            }
        }
    }

    /** Fills the whole image with one grey level (0..255). */
    static void fill(BufferedImage image, int level) {
        int rgb = level << 16 | level << 8 | level;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) image.setRGB(x, y, rgb);
        }
    }
}
