package org.ddrl.diffusion.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import org.ddrl.diffusion.data.MovingShapesConfig;
import org.ddrl.diffusion.data.MovingShapes;
import org.ddrl.diffusion.data.Split;
import org.ddrl.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GifTest {
    @TempDir
    Path dir;

    /** The frames of a GIF and the first frame's native metadata. */
    private record Read(List<BufferedImage> frames, IIOMetadataNode metadata) {}

    private static Read read(Path path) throws IOException {
        ImageReader reader = ImageIO.getImageReadersByFormatName("gif").next();
        try (ImageInputStream in = ImageIO.createImageInputStream(path.toFile())) {
            reader.setInput(in);
            int n = reader.getNumImages(true);
            List<BufferedImage> frames = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) frames.add(reader.read(i));
            IIOMetadataNode meta = (IIOMetadataNode) reader.getImageMetadata(0).getAsTree("javax_imageio_gif_image_1.0");
            return new Read(frames, meta);
        } finally {
            reader.dispose();
        }
    }

    private static IIOMetadataNode node(IIOMetadataNode root, String name) {
        return (IIOMetadataNode) root.getElementsByTagName(name).item(0);
    }

    @Test
    void aVideoBecomesALoopingAnimation() throws IOException {
        MovingShapesConfig cfg = MovingShapesConfig.TINY;
        Tensor video = new MovingShapes(cfg, Split.TRAIN, 1, 0).get(0).video();
        Path gif = dir.resolve("video.gif");
        Gif.write(gif, video, 3, 125);
        Read r = read(gif);
        assertEquals(cfg.frames(), r.frames().size());
        for (BufferedImage f : r.frames()) {
            assertEquals(cfg.width() * 3, f.getWidth());
            assertEquals(cfg.height() * 3, f.getHeight());
        }
        assertEquals("13", node(r.metadata(), "GraphicControlExtension").getAttribute("delayTime"), "125 ms in hundredths");
        IIOMetadataNode loop = node(r.metadata(), "ApplicationExtension");
        assertEquals("NETSCAPE", loop.getAttribute("applicationID"));
        byte[] count = (byte[]) loop.getUserObject();
        assertEquals(0, count[1] | count[2], "loops forever");
    }

    @Test
    void coloursSurviveAndAreScaledFromMinusOneToOne() throws IOException {
        // Frame 0 pure red, frame 1 mid-grey: few colours, so the palette holds them exactly.
        float[] v = new float[3 * 2 * 4 * 4];
        for (int p = 0; p < 16; p++) {
            v[p] = 1;
            v[32 + p] = -1;
            v[64 + p] = -1;
            for (int c = 0; c < 3; c++) v[c * 32 + 16 + p] = 0;
        }
        Path gif = dir.resolve("colours.gif");
        Gif.write(gif, Tensor.of(v, 3, 2, 4, 4), 1, 100);
        Read r = read(gif);
        assertEquals(0xff0000, r.frames().get(0).getRGB(2, 2) & 0xffffff);
        assertEquals(0x808080, r.frames().get(1).getRGB(1, 3) & 0xffffff);
    }

    @Test
    void aBatchIsTiledIntoOneGridAndTheFileReplacedAtomically() throws IOException {
        Tensor videos = new MovingShapes(MovingShapesConfig.TINY, Split.TRAIN, 5, 0).batch(new int[] {0, 1, 2, 3, 4}).videos();
        Path gif = dir.resolve("grid.gif");
        Files.writeString(gif, "old content");
        Gif.write(gif, videos, 1, 50);
        Read r = read(gif);
        assertEquals(8, r.frames().size());
        assertEquals(3 * 17 + 1, r.frames().get(0).getWidth(), "3 columns of 16 pixels with 1-pixel gaps");
        assertEquals(2 * 17 + 1, r.frames().get(0).getHeight());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(gif), files.toList(), "no temporary file is left behind");
        }
    }

    @Test
    void badInputsAreRefused() {
        Path gif = dir.resolve("bad.gif");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Gif.write(gif, Tensor.zeros(8, 16, 16)));
        assertTrue(e.getMessage().contains("bad.gif") && e.getMessage().contains("[8, 16, 16]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Gif.write(gif, Tensor.zeros(3, 2, 4, 4), 0, 100));
        assertTrue(e.getMessage().contains("scale"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Gif.write(gif, Tensor.zeros(3, 2, 4, 4), 1, -5));
        assertTrue(Files.notExists(gif));
    }
}
