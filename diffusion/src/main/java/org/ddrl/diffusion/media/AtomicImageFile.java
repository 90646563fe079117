package org.ddrl.diffusion.media;

import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.file.Path;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.ddrl.tensor.io.AtomicFiles;

/**
 * Writes an image file all at once (through {@link AtomicFiles}), so a reader (a browser refreshing a report) sees
 * the old image or the whole new one, and a failure leaves the old one in place.
 */
final class AtomicImageFile {
    @FunctionalInterface
    interface Content {
        void writeTo(ImageOutputStream out) throws IOException;
    }

    private AtomicImageFile() {}

    static void write(Path target, Content content) throws IOException {
        AtomicFiles.write(target, ch -> {
            // closing the image stream flushes it into the channel and leaves the channel open for the sync
            try (ImageOutputStream out = new MemoryCacheImageOutputStream(Channels.newOutputStream(ch))) {
                content.writeTo(out);
            }
        });
    }
}
