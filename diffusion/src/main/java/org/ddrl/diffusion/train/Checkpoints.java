package org.ddrl.diffusion.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checkpoint directories {@code step_NNNNNN} under a root, written so that a crash at any moment never leaves one
 * that a resume would trust:
 * <ol>
 *   <li>every file goes into a hidden temporary directory next to them ({@code .step_NNNNNN.tmp-XXXX});</li>
 *   <li>the manifest, {@value #MANIFEST}, is written last: each file's size and SHA-256, synced to disk;</li>
 *   <li>the directory is renamed to its final name in one atomic rename, and the root is synced.</li>
 * </ol>
 * A {@code step_*} directory therefore exists only complete; one without a manifest (not written by this class) is
 * ignored, and temporary directories left by a crash are removed by {@link #removeLeftovers}. Reading checks every
 * file against the manifest, so a file damaged later is reported by name instead of being loaded.
 */
public final class Checkpoints {
    /** The file written last, that makes a checkpoint complete. */
    public static final String MANIFEST = "manifest.json";
    private static final Pattern NAME = Pattern.compile("step_(\\d+)");
    private static final String TMP_PREFIX = ".step_";

    private Checkpoints() {}

    /** Writes one file of a checkpoint into the path it is given. */
    @FunctionalInterface
    public interface FileWriter {
        void write(Path file) throws IOException;
    }

    /** A file of a checkpoint: its name in the directory and how to write it. */
    public record Part(String name, FileWriter writer) {
        public Part {
            if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.startsWith(".") || name.equals(MANIFEST)) {
                throw new IllegalArgumentException("Checkpoints.Part: '" + name + "' is not a plain file name of its own");
            }
        }
    }

    /** The directory name of step {@code step}. */
    public static String dirName(long step) {
        return String.format(Locale.ROOT, "step_%06d", step);
    }

    /**
     * Writes the parts, then the manifest, into a temporary directory and renames it to {@code root/step_NNNNNN}, which
     * it replaces if it exists. On an error the temporary directory is removed and nothing else changes.
     */
    public static Path write(Path root, long step, List<Part> parts) throws IOException {
        Files.createDirectories(root);
        Path target = root.resolve(dirName(step));
        Path tmp = root.resolve(TMP_PREFIX + String.format(Locale.ROOT, "%06d", step) + ".tmp-"
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()));
        Files.createDirectory(tmp);
        try {
            ObjectNode files = Json.MAPPER.createObjectNode();
            for (Part p : parts) {
                if (files.has(p.name())) throw new IllegalArgumentException("Checkpoints.write: two parts are named '" + p.name() + "'");
                Path file = tmp.resolve(p.name());
                p.writer().write(file);
                if (!Files.isRegularFile(file)) throw new IOException("Checkpoints.write: part '" + p.name() + "' wrote no file");
                sync(file);
                ObjectNode f = files.putObject(p.name());
                f.put("bytes", Files.size(file));
                f.put("sha256", sha256(file));
            }
            ObjectNode manifest = Json.MAPPER.createObjectNode();
            manifest.put("step", step);
            manifest.set("files", files);
            Path m = tmp.resolve(MANIFEST);
            Files.writeString(m, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(manifest), StandardCharsets.UTF_8);
            sync(m);
            sync(tmp);
            if (Files.exists(target)) {
                Path old = root.resolve(TMP_PREFIX + String.format(Locale.ROOT, "%06d", step) + ".tmp-replaced");
                deleteTree(old);
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                deleteTree(old);
            } else {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            }
            sync(root);
            return target;
        } catch (Throwable e) {
            try {
                deleteTree(tmp);
            } catch (IOException d) {
                e.addSuppressed(d);
            }
            throw e;
        }
    }

    /** The complete checkpoints under root (those with a manifest), oldest first; empty when root does not exist. */
    public static List<Path> list(Path root) throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(root)) return out;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path p : ds) {
                if (Files.isDirectory(p) && NAME.matcher(p.getFileName().toString()).matches() && Files.isRegularFile(p.resolve(MANIFEST))) {
                    out.add(p);
                }
            }
        }
        out.sort(Comparator.comparingLong(Checkpoints::step));
        return out;
    }

    /** The newest complete checkpoint under root. */
    public static Optional<Path> latest(Path root) throws IOException {
        List<Path> all = list(root);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.getLast());
    }

    /** The step a checkpoint directory's name says. */
    public static long step(Path dir) {
        Matcher m = NAME.matcher(dir.getFileName().toString());
        if (!m.matches()) throw new IllegalArgumentException("Checkpoints.step: " + dir + " is not named step_NNNNNN");
        return Long.parseLong(m.group(1));
    }

    /**
     * Checks a checkpoint against its manifest: the manifest is there and readable, it names the step of the
     * directory, and every file it lists has its size and SHA-256. Throws naming the first file that fails.
     */
    public static void verify(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new CheckpointException("checkpoint " + dir + " does not exist (or is not a directory)");
        Path m = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(m)) {
            throw new CheckpointException("checkpoint " + dir + " is incomplete: it has no " + MANIFEST + " (the file written last)");
        }
        JsonNode manifest;
        try {
            manifest = Json.MAPPER.readTree(Files.readString(m, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new CheckpointException("checkpoint " + dir + ": " + MANIFEST + " is not valid JSON: " + e.getMessage(), e);
        }
        JsonNode files = manifest == null ? null : manifest.get("files");
        if (files == null || !files.isObject() || !manifest.path("step").canConvertToLong()) {
            throw new CheckpointException("checkpoint " + dir + ": " + MANIFEST + " lacks \"step\" or \"files\"");
        }
        if (NAME.matcher(dir.getFileName().toString()).matches() && manifest.get("step").asLong() != step(dir)) {
            throw new CheckpointException("checkpoint " + dir + ": " + MANIFEST + " is for step " + manifest.get("step").asLong());
        }
        for (var it = files.fields(); it.hasNext(); ) {
            var e = it.next();
            Path f = dir.resolve(e.getKey());
            if (!Files.isRegularFile(f)) throw new CheckpointException("checkpoint " + dir + ": file " + e.getKey() + " is missing");
            long want = e.getValue().path("bytes").asLong(-1), got = Files.size(f);
            if (got != want) {
                throw new CheckpointException("checkpoint " + dir + ": file " + e.getKey() + " is corrupt: " + got + " bytes, the manifest says "
                        + want);
            }
            if (!sha256(f).equals(e.getValue().path("sha256").asText())) {
                throw new CheckpointException("checkpoint " + dir + ": file " + e.getKey() + " is corrupt: its SHA-256 differs from the manifest's");
            }
        }
    }

    /** Deletes all but the newest {@code keep} complete checkpoints (keep 0 keeps all). */
    public static void prune(Path root, int keep) throws IOException {
        if (keep <= 0) return;
        List<Path> all = list(root);
        for (int i = 0; i < all.size() - keep; i++) deleteTree(all.get(i));
    }

    /** Removes temporary directories that a crash left behind (none of them was ever a checkpoint). */
    public static void removeLeftovers(Path root) throws IOException {
        if (!Files.isDirectory(root)) return;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, TMP_PREFIX + "*")) {
            for (Path p : ds) deleteTree(p);
        }
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Forces a file's (or a directory's entries') content to disk; some platforms cannot open a directory for it. */
    private static void sync(Path p) {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Not fatal: the data is written; only its survival across a power cut is less certain.
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                try {
                    Files.delete(q);
                } catch (NoSuchFileException ignored) {
                    // already gone
                }
            }
        }
    }
}
