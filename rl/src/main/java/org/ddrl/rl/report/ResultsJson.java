package org.ddrl.rl.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.commons.math3.stat.StatUtils;
import org.ddrl.rl.judge.Metric;
import org.ddrl.rl.judge.SeedSummary;
import org.ddrl.rl.judge.WelchTest;
import org.ddrl.tensor.io.AtomicFiles;

/**
 * results.json: the title, the reference arm, the experiment config and every seed, then one object per arm with its
 * config, seeds, wall times, each metric's summary over seeds (under the names of {@link Metric}: mean, std, 95%
 * interval, n, per-seed values), Welch's t-test of each metric against the reference arm, and the curves of every
 * seed. Values that were not measured, or are undefined (a spread over one seed), are written as null, since JSON has
 * no NaN.
 */
public final class ResultsJson {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ResultsJson() {}

    /** Writes results.json to {@code file}, replacing it atomically. */
    public static void write(Path file, ExperimentResult result) throws IOException {
        AtomicFiles.write(file, JSON.writeValueAsBytes(toJson(result)));
    }

    /** The document results.json holds. */
    public static ObjectNode toJson(ExperimentResult result) {
        ObjectNode root = JSON.createObjectNode();
        root.put("title", result.title());
        root.put("reference_arm", result.referenceArm());
        root.set("config", JSON.valueToTree(result.config()));
        ArrayNode seeds = root.putArray("seeds");
        result.arms().stream().flatMapToLong(a -> java.util.Arrays.stream(a.seeds())).distinct().sorted().forEach(seeds::add);
        ArrayNode arms = root.putArray("arms");
        for (ArmResult arm : result.arms()) arms.add(arm(arm, result.reference()));
        return root;
    }

    private static ObjectNode arm(ArmResult arm, ArmResult reference) {
        ObjectNode o = JSON.createObjectNode();
        o.put("arm", arm.arm());
        o.set("config", JSON.valueToTree(arm.config()));
        ArrayNode seeds = o.putArray("seeds");
        for (long s : arm.seeds()) seeds.add(s);

        ObjectNode wall = o.putObject("wall_time_s");
        double[] w = arm.wallSeconds();
        wall.set("per_seed", numbers(w));
        put(wall, "mean", StatUtils.mean(w));
        put(wall, "total", StatUtils.sum(w));

        ObjectNode metrics = o.putObject("metrics");
        for (Metric m : Metric.values()) metrics.set(m.key(), summary(arm.summary(m)));

        if (arm != reference) {
            ObjectNode welch = o.putObject("welch_vs_reference");
            for (Metric m : Metric.values()) {
                WelchTest t = WelchTest.of(arm.perSeed(m), reference.perSeed(m));
                ObjectNode e = welch.putObject(m.key());
                put(e, "t", t.t());
                put(e, "df", t.degreesOfFreedom());
                put(e, "p", t.p());
            }
        }

        ArrayNode curves = o.putArray("curves");
        for (SeedRun run : arm.runs()) {
            ObjectNode c = curves.addObject();
            c.put("seed", run.seed());
            ArrayNode points = c.putArray("points");
            for (CurvePoint p : run.curve()) {
                ObjectNode point = points.addObject();
                point.put("step", p.step());
                for (Metric m : Metric.values()) {
                    double v = m.of(p.metrics());
                    if (!Double.isNaN(v)) point.put(m.key(), v);
                }
            }
        }
        return o;
    }

    private static ObjectNode summary(SeedSummary s) {
        ObjectNode o = JSON.createObjectNode();
        put(o, "mean", s.mean());
        put(o, "std", s.std());
        ArrayNode ci = o.putArray("ci95");
        ci.add(number(s.ciLow()));
        ci.add(number(s.ciHigh()));
        o.put("n", s.n());
        o.set("per_seed", numbers(s.values()));
        return o;
    }

    private static ArrayNode numbers(double[] values) {
        ArrayNode a = JSON.createArrayNode();
        for (double v : values) a.add(number(v));
        return a;
    }

    private static void put(ObjectNode o, String name, double v) {
        o.set(name, number(v));
    }

    /** A JSON number, or null for NaN and infinities. */
    private static JsonNode number(double v) {
        return Double.isFinite(v) ? JSON.getNodeFactory().numberNode(v) : JSON.getNodeFactory().nullNode();
    }
}
