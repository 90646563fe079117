package org.ddrl.tensor.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Replaces a file all at once: the content goes to a temporary file next to the target, is synced to disk, and is
 * then renamed over the target. Readers see the old file or the whole new one, and a crash or error midway leaves
 * the old file as it was. The parent folder is created when missing; the file gets the default permissions (it is
 * meant to be read, e.g. a report served from a shared folder), not the owner-only ones of a temporary file.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Writes the new content into the channel it is given. */
    @FunctionalInterface
    public interface Content {
        void writeTo(FileChannel channel) throws IOException;
    }

    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, ch -> {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) ch.write(b);
        });
    }

    public static void writeString(Path target, String text) throws IOException {
        write(target, text.getBytes(StandardCharsets.UTF_8));
    }

    /** The whole stream becomes the file; the stream is not closed. */
    public static void copy(InputStream in, Path target) throws IOException {
        write(target, ch -> in.transferTo(Channels.newOutputStream(ch)));
    }

    public static void write(Path target, Content content) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Files.createDirectories(dir);
        Path tmp = createTemp(dir, abs.getFileName().toString());
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                content.writeTo(ch);
                ch.force(true);
            }
            // rename(2) on POSIX: atomic, and it replaces an existing target.
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (Throwable e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException d) {
                e.addSuppressed(d);
            }
            throw e;
        }
        syncDirectory(dir);
    }

    /**
     * A new empty file named after the target. Created with the default permissions (not the owner-only ones of
     * Files.createTempFile), because it becomes the target.
     */
    private static Path createTemp(Path dir, String name) throws IOException {
        // Keeps the temporary name within the usual 255-byte limit on file names.
        String stem = "." + (name.length() > 100 ? name.substring(0, 100) : name) + ".";
        for (int attempt = 0; ; attempt++) {
            Path tmp = dir.resolve(stem + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()) + ".tmp");
            try {
                Files.newByteChannel(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return tmp;
            } catch (FileAlreadyExistsException e) {
                if (attempt == 9) throw e;
            }
        }
    }

    /** Makes the rename itself durable. Some platforms cannot open a folder for syncing; the rename has happened then anyway. */
    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // Not fatal: the file is complete and in place; only its survival across a power cut is less certain.
        }
    }
}
