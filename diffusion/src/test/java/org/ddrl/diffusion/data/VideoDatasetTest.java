package org.ddrl.diffusion.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.io.Npy;
import org.ddrl.tensor.io.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading a user's videos from PNG frames, .npy and safetensors files, and every way such files can be wrong. */
class VideoDatasetTest {
    private static final MovingShapesConfig CFG = MovingShapesConfig.TINY;
    private static final Attributes RED = new Attributes(Colour.RED, Shape.CIRCLE, Direction.LEFT);

    @TempDir
    Path dir;

    /** A generated video rounded to 8 bits, so that it survives every file format exactly. */
    private static float[] video8bit(int index) {
        float[] v = MovingShapes.generate(CFG, RED, 1, index).toFloatArray();
        for (int i = 0; i < v.length; i++) v[i] = Math.round((v[i] + 1) * 127.5f) / 127.5f - 1;
        return v;
    }

    /** The video as uint8 values in [T, H, W, 3] order. */
    private static int[] channelsLast(float[] v) {
        int t = CFG.frames(), plane = CFG.height() * CFG.width();
        int[] out = new int[v.length];
        for (int f = 0; f < t; f++) {
            for (int p = 0; p < plane; p++) {
                for (int c = 0; c < 3; c++) out[(f * plane + p) * 3 + c] = Math.round((v[(c * t + f) * plane + p] + 1) * 127.5f);
            }
        }
        return out;
    }

    private static void writeFrames(Path folder, float[] v) throws IOException {
        Files.createDirectories(folder);
        int t = CFG.frames(), h = CFG.height(), w = CFG.width(), plane = h * w;
        int[] rgb = channelsLast(v);
        for (int f = 0; f < t; f++) {
            BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            for (int p = 0; p < plane; p++) {
                int k = (f * plane + p) * 3;
                img.setRGB(p % w, p / w, rgb[k] << 16 | rgb[k + 1] << 8 | rgb[k + 2]);
            }
            // Unpadded numbers: natural order must still put frame 2 before frame 10.
            ImageIO.write(img, "png", folder.resolve("frame_" + f + ".png").toFile());
        }
    }

    private static <T extends Throwable> String fails(Class<T> type, Path path) {
        return assertThrows(type, () -> VideoDataset.load(path)).getMessage();
    }

    @Test
    void pngFramesRoundTrip() throws IOException {
        float[] v = video8bit(0);
        Path folder = dir.resolve("clip");
        writeFrames(folder, v);
        Files.writeString(folder.resolve("caption.txt"), RED.caption() + "\n");
        VideoDataset ds = VideoDataset.load(folder);
        assertEquals(1, ds.size());
        Sample s = ds.get(0);
        assertArrayEquals(CFG.videoShape(), s.video().shape());
        assertArrayEquals(v, s.video().toFloatArray(), 1e-6f);
        assertEquals(RED.caption(), s.caption());
        assertEquals(RED, s.attributes(), "a moving-shapes caption gives attributes");
    }

    @Test
    void folderOfFoldersAndFiles() throws IOException {
        float[] a = video8bit(1), b = video8bit(2), c = video8bit(3);
        writeFrames(dir.resolve("v10"), a);
        writeFrames(dir.resolve("v9"), b);
        Npy.write(dir.resolve("v11.npy"), Tensor.of(c, CFG.videoShape()));
        Files.writeString(dir.resolve("notes.md"), "ignored");
        VideoDataset ds = VideoDataset.load(dir);
        assertEquals(3, ds.size());
        assertArrayEquals(b, ds.get(0).video().toFloatArray(), 1e-6f, "v9 sorts before v10");
        assertArrayEquals(a, ds.get(1).video().toFloatArray(), 1e-6f);
        assertArrayEquals(c, ds.get(2).video().toFloatArray(), 1e-6f);
        assertTrue(ds.source(2).contains("v11.npy"), ds.source(2));
        assertEquals("", ds.get(0).caption());
        assertNull(ds.get(0).attributes());
        try (Batch batch = ds.batch(new int[] {2, 0})) {
            assertArrayEquals(new int[] {2, 3, 8, 16, 16}, batch.videos().shape());
            float[] all = batch.videos().toFloatArray();
            assertEquals(c[17], all[17]);
            assertEquals(b[17], all[CFG.videoNumel() + 17]);
        }
    }

