package org.ddrl.diffusion.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.io.Npy;
import org.ddrl.tensor.io.SafetensorsFile;
import org.ddrl.tensor.io.SafetensorsDType;
import org.ddrl.tensor.io.TensorInfo;

/**
 * A user's own videos, read from files and checked once, up front, so that a bad file fails at loading with its name
 * rather than in the middle of training. What is accepted:
 * <ul>
 *   <li>A folder of PNG frames: one video (see {@link PngFrames} for order and formats). Caption: the text of
 *       {@code caption.txt} in the folder, if present.</li>
 *   <li>A {@code .npy} file holding one video or a batch (see {@link VideoArrays} for layouts and ranges: uint8
 *       [T, H, W, 3] or float [3, T, H, W], with an optional leading batch dim). Captions: the lines of {@code
 *       <name>.txt} beside it, one per video, if present.</li>
 *   <li>A {@code .safetensors} file: every tensor is a video or a batch of videos, in the file's header order;
 *       uint8 tensors (U8) are read too. Captions: the {@code __metadata__} entry named like the tensor, one line per
 *       video.</li>
 *   <li>A folder of the above: its subfolders of frames, .npy and .safetensors files, in natural name order (other
 *       files, such as caption sidecars, are skipped).</li>
 * </ul>
 * All videos must share one shape. A caption that reads as a moving-shapes caption ("a red circle moving left") also
 * gives the sample its {@link Attributes}; otherwise they are null. The videos are held on the Java heap, and
 * {@link #get} and {@link #batch} build new tensors that belong to the caller (its open scope, or the GC).
 */
public final class VideoDataset implements Dataset {
    private final List<float[]> videos;
    private final List<String> captions;
    private final List<String> sources;
    private final int[] shape;

    private VideoDataset(List<float[]> videos, List<String> captions, List<String> sources, int[] shape) {
        this.videos = videos;
        this.captions = captions;
        this.sources = sources;
        this.shape = shape;
    }

    /** Loads a folder of frames, a .npy or .safetensors file, or a folder of those (see the class comment). */
    public static VideoDataset load(Path path) throws IOException {
        Builder b = new Builder();
        if (Files.isDirectory(path)) {
            if (PngFrames.holdsFrames(path)) {
                b.addFrames(path);
            } else {
                List<Path> entries;
                try (Stream<Path> s = Files.list(path)) {
                    entries = s.sorted(Comparator.comparing(p -> p.getFileName().toString(), PngFrames.NATURAL)).toList();
                }
                for (Path e : entries) {
                    if (Files.isDirectory(e)) b.addFrames(e);
                    else if (kind(e).equals("npy")) b.addNpy(e);
                    else if (kind(e).equals("safetensors")) b.addSafetensors(e);
                }
                if (b.videos.isEmpty()) {
                    throw new VideoFileException("video folder " + path + ": holds no videos (looked for PNG frames, subfolders of "
                            + "PNG frames, .npy and .safetensors files)");
                }
            }
        } else if (Files.exists(path)) {
            switch (kind(path)) {
                case "npy" -> b.addNpy(path);
                case "safetensors" -> b.addSafetensors(path);
                default -> throw new VideoFileException("video file " + path + ": unknown kind; expected a folder of PNG frames, "
                        + "a .npy or a .safetensors file, or a folder of those");
            }
        } else {
            throw new NoSuchFileException(path.toString(), null, "no such video file or folder");
        }
        return b.build();
    }

