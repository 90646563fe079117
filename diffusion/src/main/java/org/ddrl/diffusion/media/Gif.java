package org.ddrl.diffusion.media;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import org.ddrl.tensor.Tensor;

/**
 * Videos as animated GIFs that loop forever: one GIF frame per video frame, each with its own 256-colour palette
 * (chosen by the JDK's GIF writer), shown for a fixed delay. Values in [-1, 1] map to 0..255 (see {@link Frames}).
 * Files are replaced atomically.
 */
public final class Gif {
    /** Enough to make a 32x32 video about 128 pixels across. */
    public static final int DEFAULT_SCALE = 4;
    /** 8 frames a second. */
    public static final int DEFAULT_DELAY_MS = 125;

    private static final String FORMAT = "javax_imageio_gif_image_1.0";

    private Gif() {}

    /** Writes a video [3, T, H, W], or a batch [B, 3, T, H, W] tiled by {@link VideoGrid}, with the defaults. */
    public static void write(Path path, Tensor video) throws IOException {
        write(path, video, DEFAULT_SCALE, DEFAULT_DELAY_MS);
    }

    /**
     * Writes a video [3, T, H, W], or a batch [B, 3, T, H, W] tiled into a near-square {@link VideoGrid}, each pixel
     * repeated scale x scale times, each frame shown for delayMs (GIF stores hundredths of a second, so it is rounded
     * to a multiple of 10 ms, at least 10).
     */
    public static void write(Path path, Tensor video, int scale, int delayMs) throws IOException {
        if (video.dim() == 5) video = VideoGrid.tile(video, VideoGrid.defaultColumns(video.size(0)));
        int[] s = Frames.checkVideo("Gif.write " + path, video);
        Frames.checkScale("Gif.write " + path, scale);
        if (delayMs < 0) throw new IllegalArgumentException("Gif.write " + path + ": negative frame delay " + delayMs + " ms");
        int frames = s[1], h = s[2], w = s[3];
        float[] data = video.toFloatArray();
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("gif");
        if (!writers.hasNext()) throw new IOException("Gif.write " + path + ": this JDK has no GIF writer");
        ImageWriter writer = writers.next();
        try {
            ImageWriteParam param = writer.getDefaultWriteParam();
            IIOMetadata metadata = frameMetadata(writer, param, Math.max(1, Math.round(delayMs / 10f)));
            AtomicImageFile.write(path, out -> {
                writer.setOutput(out);
                writer.prepareWriteSequence(null);
                for (int t = 0; t < frames; t++) {
                    BufferedImage image = new BufferedImage(w * scale, h * scale, BufferedImage.TYPE_INT_RGB);
                    Frames.paint(data, 0, frames, h, w, t, image, 0, 0, scale);
                    writer.writeToSequence(new IIOImage(image, null, metadata), param);
                }
                writer.endWriteSequence();
            });
        } finally {
            writer.dispose();
        }
    }

    /** Per-frame metadata: the delay, no transparency, and the NETSCAPE2.0 extension that makes the GIF loop forever. */
    private static IIOMetadata frameMetadata(ImageWriter writer, ImageWriteParam param, int delayCs) throws IOException {
        ImageTypeSpecifier type = ImageTypeSpecifier.createFromBufferedImageType(BufferedImage.TYPE_INT_RGB);
        IIOMetadata metadata = writer.getDefaultImageMetadata(type, param);
        IIOMetadataNode root = (IIOMetadataNode) metadata.getAsTree(FORMAT);

        IIOMetadataNode control = child(root, "GraphicControlExtension");
        control.setAttribute("disposalMethod", "none");
        control.setAttribute("userInputFlag", "FALSE");
        control.setAttribute("transparentColorFlag", "FALSE");
        control.setAttribute("delayTime", Integer.toString(delayCs));
        control.setAttribute("transparentColorIndex", "0");

        IIOMetadataNode loop = new IIOMetadataNode("ApplicationExtension");
        loop.setAttribute("applicationID", "NETSCAPE");
        loop.setAttribute("authenticationCode", "2.0");
        loop.setUserObject(new byte[] {1, 0, 0}); // sub-block 1: loop count 0, i.e. forever
        child(root, "ApplicationExtensions").appendChild(loop);

        metadata.setFromTree(FORMAT, root);
        return metadata;
    }

    /** The child of that name, created if missing. */
    private static IIOMetadataNode child(IIOMetadataNode parent, String name) {
        for (int i = 0; i < parent.getLength(); i++) {
            if (parent.item(i).getNodeName().equalsIgnoreCase(name)) return (IIOMetadataNode) parent.item(i);
        }
        IIOMetadataNode node = new IIOMetadataNode(name);
        parent.appendChild(node);
        return node;
    }
}
