package org.ddrl.tensor.io;

import static org.ddrl.tensor.io.IoAssertions.listing;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.ddrl.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Replacing files all at once: a failed write leaves the old file and no temporary file behind. */
class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void replacesTheTargetAndLeavesNothingElse() throws IOException {
        Path f = Files.writeString(dir.resolve("t.bin"), "old content");
        AtomicFiles.write(f, ch -> ch.write(ByteBuffer.wrap("new".getBytes())));
        assertEquals("new", Files.readString(f));
        assertEquals(List.of("t.bin"), listing(dir));
    }

    @Test
    void failureMidwayKeepsTheOldFile() throws IOException {
        Path f = Files.writeString(dir.resolve("t.bin"), "old content");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(f, ch -> {
            ch.write(ByteBuffer.wrap("half of the new".getBytes()));
            throw new IOException("disk full");
        }));
        assertEquals("disk full", e.getMessage());
        assertEquals("old content", Files.readString(f));
        assertEquals(List.of("t.bin"), listing(dir));
    }

    @Test
    void uncheckedFailureAlsoCleansUp() throws IOException {
        Path f = dir.resolve("new.bin");
        assertThrows(IllegalStateException.class, () -> AtomicFiles.write(f, ch -> {
            ch.write(ByteBuffer.allocate(100));
            throw new IllegalStateException("tensor released");
        }));
        assertTrue(Files.notExists(f));
        assertTrue(listing(dir).isEmpty(), "left behind: " + listing(dir));
    }

    @Test
    void failedTensorSaveKeepsTheOldTensorFile() throws IOException {
        Path f = dir.resolve("w.npy");
        Npy.write(f, Tensor.of(new float[] {1, 2, 3}));
        byte[] old = Files.readAllBytes(f);
        // A folder in the way of the rename: everything is written, then the final step fails.
        Path blocked = Files.createDirectory(dir.resolve("blocked.npy"));
        Files.writeString(blocked.resolve("inside"), "x");
        assertThrows(IOException.class, () -> Npy.write(blocked, Tensor.of(new float[] {4})));
        assertArrayEquals(old, Files.readAllBytes(f));
        assertEquals(List.of("blocked.npy", "w.npy"), listing(dir));
    }

    @Test
    void longNamesStillGetATemporaryName() throws IOException {
        Path f = dir.resolve("x".repeat(250));
        AtomicFiles.write(f, ch -> ch.write(ByteBuffer.wrap(new byte[] {7})));
        assertArrayEquals(new byte[] {7}, Files.readAllBytes(f));
    }

    @Test
    void bytesStringsAndStreamsGoIntoNewFoldersWithDefaultPermissions() throws IOException {
        Path nested = dir.resolve("a/b/c.txt");
        AtomicFiles.writeString(nested, "caf\u00e9");
        assertEquals("caf\u00e9", Files.readString(nested));
        Path copied = dir.resolve("a/copy.bin");
        AtomicFiles.copy(new java.io.ByteArrayInputStream(new byte[] {1, 2, 3}), copied);
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(copied));
        // the same permissions as a file created plainly (not a temporary file's owner-only ones)
        Path plain = Files.createFile(dir.resolve("a/plain"));
        if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
            assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(nested));
            assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(copied));
        }
        assertEquals(List.of("b", "copy.bin", "plain"), listing(dir.resolve("a")));
    }
}
