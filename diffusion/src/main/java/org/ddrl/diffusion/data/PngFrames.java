package org.ddrl.diffusion.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * A video stored as a folder of PNG frames, in the order of their names with digit runs compared as numbers (so
 * frame_2.png comes before frame_10.png, with or without zero padding). Colour, grey and palette PNGs of any bit depth
 * are read as 8-bit RGB and mapped to [-1, 1]; alpha is ignored. Every frame must have the first frame's size.
 */
final class PngFrames {
    private PngFrames() {}

    /** Whether the folder directly holds at least one *.png file. */
    static boolean holdsFrames(Path folder) throws IOException {
        return !frameFiles(folder).isEmpty();
    }

    /** The frames as a flat [3, T, H, W] float array; its shape goes into {@code shape}. */
    static float[] read(Path folder, int[] shape) throws IOException {
        List<Path> files = frameFiles(folder);
        if (files.isEmpty()) throw new VideoFileException("video folder " + folder + ": holds no PNG frames (*.png)");
        List<BufferedImage> images = new ArrayList<>();
        for (Path f : files) {
            BufferedImage img;
            try {
                img = ImageIO.read(f.toFile());
            } catch (IOException | RuntimeException e) {
                throw new VideoFileException("video frame " + f + ": cannot be read as PNG: " + e.getMessage(), e);
            }
            if (img == null) throw new VideoFileException("video frame " + f + ": not a readable PNG image");
            BufferedImage first = images.isEmpty() ? img : images.get(0);
            if (img.getWidth() != first.getWidth() || img.getHeight() != first.getHeight()) {
                throw new VideoFileException("video frame " + f + ": is " + img.getWidth() + "x" + img.getHeight()
                        + " (width x height), but the first frame " + files.get(0).getFileName() + " is "
                        + first.getWidth() + "x" + first.getHeight() + "; all frames of a video must have one size");
            }
            images.add(img);
        }
        int frames = images.size(), h = images.get(0).getHeight(), w = images.get(0).getWidth(), plane = h * w;
        float[] out = new float[Math.multiplyExact(3 * frames, plane)];
        int[] row = new int[w];
        for (int t = 0; t < frames; t++) {
            BufferedImage img = images.get(t);
            for (int y = 0; y < h; y++) {
                img.getRGB(0, y, w, 1, row, 0, w);
                for (int x = 0; x < w; x++) {
                    int p = y * w + x, argb = row[x];
                    out[(0 * frames + t) * plane + p] = (argb >> 16 & 0xff) / 127.5f - 1;
                    out[(frames + t) * plane + p] = (argb >> 8 & 0xff) / 127.5f - 1;
                    out[(2 * frames + t) * plane + p] = (argb & 0xff) / 127.5f - 1;
                }
            }
        }
        System.arraycopy(new int[] {3, frames, h, w}, 0, shape, 0, 4);
        return out;
    }

    private static List<Path> frameFiles(Path folder) throws IOException {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png"))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString(), NATURAL))
                    .toList();
        }
    }

    /** Names compared piecewise, digit runs by numeric value, everything else by character. */
    static final Comparator<String> NATURAL = (a, b) -> {
        int i = 0, j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i), cb = b.charAt(j);
            if (isDigit(ca) && isDigit(cb)) {
                int ei = i, ej = j;
                while (ei < a.length() && isDigit(a.charAt(ei))) ei++;
                while (ej < b.length() && isDigit(b.charAt(ej))) ej++;
                String da = a.substring(i, ei).replaceFirst("^0+(?=.)", ""), db = b.substring(j, ej).replaceFirst("^0+(?=.)", "");
                int c = da.length() != db.length() ? Integer.compare(da.length(), db.length()) : da.compareTo(db);
                if (c != 0) return c;
                i = ei;
                j = ej;
            } else {
                if (ca != cb) return Character.compare(ca, cb);
                i++;
                j++;
            }
        }
        int c = Integer.compare(a.length() - i, b.length() - j);
        return c != 0 ? c : a.compareTo(b);
    };

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
