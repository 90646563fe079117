package org.ddrl.kernels.cuda.nvrtc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * PTX compiled at run time, kept on disk so that a module is compiled once per (source, headers, options,
 * compiler version) rather than once per process. Entries are written to a temporary file in the same folder
 * and renamed into place, so a reader never sees a partial file even with several processes compiling at
 * once. The cache is an optimization only: a folder that cannot be written is ignored.
 *
 * <p>Location: {@code -Dddrl.ptxCache=DIR}, else {@code $XDG_CACHE_HOME/ddrl/ptx}, else {@code ~/.cache/ddrl/ptx}.
 */
public final class PtxCache {
    public static final String DIR_PROPERTY = "ddrl.ptxCache";

    private final Path dir;

    public PtxCache(Path dir) {
        this.dir = dir;
    }

    /** The cache at its configured location. */
    public static PtxCache standard() {
        String configured = System.getProperty(DIR_PROPERTY);
        if (configured != null && !configured.isBlank()) return new PtxCache(Path.of(configured));
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return new PtxCache(base.resolve("ddrl").resolve("ptx"));
    }

    public Path dir() {
        return dir;
    }

    /**
     * The key of one compilation: a SHA-256 over every input that changes the PTX. Each part is length-prefixed
     * so that moving text between parts changes the key; headers count in name order.
     */
    public static String key(String source, Map<String, String> headers, List<String> options, String compilerVersion) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
        update(sha, "nvrtc " + compilerVersion);
        update(sha, source);
        for (Map.Entry<String, String> h : new TreeMap<>(headers).entrySet()) {
            update(sha, h.getKey());
            update(sha, h.getValue());
        }
        update(sha, String.valueOf(options.size()));
        for (String o : options) update(sha, o);
        return HexFormat.of().formatHex(sha.digest());
    }

    private static void update(MessageDigest sha, String part) {
        byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
        sha.update((bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
        sha.update(bytes);
    }

    /** The cached PTX of a module under a key, if present and readable. */
    public Optional<String> get(String moduleName, String key) {
        Path file = file(moduleName, key);
        try {
            return Files.isRegularFile(file) ? Optional.of(Files.readString(file, StandardCharsets.UTF_8)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Stores PTX under a key; returns false when the cache folder could not be written. */
    public boolean put(String moduleName, String key, String ptx) {
        Path target = file(moduleName, key);
        Path temp = null;
        try {
            Files.createDirectories(dir);
            temp = Files.createTempFile(dir, target.getFileName().toString(), ".tmp");
            Files.writeString(temp, ptx, StandardCharsets.UTF_8);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return true;
        } catch (IOException e) {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // nothing more can be done for a folder that refuses writes
                }
            }
            return false;
        }
    }

    /** {@code <module>-<key>.ptx}, the module name reduced to safe characters. */
    Path file(String moduleName, String key) {
        return dir.resolve(moduleName.replaceAll("[^A-Za-z0-9_.-]", "_") + "-" + key + ".ptx");
    }
}
