package org.ddrl.diffusion.media;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import javax.imageio.stream.FileImageOutputStream;
import javax.imageio.stream.ImageOutputStream;

/**
 * Writes an image file all at once: into a temporary file beside the target, then renamed over it, so a reader (a
 * browser refreshing a report) sees the old image or the whole new one, and a failure leaves the old one in place.
 */
final class AtomicImageFile {
    @FunctionalInterface
    interface Content {
        void writeTo(ImageOutputStream out) throws IOException;
    }

    private AtomicImageFile() {}

    static void write(Path target, Content content) throws IOException {
        Path abs = target.toAbsolutePath();
        Path tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName(), ".tmp");
        try {
            try (ImageOutputStream out = new FileImageOutputStream(tmp.toFile())) {
                content.writeTo(out);
            }
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (Throwable e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException d) {
                e.addSuppressed(d);
            }
            throw e;
        }
    }
}
