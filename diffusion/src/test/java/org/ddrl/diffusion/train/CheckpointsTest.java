package org.ddrl.diffusion.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointsTest {
    @TempDir
    Path root;

    private static List<Checkpoints.Part> parts(String text) {
        return List.of(new Checkpoints.Part("a.txt", f -> Files.writeString(f, text)),
                new Checkpoints.Part("b.bin", f -> Files.write(f, new byte[] {1, 2, 3})));
    }

    private static List<String> names(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writeMakesACompleteVerifiedDirectory() throws IOException {
        Path d = Checkpoints.write(root, 7, parts("seven"));
        assertEquals(root.resolve("step_000007"), d);
        assertEquals(List.of("a.txt", "b.bin", Checkpoints.MANIFEST), names(d));
        Checkpoints.verify(d);
        assertEquals(List.of("step_000007"), names(root), "no temporary directory is left");
        assertEquals(7, Checkpoints.step(d));
    }

    @Test
    void aCrashWhileWritingLeavesThePreviousCheckpointInCharge() throws IOException {
        Path first = Checkpoints.write(root, 10, parts("ten"));
        List<Checkpoints.Part> crashing = List.of(new Checkpoints.Part("a.txt", f -> Files.writeString(f, "twenty")),
                new Checkpoints.Part("b.bin", f -> {
                    Files.write(f, new byte[] {9});
                    throw new IOException("disk full");
                }));
        IOException e = assertThrows(IOException.class, () -> Checkpoints.write(root, 20, crashing));
        assertEquals("disk full", e.getMessage());
        assertEquals(Optional.of(first), Checkpoints.latest(root));
        assertEquals(List.of("step_000010"), names(root), "the half-written directory is removed");
        Checkpoints.verify(first);
    }

    @Test
    void whatAKilledProcessLeavesIsIgnoredAndCleanedUp() throws IOException {
        Path first = Checkpoints.write(root, 10, parts("ten"));
        // a process killed mid-write leaves its temporary directory; a directory without a manifest is not ours
        Path tmp = Files.createDirectories(root.resolve(".step_000020.tmp-1234abcd"));
        Files.writeString(tmp.resolve("a.txt"), "half");
        Path noManifest = Files.createDirectories(root.resolve("step_000030"));
        Files.writeString(noManifest.resolve("a.txt"), "thirty");
        assertEquals(Optional.of(first), Checkpoints.latest(root));
        assertEquals(List.of(first), Checkpoints.list(root));
        Checkpoints.removeLeftovers(root);
        assertFalse(Files.exists(tmp));
        assertTrue(Files.exists(noManifest), "only our own temporary directories are removed");
        CheckpointException x = assertThrows(CheckpointException.class, () -> Checkpoints.verify(noManifest));
        assertTrue(x.getMessage().contains("is incomplete: it has no manifest.json"), x.getMessage());
    }

    @Test
    void damagedFilesAreNamed() throws IOException {
        Path d = Checkpoints.write(root, 1, parts("hello"));
        Files.writeString(d.resolve("a.txt"), "jello");
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.verify(d));
        assertTrue(e.getMessage().contains("file a.txt is corrupt: its SHA-256 differs"), e.getMessage());
        Files.writeString(d.resolve("a.txt"), "hello");
        Files.write(d.resolve("b.bin"), new byte[] {4}, StandardOpenOption.APPEND);
        e = assertThrows(CheckpointException.class, () -> Checkpoints.verify(d));
        assertTrue(e.getMessage().contains("file b.bin is corrupt: 4 bytes, the manifest says 3"), e.getMessage());
        Files.delete(d.resolve("b.bin"));
        e = assertThrows(CheckpointException.class, () -> Checkpoints.verify(d));
        assertTrue(e.getMessage().contains("file b.bin is missing"), e.getMessage());
        Files.writeString(d.resolve(Checkpoints.MANIFEST), "{\"step\": 1, \"files\": ");
        e = assertThrows(CheckpointException.class, () -> Checkpoints.verify(d));
        assertTrue(e.getMessage().contains("manifest.json is not valid JSON"), e.getMessage());
        e = assertThrows(CheckpointException.class, () -> Checkpoints.verify(root.resolve("step_000099")));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void rewritingAStepReplacesIt() throws IOException {
        Checkpoints.write(root, 5, parts("old"));
        Path d = Checkpoints.write(root, 5, parts("new"));
        assertEquals("new", Files.readString(d.resolve("a.txt")));
        Checkpoints.verify(d);
        assertEquals(List.of("step_000005"), names(root));
    }

    @Test
    void pruneKeepsTheNewest() throws IOException {
        for (long s : new long[] {100, 2, 30}) Checkpoints.write(root, s, parts("x"));
        assertEquals(List.of(2L, 30L, 100L), Checkpoints.list(root).stream().map(Checkpoints::step).toList(), "ordered by step, not name");
        Checkpoints.prune(root, 2);
        assertEquals(List.of(30L, 100L), Checkpoints.list(root).stream().map(Checkpoints::step).toList());
        Checkpoints.prune(root, 0);
        assertEquals(2, Checkpoints.list(root).size(), "0 keeps all");
    }

    @Test
    void partsMustBePlainDistinctNames() {
        assertThrows(IllegalArgumentException.class, () -> new Checkpoints.Part("../x", f -> {}));
        assertThrows(IllegalArgumentException.class, () -> new Checkpoints.Part(Checkpoints.MANIFEST, f -> {}));
        List<Checkpoints.Part> twice = List.of(new Checkpoints.Part("a", f -> Files.writeString(f, "1")),
                new Checkpoints.Part("a", f -> Files.writeString(f, "2")));
        assertThrows(IllegalArgumentException.class, () -> Checkpoints.write(root, 1, twice));
        IOException e = assertThrows(IOException.class, () -> Checkpoints.write(root, 1, List.of(new Checkpoints.Part("a", f -> {}))));
        assertTrue(e.getMessage().contains("part 'a' wrote no file"), e.getMessage());
    }
}
