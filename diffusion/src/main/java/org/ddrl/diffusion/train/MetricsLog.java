package org.ddrl.diffusion.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Training metrics as JSON Lines: one object per step ({@code {"step": 1, "loss": 0.98, ...}}), each line flushed as
 * soon as it is written, so that a crash loses nothing already logged and another process can follow the file.
 * Numbers are written in their shortest exact form, so a loss read back is the double that was logged.
 */
public final class MetricsLog implements AutoCloseable {
    private final Path path;
    private final BufferedWriter out;

    private MetricsLog(Path path, BufferedWriter out) {
        this.path = path;
        this.out = out;
    }

    /** A new log, replacing any file at {@code path}. */
    public static MetricsLog create(Path path) throws IOException {
        Files.createDirectories(path.toAbsolutePath().getParent());
        return new MetricsLog(path, Files.newBufferedWriter(path, StandardCharsets.UTF_8));
    }

    /**
     * Continues the log of a run resumed after step {@code step}: lines of later steps, written before the run stopped
     * and about to be written again, are dropped first (the file is replaced atomically), then new lines are appended.
     */
    public static MetricsLog resume(Path path, long step) throws IOException {
        if (Files.exists(path)) {
            List<String> kept = new ArrayList<>();
            List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.isBlank()) continue;
                JsonNode n;
                try {
                    n = Json.MAPPER.readTree(line);
                } catch (IOException e) {
                    // a line cut short by a crash is the last one written; everything after it is dropped too
                    if (i == lines.size() - 1) break;
                    throw new IOException("metrics log " + path + ": line " + (i + 1) + " is not JSON: " + e.getMessage(), e);
                }
                if (n.path("step").asLong(Long.MAX_VALUE) <= step) kept.add(line);
            }
            Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
            Files.write(tmp, kept, StandardCharsets.UTF_8);
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.createDirectories(path.toAbsolutePath().getParent());
        return new MetricsLog(path, Files.newBufferedWriter(path, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND));
    }

    /** A new line object to fill and pass to {@link #write}. */
    public static ObjectNode line() {
        return Json.MAPPER.createObjectNode();
    }

    /** Appends one line and flushes it. */
    public void write(ObjectNode line) throws IOException {
        out.write(Json.MAPPER.writeValueAsString(line));
        out.newLine();
        out.flush();
    }

    public Path path() {
        return path;
    }

    /** Every line of a metrics file, parsed. */
    public static List<JsonNode> read(Path path) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(path, StandardCharsets.UTF_8)) if (!line.isBlank()) out.add(Json.MAPPER.readTree(line));
        return out;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
