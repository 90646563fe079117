package org.ddrl.rl.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.ddrl.rl.judge.Metric;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsJsonTest {
    @TempDir
    Path dir;

    @Test
    void holdsEveryArmsMetricsOverSeedsWithConfigSeedsAndWallTimes() {
        JsonNode root = ResultsJson.toJson(FakeResults.result());
        assertEquals("Fake experiment <tiny>", root.get("title").asText());
        assertEquals("ddrl", root.get("reference_arm").asText());
        assertEquals(8, root.get("config").get("rollouts_per_prompt").asInt());
        assertEquals("[11,12]", root.get("seeds").toString());
        assertEquals(2, root.get("arms").size());

        JsonNode ddrl = root.get("arms").get(0), dance = root.get("arms").get(1);
        assertEquals("ddrl", ddrl.get("arm").asText());
        assertEquals("dance grpo", dance.get("arm").asText());
        assertEquals(0.5, ddrl.get("config").get("data_beta").asDouble());
        assertEquals("[11,12]", ddrl.get("seeds").toString());

        List<String> names = new ArrayList<>();
        ddrl.get("metrics").fieldNames().forEachRemaining(names::add);
        assertEquals(List.of("proxy_reward", "judge_accuracy", "fvd_mini", "diversity", "saturation_drift",
                "heldout_diffusion_loss", "reverse_kl", "judge_vote_vs_ddrl"), names);

        // proxy_reward of ddrl over seeds: 0.50 and 0.51.
        JsonNode reward = ddrl.get("metrics").get("proxy_reward");
        double sd = Math.sqrt(2 * 0.005 * 0.005), half = 12.706204736174698 * sd / Math.sqrt(2);
        assertEquals(0.505, reward.get("mean").asDouble(), 1e-12);
        assertEquals(sd, reward.get("std").asDouble(), 1e-12);
        assertEquals(0.505 - half, reward.get("ci95").get(0).asDouble(), 1e-9);
        assertEquals(0.505 + half, reward.get("ci95").get(1).asDouble(), 1e-9);
        assertEquals(2, reward.get("n").asInt());
        assertEquals(0.5, reward.get("per_seed").get(0).asDouble(), 1e-12);
        assertEquals(0.51, reward.get("per_seed").get(1).asDouble(), 1e-12);

        // fvd_mini of dance: 4 and 5.
        assertEquals(4.5, dance.get("metrics").get("fvd_mini").get("mean").asDouble(), 1e-12);

        // Not measured: null, not NaN (which JSON cannot hold).
        JsonNode kl = ddrl.get("metrics").get("reverse_kl");
        assertTrue(kl.get("mean").isNull() && kl.get("std").isNull() && kl.get("ci95").get(0).isNull());
        assertEquals(0, kl.get("n").asInt());
        assertEquals("[null,null]", kl.get("per_seed").toString());

        assertEquals("[60.0,61.0]", ddrl.get("wall_time_s").get("per_seed").toString());
        assertEquals(121, ddrl.get("wall_time_s").get("total").asDouble(), 1e-12);
        assertEquals(60.5, ddrl.get("wall_time_s").get("mean").asDouble(), 1e-12);

        assertFalse(ddrl.has("welch_vs_reference"));
        JsonNode welch = dance.get("welch_vs_reference");
        for (Metric m : Metric.values()) assertTrue(welch.has(m.key()), m.key());
        assertTrue(welch.get("proxy_reward").get("p").asDouble() > 0);
        assertTrue(welch.get("reverse_kl").get("p").isNull(), "no values on the reference side");

        JsonNode points = ddrl.get("curves").get(0).get("points");
        assertEquals(11, ddrl.get("curves").get(0).get("seed").asLong());
        assertEquals(3, points.size());
        assertEquals(0.4, points.get(0).get("proxy_reward").asDouble(), 1e-12);
        assertTrue(points.get(0).has("fvd_mini"));
        assertFalse(points.get(1).has("fvd_mini"), "not measured at step 10");
    }

    @Test
    void writesTheSameDocumentAtomically() throws IOException {
        Path file = dir.resolve("results.json");
        Files.writeString(file, "old");
        ResultsJson.write(file, FakeResults.result());
        ObjectMapper json = new ObjectMapper();
        assertEquals(json.readTree(json.writeValueAsString(ResultsJson.toJson(FakeResults.result()))), json.readTree(file.toFile()));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("results.json"), files.map(p -> p.getFileName().toString()).toList(), "no temporary file is left");
        }
        assertTrue(Arrays.asList(Files.readString(file).split("\n")).size() > 10, "indented for people");
    }
}