    @Test
    void npyUint8ChannelsLastAndFloatBatches() throws IOException {
        float[] a = video8bit(4), b = video8bit(5);
        Path u8 = dir.resolve("u8.npy");
        Npy.write(u8, Tensor.of(channelsLast(a), CFG.frames(), CFG.height(), CFG.width(), 3));
        assertArrayEquals(a, VideoDataset.load(u8).get(0).video().toFloatArray(), 1e-6f);

        float[] both = new float[2 * a.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        Path batch = dir.resolve("batch.npy");
        Npy.write(batch, Tensor.of(both, 2, 3, CFG.frames(), CFG.height(), CFG.width()).to(DType.F64));
        Files.writeString(dir.resolve("batch.txt"), "first clip\nsecond clip\n");
        VideoDataset ds = VideoDataset.load(batch);
        assertEquals(2, ds.size());
        assertArrayEquals(b, ds.get(1).video().toFloatArray(), 1e-6f);
        assertEquals(List.of("first clip", "second clip"), List.of(ds.get(0).caption(), ds.get(1).caption()));
        assertTrue(ds.source(1).endsWith("batch.npy [1]"), ds.source(1));
    }

    @Test
    void safetensorsFloatAndUint8() throws IOException {
        float[] a = video8bit(6), b = video8bit(7);
        Path f = dir.resolve("clips.safetensors");
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("clip_a", Tensor.of(a, CFG.videoShape()));
        tensors.put("clip_b", Tensor.of(b, CFG.videoShape()).to(DType.F16));
        Safetensors.save(f, tensors, Map.of("clip_a", RED.caption()));
        VideoDataset ds = VideoDataset.load(f);
        assertEquals(2, ds.size());
        assertArrayEquals(a, ds.get(0).video().toFloatArray(), 1e-6f);
        assertArrayEquals(b, ds.get(1).video().toFloatArray(), 4e-3f); // F16 keeps about 3 decimal digits
        assertEquals(RED, ds.get(0).attributes());
        assertEquals("", ds.get(1).caption());

        Path u8 = dir.resolve("u8.safetensors");
        writeBytesSafetensors(u8, "U8", channelsLast(a), new int[] {CFG.frames(), CFG.height(), CFG.width(), 3});
        assertArrayEquals(a, VideoDataset.load(u8).get(0).video().toFloatArray(), 1e-6f);

        Path i8 = dir.resolve("i8.safetensors");
        writeBytesSafetensors(i8, "I8", channelsLast(a), new int[] {CFG.frames(), CFG.height(), CFG.width(), 3});
        String m = fails(VideoFileException.class, i8);
        assertTrue(m.contains("i8.safetensors") && m.contains("'video'") && m.contains("I8"), m);
    }

    /** A safetensors file with one tensor 'video' of a one-byte dtype, which the tensor library cannot write itself. */
    private static void writeBytesSafetensors(Path path, String dtype, int[] values, int[] shape) throws IOException {
        String header = "{\"video\":{\"dtype\":\"" + dtype + "\",\"shape\":" + java.util.Arrays.toString(shape)
                + ",\"data_offsets\":[0," + values.length + "]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(8 + h.length + values.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(h.length).put(h);
        for (int v : values) buf.put((byte) v);
        Files.write(path, buf.array());
    }

    @Test
    void wrongRanksChannelsAndTypesNameTheFile() throws IOException {
        Path rank3 = dir.resolve("rank3.npy");
        Npy.write(rank3, Tensor.zeros(8, 16, 16));
        String m = fails(VideoFileException.class, rank3);
        assertTrue(m.contains("rank3.npy") && m.contains("[8, 16, 16]") && m.contains("[3, frames, height, width]"), m);

        Path channels = dir.resolve("channels.npy");
        Npy.write(channels, Tensor.zeros(4, 8, 16, 16));
        m = fails(VideoFileException.class, channels);
        assertTrue(m.contains("channels.npy") && m.contains("[4, 8, 16, 16] of F32"), m);

        Path intChannelsFirst = dir.resolve("ints.npy");
        Npy.write(intChannelsFirst, Tensor.zeros(DType.I32, 3, 8, 16, 16));
        m = fails(VideoFileException.class, intChannelsFirst);
        assertTrue(m.contains("ints.npy") && m.contains("of I32") && m.contains("[frames, height, width, 3]"), m);

        Path bool = dir.resolve("bool.safetensors");
        Safetensors.save(bool, Map.of("mask", Tensor.zeros(DType.BOOL, 3, 8, 16, 16)));
        m = fails(VideoFileException.class, bool);
        assertTrue(m.contains("bool.safetensors") && m.contains("'mask'") && m.contains("BOOL"), m);

        Path empty = dir.resolve("empty.npy");
        Npy.write(empty, Tensor.zeros(3, 0, 16, 16));
        m = fails(VideoFileException.class, empty);
        assertTrue(m.contains("empty.npy") && m.contains("no pixels"), m);
    }

    @Test
    void valuesOutOfRangeAreRefusedWithTheirIndex() throws IOException {
        float[] v = video8bit(8);
        v[CFG.videoNumel() - 1] = 1.5f;
        Path f = dir.resolve("bright.npy");
        Npy.write(f, Tensor.of(v, CFG.videoShape()));
        String m = fails(VideoFileException.class, f);
        assertTrue(m.contains("bright.npy") && m.contains("1.5") && m.contains("[2, 7, 15, 15]") && m.contains("[-1, 1]"), m);

        v[CFG.videoNumel() - 1] = Float.NaN;
        Npy.write(f, Tensor.of(v, CFG.videoShape()));
        m = fails(VideoFileException.class, f);
        assertTrue(m.contains("NaN"), m);

        v[CFG.videoNumel() - 1] = 1.0005f; // rounding slack is clamped, not refused
        Npy.write(f, Tensor.of(v, CFG.videoShape()));
        float[] back = VideoDataset.load(f).get(0).video().toFloatArray();
        assertEquals(1f, back[CFG.videoNumel() - 1]);

        int[] ints = channelsLast(video8bit(9));
        ints[5] = 256;
        Path u8 = dir.resolve("u8.npy");
        Npy.write(u8, Tensor.of(ints, CFG.frames(), CFG.height(), CFG.width(), 3));
        m = fails(VideoFileException.class, u8);
        assertTrue(m.contains("u8.npy") && m.contains("256") && m.contains("[0, 0, 1, 2]") && m.contains("0..255"), m);
    }

    @Test
    void badFramesAndFoldersNameTheFile() throws IOException {
        Path emptyFolder = Files.createDirectories(dir.resolve("nothing"));
        String m = fails(VideoFileException.class, emptyFolder);
        assertTrue(m.contains("nothing") && m.contains("holds no videos"), m);

        Path sizes = dir.resolve("sizes");
        writeFrames(sizes, video8bit(10));
        ImageIO.write(new BufferedImage(20, 16, BufferedImage.TYPE_INT_RGB), "png", sizes.resolve("frame_3.png").toFile());
        m = fails(VideoFileException.class, sizes);
        assertTrue(m.contains("frame_3.png") && m.contains("20x16") && m.contains("frame_0.png is 16x16"), m);

        Path broken = dir.resolve("broken");
        writeFrames(broken, video8bit(11));
        Files.write(broken.resolve("frame_4.png"), new byte[] {1, 2, 3, 4});
        m = fails(VideoFileException.class, broken);
        assertTrue(m.contains("frame_4.png") && m.contains("not a readable PNG"), m);
        byte[] png = Files.readAllBytes(broken.resolve("frame_5.png"));
        Files.write(broken.resolve("frame_4.png"), java.util.Arrays.copyOf(png, png.length / 2));
        m = fails(VideoFileException.class, broken);
        assertTrue(m.contains("frame_4.png") && m.contains("cannot be read"), m);

        Path unknown = Files.writeString(dir.resolve("clip.mp4"), "not supported");
        m = fails(VideoFileException.class, unknown);
        assertTrue(m.contains("clip.mp4") && m.contains(".npy"), m);

        assertThrows(NoSuchFileException.class, () -> VideoDataset.load(dir.resolve("missing")));

        Path garbage = Files.write(dir.resolve("garbage.npy"), new byte[] {1, 2, 3});
        m = fails(IOException.class, garbage);
        assertTrue(m.contains("garbage.npy"), m);
    }

    @Test
    void mixedShapesAndCaptionCountsAreRefused() throws IOException {
        Path mixed = Files.createDirectories(dir.resolve("mixed"));
        Npy.write(mixed.resolve("a.npy"), Tensor.of(video8bit(12), CFG.videoShape()));
        Npy.write(mixed.resolve("b.npy"), Tensor.zeros(3, 4, 16, 16));
        String m = fails(VideoFileException.class, mixed);
        assertTrue(m.contains("b.npy") && m.contains("[3, 4, 16, 16]") && m.contains("a.npy"), m);

        Path f = dir.resolve("one.npy");
        Npy.write(f, Tensor.of(video8bit(13), CFG.videoShape()));
        Files.writeString(dir.resolve("one.txt"), "first\nsecond\n");
        m = fails(VideoFileException.class, f);
        assertTrue(m.contains("one.txt") && m.contains("2 caption lines for 1 videos"), m);
    }
}
