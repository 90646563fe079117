package org.ddrl.rl.reward;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.GradMode;
import org.ddrl.tensor.Tensor;

/**
 * DDPO's JPEG compressibility: the negative size in kB (1000 bytes) of each frame encoded as a baseline JPEG, averaged
 * over the frames. Pixels go to 8 bits as DDPO does, {@code round(255 u)} clamped to [0, 255] with u = (x + 1) / 2.
 * DDPO uses PIL at quality 95; the encoder here is javax.imageio's, so absolute sizes differ slightly from PIL's, but
 * group-normalised advantages depend only on the ordering of the scores. Flow-GRPO's variant divides by 500: put a
 * weight of 1/500 on it in a {@link WeightedSum}; a negative weight gives DDPO's incompressibility.
 */
public final class JpegCompressibility implements Reward {
    private final int quality;

    /** @param quality JPEG quality in [1, 100] (DDPO: 95) */
    public JpegCompressibility(int quality) {
        if (quality < 1 || quality > 100) throw new IllegalArgumentException("JpegCompressibility: quality must be in [1, 100], got " + quality);
        this.quality = quality;
    }

    /** Quality 95, as DDPO. */
    public JpegCompressibility() {
        this(95);
    }

    public int quality() {
        return quality;
    }

    @Override
    public String name() {
        return "jpeg_compressibility";
    }

    @Override
    public Tensor score(Tensor videos, List<String> prompts) {
        RewardInputs.check("JpegCompressibility", videos, prompts);
        int b = videos.size(0), t = videos.size(2), h = videos.size(3), w = videos.size(4);
        float[] data;
        try (var noGrad = GradMode.noGrad()) {
            data = videos.to(DType.F32).to(Device.CPU).contiguous().toFloatArray();
        }
        float[] scores = new float[b];
        int plane = h * w, frameStride = plane, channelStride = t * plane, videoStride = 3 * channelStride;
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < b; i++) {
            double kb = 0;
            for (int f = 0; f < t; f++) {
                int base = i * videoStride + f * frameStride;
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        int at = base + y * w + x;
                        int r = byteOf(data[at]), g = byteOf(data[at + channelStride]), bl = byteOf(data[at + 2 * channelStride]);
                        image.setRGB(x, y, (r << 16) | (g << 8) | bl);
                    }
                }
                kb += encodedBytes(image) / 1000.0;
            }
            scores[i] = (float) (-kb / t);
        }
        return Tensor.of(scores, b).to(videos.device());
    }

    private static int byteOf(float x) {
        long v = Math.round(255.0 * (x + 1) / 2);
        return (int) Math.max(0, Math.min(255, v));
    }

    private int encodedBytes(BufferedImage image) {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
        if (!writers.hasNext()) throw new IllegalStateException("JpegCompressibility: this Java runtime has no JPEG encoder in javax.imageio");
        ImageWriter writer = writers.next();
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream(); ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality / 100f);
            writer.setOutput(out);
            writer.write(null, new IIOImage(image, null, null), param);
            out.flush();
            return bytes.size();
        } catch (IOException e) {
            throw new UncheckedIOException(String.format(Locale.ROOT, "JpegCompressibility: encoding a %dx%d frame failed",
                    image.getWidth(), image.getHeight()), e);
        } finally {
            writer.dispose();
        }
    }
}
