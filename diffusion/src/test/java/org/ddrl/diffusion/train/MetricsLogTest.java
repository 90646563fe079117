package org.ddrl.diffusion.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsLogTest {
    @TempDir
    Path dir;

    private static void write(MetricsLog log, long step, double loss) throws IOException {
        var line = MetricsLog.line();
        line.put("step", step);
        line.put("loss", loss);
        log.write(line);
    }

    @Test
    void eachLineIsOnDiskAsSoonAsItIsWritten() throws IOException {
        Path f = dir.resolve("m.jsonl");
        try (MetricsLog log = MetricsLog.create(f)) {
            write(log, 1, 0.1 + 0.2);
            assertEquals(1, Files.readAllLines(f).size(), "flushed without closing");
            write(log, 2, 1e-300);
        }
        List<JsonNode> lines = MetricsLog.read(f);
        assertEquals(0.1 + 0.2, lines.get(0).get("loss").doubleValue(), 0.0, "the exact double reads back");
        assertEquals(1e-300, lines.get(1).get("loss").doubleValue(), 0.0);
        assertEquals("{\"step\":1,\"loss\":0.30000000000000004}", Files.readAllLines(f).get(0));
    }

    @Test
    void resumeDropsTheStepsAfterTheCheckpointAndAppends() throws IOException {
        Path f = dir.resolve("m.jsonl");
        try (MetricsLog log = MetricsLog.create(f)) {
            for (int s = 1; s <= 5; s++) write(log, s, s);
        }
        Files.writeString(f, Files.readString(f) + "{\"step\":6,\"lo");   // the line a crash cut short
        try (MetricsLog log = MetricsLog.resume(f, 3)) {
            write(log, 4, 40);
        }
        List<JsonNode> lines = MetricsLog.read(f);
        assertEquals(List.of(1L, 2L, 3L, 4L), lines.stream().map(n -> n.get("step").longValue()).toList());
        assertEquals(40, lines.get(3).get("loss").doubleValue());
    }

    @Test
    void aDamagedLineInTheMiddleIsAnError() throws IOException {
        Path f = dir.resolve("m.jsonl");
        Files.writeString(f, "{\"step\":1}\nnot json\n{\"step\":2}\n");
        IOException e = assertThrows(IOException.class, () -> MetricsLog.resume(f, 2));
        assertTrue(e.getMessage().contains("line 2 is not JSON"), e.getMessage());
    }
}