    private static String kind(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".npy") ? "npy" : name.endsWith(".safetensors") ? "safetensors" : "";
    }

    @Override
    public int size() {
        return videos.size();
    }

    @Override
    public int[] videoShape() {
        return shape.clone();
    }

    /** Where video {@code index} came from: a folder, or a file with the tensor name and batch position. */
    public String source(int index) {
        return sources.get(Dataset.checkIndex(index, size()));
    }

    @Override
    public Sample get(int index) {
        Dataset.checkIndex(index, size());
        String caption = captions.get(index);
        return new Sample(Tensor.of(videos.get(index), shape), caption, Attributes.tryParse(caption));
    }

    @Override
    public Batch batch(int[] indices) {
        if (indices.length == 0) throw new IllegalArgumentException("VideoDataset.batch: no indices given");
        int n = videos.get(0).length;
        float[] data = new float[Math.multiplyExact(indices.length, n)];
        List<String> caps = new ArrayList<>();
        List<Attributes> attrs = new ArrayList<>();
        for (int i = 0; i < indices.length; i++) {
            int k = Dataset.checkIndex(indices[i], size());
            System.arraycopy(videos.get(k), 0, data, i * n, n);
            caps.add(captions.get(k));
            attrs.add(Attributes.tryParse(captions.get(k)));
        }
        int[] s = {indices.length, shape[0], shape[1], shape[2], shape[3]};
        return new Batch(Tensor.of(data, s), caps, attrs, indices, 0);
    }

    /** Collects videos, checking that they share one shape. */
    private static final class Builder {
        final List<float[]> videos = new ArrayList<>();
        final List<String> captions = new ArrayList<>();
        final List<String> sources = new ArrayList<>();
        int[] shape;

        void add(float[] video, int[] videoShape, String caption, String source) throws VideoFileException {
            if (shape == null) {
                shape = videoShape.clone();
            } else if (!Arrays.equals(shape, videoShape)) {
                throw new VideoFileException(source + ": video shape " + Arrays.toString(videoShape) + " differs from "
                        + Arrays.toString(shape) + " of the first video (" + sources.get(0) + "); all videos of a dataset "
                        + "must have one shape [3, frames, height, width]");
            }
            videos.add(video);
            captions.add(caption);
            sources.add(source);
        }

        void addFrames(Path folder) throws IOException {
            int[] s = new int[4];
            float[] video = PngFrames.read(folder, s);
            Path captionFile = folder.resolve("caption.txt");
            String caption = Files.isRegularFile(captionFile) ? Files.readString(captionFile, StandardCharsets.UTF_8).strip() : "";
            add(video, s, caption, "video folder " + folder);
        }

        void addNpy(Path file) throws IOException {
            String where = "video file " + file;
            Tensor t = Npy.read(file);
            int[] s = new int[4];
            List<float[]> list = VideoArrays.videos(where, t, s);
            t.storage().release();
            List<String> caps = sidecarCaptions(file, list.size());
            for (int i = 0; i < list.size(); i++) add(list.get(i), s, caps.get(i), list.size() == 1 ? where : where + " [" + i + "]");
        }

        void addSafetensors(Path file) throws IOException {
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                Map<String, String> metadata = f.metadata();
                for (String name : f.names()) {
                    String where = "safetensors file " + file + ", tensor '" + name + "'";
                    TensorInfo info = f.info(name);
                    Tensor t;
                    try {
                        t = info.dtype() == SafetensorsDType.U8 ? readU8(file, info, where) : f.get(name);
                    } catch (UnsupportedOperationException e) {
                        throw new VideoFileException(where + ": " + e.getMessage() + "; videos are U8 [frames, height, width, 3] "
                                + "or floats [3, frames, height, width]", e);
                    }
                    int[] s = new int[4];
                    List<float[]> list = VideoArrays.videos(where, t, s);
                    t.storage().release();
                    List<String> caps = captionLines(metadata.get(name), list.size(), where + ": its __metadata__ caption entry");
                    for (int i = 0; i < list.size(); i++) add(list.get(i), s, caps.get(i), list.size() == 1 ? where : where + " [" + i + "]");
                }
            }
        }

        VideoDataset build() {
            return new VideoDataset(List.copyOf(videos), List.copyOf(captions), List.copyOf(sources), shape);
        }
    }

    /** The lines of {@code <name>.txt} beside the file, one per video; empty captions when there is none. */
    private static List<String> sidecarCaptions(Path file, int count) throws IOException {
        String name = file.getFileName().toString();
        Path sidecar = file.resolveSibling(name.substring(0, name.lastIndexOf('.')) + ".txt");
        String text = Files.isRegularFile(sidecar) ? Files.readString(sidecar, StandardCharsets.UTF_8) : null;
        return captionLines(text, count, "caption file " + sidecar);
    }

    /** One caption per line (trailing blank lines ignored); null text gives empty captions. */
    private static List<String> captionLines(String text, int count, String where) throws VideoFileException {
        if (text == null) return java.util.Collections.nCopies(count, "");
        List<String> lines = new ArrayList<>(text.strip().lines().map(String::strip).toList());
        if (lines.size() != count) {
            throw new VideoFileException(where + ": holds " + lines.size() + " caption lines for " + count + " videos; "
                    + "give one line per video");
        }
        return lines;
    }

    /**
     * A U8 tensor of a safetensors file as I32, read straight from the file: tensor files of decoded video are usually
     * uint8, which the tensor library has no dtype for.
     */
    private static Tensor readU8(Path file, TensorInfo info, String where) throws IOException {
        long[] dims = info.shape();
        int[] shape = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] > Integer.MAX_VALUE) throw new VideoFileException(where + ": shape " + Arrays.toString(dims) + " is too large");
            shape[i] = (int) dims[i];
        }
        if (info.byteSize() > Integer.MAX_VALUE - 8) throw new VideoFileException(where + ": " + info.byteSize() + " bytes is too large");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer len = readFully(ch, 0, 8).order(ByteOrder.LITTLE_ENDIAN);
            // SafetensorsFile.open has validated the header length and the tensor's byte range already.
            ByteBuffer bytes = readFully(ch, 8 + len.getLong(0) + info.begin(), (int) info.byteSize());
            int[] values = new int[bytes.capacity()];
            for (int i = 0; i < values.length; i++) values[i] = bytes.get(i) & 0xff;
            return Tensor.of(values, shape);
        }
    }

    private static ByteBuffer readFully(FileChannel ch, long at, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b, at + b.position()) < 0) throw new VideoFileException("file ended at byte " + (at + b.position()));
        }
        return b.flip();
    }
}
