package org.ddrl.rl.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.ddrl.rl.judge.Metric;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/** The whole experiment at micro sizes: two RL arms of one iteration, tiny evaluation, tiny classifier and judge network. */
class ExperimentRunnerTest {
    static final String MICRO = """
            seeds: [3]
            arms: [dance_grpo, ddrl_real]
            train_data: {videos: 8}
            reward: {classifier: {steps: 2, videos: 8, batch_size: 4}}
            rl: {iterations: 1, prompts_per_iteration: 1, group_size: 2, micro_batch: 2, sampler: {steps: 3}}
            eval: {every: 1, prompts: 2, per_prompt: 2, real_per_prompt: 2, heldout_videos: 2, grid_videos: 2,
                   feature_net: {steps: 2, batch_size: 4, videos: 8}}
            """;

    @TempDir
    Path dir;

    @Test
    void writesEveryMetricOfEveryArmAndAReport() throws Exception {
        ExperimentConfig c = ExperimentConfig.parseYaml(MICRO, "micro.yaml").withThreads(2);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        ExperimentRunner.Outcome o = ExperimentRunner.run(c, dir, new PrintStream(log, true, StandardCharsets.UTF_8));
        String text = log.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("ETA"), "progress lines with an ETA:\n" + text);
        assertTrue(text.contains("reward classifier: training"), text);
        assertEquals(dir.resolve("report.html"), o.report());

        JsonNode root = new ObjectMapper().readTree(dir.resolve("results.json").toFile());
        assertEquals("ddrl_real", root.get("reference_arm").asText());
        assertEquals(3, root.get("seeds").get(0).asLong());
        assertEquals(1, root.get("config").get("rl").get("iterations").asInt(), "the config is recorded");
        assertEquals("trained in this run", root.get("config").get("run").get("reward_classifier").asText());
        JsonNode arms = root.get("arms");
        assertEquals(2, arms.size());
        double[] step0Reward = new double[2];
        for (int i = 0; i < 2; i++) {
            JsonNode arm = arms.get(i);
            assertEquals(List.of("dance_grpo", "ddrl_real").get(i), arm.get("arm").asText());
            JsonNode metrics = arm.get("metrics");
            List<String> names = new ArrayList<>();
            metrics.fieldNames().forEachRemaining(names::add);
            assertEquals(List.of("proxy_reward", "judge_accuracy", "fvd_mini", "diversity", "saturation_drift", "heldout_diffusion_loss",
                    "reverse_kl", "judge_vote_vs_ddrl"), names);
            for (Metric m : Metric.values()) {
                JsonNode s = metrics.get(m.key());
                assertEquals(1, s.get("n").asInt(), m.key());
                assertTrue(s.get("mean").isNumber(), m.key() + " measured: " + s);
                assertTrue(s.get("std").isNull(), "no spread over one seed");
            }
            assertTrue(metrics.get("reverse_kl").get("mean").asDouble() > 0, "trained weights differ from the base model's");
            double acc = metrics.get("judge_accuracy").get("mean").asDouble();
            assertTrue(acc >= 0 && acc <= 1);
            assertTrue(arm.get("wall_time_s").get("per_seed").get(0).asDouble() > 0);
            JsonNode points = arm.get("curves").get(0).get("points");
            assertEquals(2, points.size(), "evaluated at steps 0 and 1");
            for (int s = 0; s < 2; s++) assertEquals(s, points.get(s).get("step").asInt());
            assertEquals(0.0, points.get(0).get("reverse_kl").asDouble(), "step 0 is the base model");
            step0Reward[i] = points.get(0).get("proxy_reward").asDouble();
        }
        assertEquals(step0Reward[0], step0Reward[1], "every arm starts from the same evaluation of the base model");
        assertEquals(0.0, arms.get(1).get("metrics").get("judge_vote_vs_ddrl").get("mean").asDouble(), "the reference against itself");
        assertTrue(Files.isRegularFile(dir.resolve("runs/ddrl_real/seed_3/metrics.jsonl")));
        assertEquals(1, Files.readAllLines(dir.resolve("runs/ddrl_real/seed_3/metrics.jsonl")).size(), "one line per iteration");

        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", false);
        Document doc = f.newDocumentBuilder().parse(o.report().toFile());
        NodeList imgs = doc.getElementsByTagName("img");
        List<String> sources = new ArrayList<>();
        for (int i = 0; i < imgs.getLength(); i++) sources.add(((org.w3c.dom.Element) imgs.item(i)).getAttribute("src"));
        assertTrue(sources.contains("gifs/dance_grpo.gif") && sources.contains("gifs/ddrl_real.gif"), sources.toString());
        assertTrue(sources.contains("charts/proxy_reward.png"), sources.toString());
        for (String s : sources) assertTrue(Files.size(dir.resolve(s)) > 0, s);

        String md = Files.readString(o.markdown());
        assertTrue(md.contains("| dance_grpo |") && md.contains("| ddrl_real |"), md);
        for (Metric m : Metric.values()) assertTrue(md.contains(m.key()), m.key());

        // A second run in the same directory loads the classifier and the judge's network instead of training them.
        ExperimentConfig baseOnly = ExperimentConfig.parseYaml(MICRO + "arms: [no_rl]\nreference_arm: no_rl\n", "micro.yaml");
        ByteArrayOutputStream log2 = new ByteArrayOutputStream();
        ExperimentRunner.run(baseOnly, dir, new PrintStream(log2, true, StandardCharsets.UTF_8));
        String text2 = log2.toString(StandardCharsets.UTF_8);
        assertTrue(text2.contains("reward classifier: loaded") && text2.contains("judge feature network: loaded"), text2);
        assertFalse(text2.contains("training"), text2);
        JsonNode base = new ObjectMapper().readTree(dir.resolve("results.json").toFile()).get("arms").get(0);
        assertEquals("no_rl", base.get("arm").asText());
        // The same videos and classifier; only float rounding may differ between the two runs' compiled kernels.
        assertEquals(step0Reward[0], base.get("metrics").get("proxy_reward").get("mean").asDouble(), 1e-5 * Math.abs(step0Reward[0]),
                "the base model's evaluation repeats with the cached classifier");
        assertEquals(0.0, base.get("metrics").get("reverse_kl").get("mean").asDouble());
    }
}
