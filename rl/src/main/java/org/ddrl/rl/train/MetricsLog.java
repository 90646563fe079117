package org.ddrl.rl.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/** Writes each iteration's metrics as one JSON object per line (JSONL), flushed line by line so a crash loses nothing. */
public final class MetricsLog implements Consumer<Map<String, Object>>, AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT);

    private final Path path;
    private final BufferedWriter out;

    /** Opens {@code path} for appending (created if missing). */
    public MetricsLog(Path path) throws IOException {
        this.path = path;
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        this.out = Files.newBufferedWriter(path, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** One metrics map as a JSON line (NaN and infinities, which JSON lacks, are written as null). */
    public static String line(Map<String, Object> metrics) {
        Map<String, Object> clean = new LinkedHashMap<>();
        metrics.forEach((k, v) -> clean.put(k, v instanceof Double d && !Double.isFinite(d) ? null : v));
        try {
            return JSON.writeValueAsString(clean);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("MetricsLog: a metric cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    @Override
    public void accept(Map<String, Object> metrics) {
        try {
            out.write(line(metrics));
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("MetricsLog: writing " + path + " failed", e);
        }
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
