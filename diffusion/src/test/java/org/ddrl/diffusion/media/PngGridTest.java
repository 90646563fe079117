package org.ddrl.diffusion.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.ddrl.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PngGridTest {
    @TempDir
    Path dir;

    /** B videos of T frames of 2x3 pixels whose value in every channel encodes (video, frame): distinct grey levels. */
    private static Tensor videos(int b, int t) {
        float[] v = new float[b * 3 * t * 6];
        for (int i = 0; i < b; i++) {
            for (int c = 0; c < 3; c++) {
                for (int f = 0; f < t; f++) {
                    for (int p = 0; p < 6; p++) v[((i * 3 + c) * t + f) * 6 + p] = level(i, f) / 127.5f - 1;
                }
            }
        }
        return Tensor.of(v, b, 3, t, 2, 3);
    }

    private static int level(int video, int frame) {
        return 10 * video + 2 * frame;
    }

    private static int grey(BufferedImage img, int x, int y) {
        int rgb = img.getRGB(x, y) & 0xffffff;
        assertEquals(rgb >> 16, rgb & 0xff, "grey");
        return rgb & 0xff;
    }

    @Test
    void rowsAreVideosAndColumnsFrames() throws IOException {
        Path png = dir.resolve("strip.png");
        PngGrid.write(png, videos(2, 4), 2);
        BufferedImage img = ImageIO.read(png.toFile());
        int gap = 2, tw = 3 * 2, th = 2 * 2;
        assertEquals(4 * (tw + gap) + gap, img.getWidth());
        assertEquals(2 * (th + gap) + gap, img.getHeight());
        assertEquals(255, grey(img, 0, 0), "gaps are white");
        for (int i = 0; i < 2; i++) {
            for (int f = 0; f < 4; f++) {
                int x = gap + f * (tw + gap) + tw - 1, y = gap + i * (th + gap) + th - 1;
                assertEquals(level(i, f), grey(img, x, y), "video " + i + " frame " + f);
            }
        }
    }

    @Test
    void chosenFramesAndASingleVideo() throws IOException {
        Path png = dir.resolve("chosen.png");
        PngGrid.write(png, videos(1, 5).squeeze(0), new int[] {4, 0}, 1);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(2 * 4 + 1, img.getWidth());
        assertEquals(2 + 2, img.getHeight());
        assertEquals(level(0, 4), grey(img, 1, 1));
        assertEquals(level(0, 0), grey(img, 5, 1));
    }

    @Test
    void oneFrameOfEveryVideoInAGrid() throws IOException {
        Path png = dir.resolve("frame.png");
        PngGrid.writeFrame(png, videos(5, 3), 2, 2, 1);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(2 * 4 + 1, img.getWidth());
        assertEquals(3 * 3 + 1, img.getHeight());
        assertEquals(level(3, 2), grey(img, 1 + 4, 1 + 3), "video 3 sits in row 1, column 1");
        assertEquals(level(4, 2), grey(img, 1, 1 + 2 * 3), "video 4 starts row 2");
        assertEquals(255, grey(img, 1 + 4, 1 + 2 * 3), "the empty cell stays white");
    }

    @Test
    void valuesAreClampedNotWrapped() throws IOException {
        Path png = dir.resolve("clamp.png");
        PngGrid.write(png, Tensor.of(new float[] {-3, 5, Float.NaN}, 3, 1, 1, 1), 1);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(0x00ff00, img.getRGB(1, 1) & 0xffffff);
    }

    @Test
    void badInputsAreRefused() {
        Path png = dir.resolve("bad.png");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PngGrid.write(png, videos(2, 3), new int[] {3}, 1));
        assertTrue(e.getMessage().contains("bad.png") && e.getMessage().contains("frame 3") && e.getMessage().contains("3 frames"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PngGrid.write(png, Tensor.zeros(2, 4, 3, 2, 2), 1));
        assertTrue(e.getMessage().contains("[2, 4, 3, 2, 2]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PngGrid.writeFrame(png, videos(2, 3), 0, 0, 1));
    }
}
