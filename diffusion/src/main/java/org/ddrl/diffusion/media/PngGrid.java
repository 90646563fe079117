package org.ddrl.diffusion.media;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.ddrl.tensor.Tensor;

/**
 * Still pictures of videos as PNG: a film-strip grid (one row per video, one column per chosen frame) or one frame
 * of every video tiled in a grid. Tiles are separated and framed by white gaps of {@link VideoGrid#GAP} pixels
 * (scaled). Values in [-1, 1] map to 0..255 (see {@link Frames}). Files are replaced atomically.
 */
public final class PngGrid {
    private PngGrid() {}

    /** Every frame of every video: rows are videos [B, 3, T, H, W] (or a single video [3, T, H, W]), columns frames. */
    public static void write(Path path, Tensor videos, int scale) throws IOException {
        Tensor v = videos.dim() == 4 ? videos.unsqueeze(0) : videos;
        int frames = Frames.checkVideos("PngGrid.write " + path, v)[2];
        int[] all = new int[frames];
        Arrays.setAll(all, i -> i);
        write(path, v, all, scale);
    }

    /** The chosen frames (e.g. first, middle, last) of every video: rows are videos, columns those frames. */
    public static void write(Path path, Tensor videos, int[] frames, int scale) throws IOException {
        Tensor v = videos.dim() == 4 ? videos.unsqueeze(0) : videos;
        String op = "PngGrid.write " + path;
        int[] s = Frames.checkVideos(op, v);
        Frames.checkScale(op, scale);
        if (frames.length == 0) throw new IllegalArgumentException(op + ": no frames chosen");
        for (int f : frames) {
            if (f < 0 || f >= s[2]) {
                throw new IllegalArgumentException(op + ": frame " + f + " out of range for videos of " + s[2] + " frames");
            }
        }
        int b = s[0], n = 3 * s[2] * s[3] * s[4];
        float[] data = v.toFloatArray();
        BufferedImage image = canvas(b, frames.length, s[3], s[4], scale);
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < frames.length; j++) {
                paintTile(image, data, i * n, s, frames[j], i, j, scale);
            }
        }
        writePng(path, image);
    }

    /** Frame {@code frame} of every video [B, 3, T, H, W], tiled row by row into {@code columns} columns. */
    public static void writeFrame(Path path, Tensor videos, int frame, int columns, int scale) throws IOException {
        String op = "PngGrid.writeFrame " + path;
        int[] s = Frames.checkVideos(op, videos);
        Frames.checkScale(op, scale);
        if (frame < 0 || frame >= s[2]) throw new IllegalArgumentException(op + ": frame " + frame + " out of range for videos of " + s[2] + " frames");
        if (columns < 1) throw new IllegalArgumentException(op + ": columns must be positive, got " + columns);
        int b = s[0], cols = Math.min(columns, b), rows = (b + cols - 1) / cols, n = 3 * s[2] * s[3] * s[4];
        float[] data = videos.toFloatArray();
        BufferedImage image = canvas(rows, cols, s[3], s[4], scale);
        for (int i = 0; i < b; i++) paintTile(image, data, i * n, s, frame, i / cols, i % cols, scale);
        writePng(path, image);
    }

    private static BufferedImage canvas(int rows, int cols, int h, int w, int scale) {
        int gap = VideoGrid.GAP * scale;
        long width = (long) cols * (w * scale + gap) + gap, height = (long) rows * (h * scale + gap) + gap;
        if (width * height > Integer.MAX_VALUE / 4) {
            throw new IllegalArgumentException("PngGrid: a " + width + "x" + height + " image is too large; lower the scale or show fewer frames");
        }
        BufferedImage image = new BufferedImage((int) width, (int) height, BufferedImage.TYPE_INT_RGB);
        Frames.fill(image, 255);
        return image;
    }

    private static void paintTile(BufferedImage image, float[] data, int at, int[] s, int frame, int row, int col, int scale) {
        int gap = VideoGrid.GAP * scale;
        int left = gap + col * (s[4] * scale + gap), top = gap + row * (s[3] * scale + gap);
        Frames.paint(data, at, s[2], s[3], s[4], frame, image, left, top, scale);
    }

    private static void writePng(Path path, BufferedImage image) throws IOException {
        AtomicImageFile.write(path, out -> {
            if (!ImageIO.write(image, "png", out)) throw new IOException("PngGrid: this JDK has no PNG writer");
        });
    }
}
