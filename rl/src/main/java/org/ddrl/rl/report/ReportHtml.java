package org.ddrl.rl.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.commons.math3.stat.StatUtils;
import org.ddrl.diffusion.media.VideoGrid;
import org.ddrl.rl.judge.Metric;
import org.ddrl.rl.judge.SeedSummary;
import org.ddrl.rl.judge.WelchTest;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.io.AtomicFiles;

/**
 * report.html: a static page, readable offline, that references nothing but its own PNG charts and GIFs by relative
 * paths (no scripts, no external styles or fonts). Sections: the table of arms x metrics (mean +- 95% interval over
 * seeds), Welch p-values against the reference arm, the curves, a GIF grid per arm for the same prompts and seeds,
 * the wall times and the config. The markup is well-formed XML as well as HTML, so it can be checked by any XML parser.
 */
final class ReportHtml {
    static final String FILE = "report.html";
    /** Pixels a video tile should be about, on screen. */
    private static final int TILE_PIXELS = 96;
    private static final int GIF_DELAY_MS = 125;

    private ReportHtml() {}

    /** Writes report.html, charts/ and gifs/ under {@code dir}; {@code grid} may be null (no samples shown). */
    static Path write(Path dir, ExperimentResult result, SampleGrid grid) throws IOException {
        List<Charts.Chart> charts = Charts.write(dir, result);
        Map<String, GifFile> gifs = grid == null ? Map.of() : writeGifs(dir, grid);
        Path file = dir.resolve(FILE);
        AtomicFiles.writeString(file, page(result, charts, grid, gifs));
        return file;
    }

    record GifFile(String file, int width, int height) {}

    private static Map<String, GifFile> writeGifs(Path dir, SampleGrid grid) throws IOException {
        Map<String, GifFile> out = new LinkedHashMap<>();
        Set<String> used = new HashSet<>();
        Files.createDirectories(dir.resolve("gifs"));
        for (Map.Entry<String, Tensor> e : grid.videos().entrySet()) {
            Tensor v = e.getValue();
            int n = v.size(0), h = v.size(3), w = v.size(4);
            int cols = VideoGrid.defaultColumns(n), rows = (n + cols - 1) / cols;
            int scale = Math.clamp(Math.round(TILE_PIXELS / (float) Math.max(h, w)), 1, 8);
            String file = "gifs/" + fileName(e.getKey(), used) + ".gif";
            VideoGrid.writeGif(dir.resolve(file), v, cols, scale, GIF_DELAY_MS);
            out.put(e.getKey(), new GifFile(file, (cols * (w + VideoGrid.GAP) + VideoGrid.GAP) * scale,
                    (rows * (h + VideoGrid.GAP) + VideoGrid.GAP) * scale));
        }
        return out;
    }

    /** A file name from an arm name: letters, digits, '-' and '_' only, unique among those given so far. */
    static String fileName(String arm, Set<String> used) {
        String base = arm.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]+", "_").replaceAll("^_+|_+$", "");
        if (base.isEmpty()) base = "arm";
        String name = base;
        for (int i = 2; !used.add(name); i++) name = base + "-" + i;
        return name;
    }

    private static String page(ExperimentResult result, List<Charts.Chart> charts, SampleGrid grid, Map<String, GifFile> gifs)
            throws JsonProcessingException {
        StringBuilder h = new StringBuilder();
        String title = Html.escape(result.title());
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n")
                .append("<title>").append(title).append("</title>\n<style>\n").append(STYLE).append("</style>\n</head>\n<body>\n");
        h.append("<h1>").append(title).append("</h1>\n");
        h.append("<p>").append(result.arms().size()).append(" arms, seeds ").append(Html.escape(seedList(result)))
                .append("; the judge vote and the t-tests compare against <b>").append(Html.escape(result.referenceArm()))
                .append("</b>. Machine-readable numbers: <a href=\"").append(Report.RESULTS_FILE).append("\">")
                .append(Report.RESULTS_FILE).append("</a>.</p>\n");
        metricsTable(h, result);
        welchTable(h, result);
        curves(h, charts);
        samples(h, grid, gifs);
        wallTimes(h, result);
        config(h, result);
        h.append("</body>\n</html>\n");
        return h.toString();
    }

    private static String seedList(ExperimentResult result) {
        return result.arms().stream().flatMapToLong(a -> java.util.Arrays.stream(a.seeds())).distinct().sorted()
                .mapToObj(Long::toString).reduce((a, b) -> a + ", " + b).orElse("");
    }

    private static void metricsTable(StringBuilder h, ExperimentResult result) {
        h.append("<h2 id=\"metrics\">Metrics</h2>\n<table>\n<thead><tr><th>arm</th>");
        for (Metric m : Metric.values()) {
            h.append("<th title=\"").append(Html.escape(m.description())).append("\">").append(m.key())
                    .append("<br /><span class=\"dir\">").append(direction(m.better())).append("</span></th>");
        }
        h.append("</tr></thead>\n<tbody>\n");
        for (ArmResult arm : result.arms()) {
            h.append("<tr><th>").append(Html.escape(arm.arm())).append("</th>");
            for (Metric m : Metric.values()) {
                SeedSummary s = arm.summary(m);
                boolean best = isBest(result, arm, m);
                h.append("<td title=\"").append(Html.escape(detail(s))).append("\"").append(best ? " class=\"best\"" : "").append(">")
                        .append(Html.num(s.mean()));
                if (s.n() >= 2) h.append(" ± ").append(Html.num(s.ciHalfWidth()));
                h.append("<span class=\"n\"> n=").append(s.n()).append("</span></td>");
            }
            h.append("</tr>\n");
        }
        h.append("</tbody>\n</table>\n<p class=\"note\">Mean over seeds ± half-width of its 95% confidence interval (t-distribution "
                + "with n - 1 degrees of freedom); hover a cell for the standard deviation and the per-seed values. n/a: not "
                + "measured, or undefined for fewer than two seeds. Bold: the best mean of the column.</p>\n");
    }

    private static String direction(Metric.Better b) {
        return switch (b) {
            case HIGHER -> "higher is better";
            case LOWER -> "lower is better";
            case NEAR_ZERO -> "nearer 0 is better";
        };
    }

    /** Whether this arm has the best mean of the metric (ties all count); false when fewer than two arms measured it. */
    private static boolean isBest(ExperimentResult result, ArmResult arm, Metric m) {
        double mine = score(arm.summary(m).mean(), m.better());
        if (Double.isNaN(mine)) return false;
        int measured = 0;
        for (ArmResult other : result.arms()) {
            double theirs = score(other.summary(m).mean(), m.better());
            if (Double.isNaN(theirs)) continue;
            measured++;
            if (theirs > mine) return false;
        }
        return measured >= 2;
    }

    /** Larger is better. */
    private static double score(double mean, Metric.Better b) {
        return switch (b) {
            case HIGHER -> mean;
            case LOWER -> -mean;
            case NEAR_ZERO -> -Math.abs(mean);
        };
    }

    private static String detail(SeedSummary s) {
        List<String> per = new ArrayList<>();
        for (double v : s.values()) per.add(Html.num(v));
        return "sd " + Html.num(s.std()) + "; 95% CI [" + Html.num(s.ciLow()) + ", " + Html.num(s.ciHigh()) + "]; per seed: "
                + String.join(", ", per);
    }

    private static void welchTable(StringBuilder h, ExperimentResult result) {
        ArmResult ref = result.reference();
        h.append("<h2 id=\"welch\">Welch t-tests against ").append(Html.escape(ref.arm())).append("</h2>\n<table>\n<thead><tr><th>arm</th>");
        for (Metric m : Metric.values()) h.append("<th>").append(m.key()).append("</th>");
        h.append("</tr></thead>\n<tbody>\n");
        for (ArmResult arm : result.arms()) {
            if (arm == ref) continue;
            h.append("<tr><th>").append(Html.escape(arm.arm())).append("</th>");
            for (Metric m : Metric.values()) {
                WelchTest t = WelchTest.of(arm.perSeed(m), ref.perSeed(m));
                h.append("<td title=\"t ").append(Html.num(t.t())).append(", df ").append(Html.num(t.degreesOfFreedom())).append("\">p = ")
                        .append(Html.num(t.p())).append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</tbody>\n</table>\n<p class=\"note\">Two-sided p-value of Welch's unequal-variance t-test of the per-seed "
                + "values; n/a with fewer than two seeds on a side or no spread at all.</p>\n");
    }

    private static void curves(StringBuilder h, List<Charts.Chart> charts) {
        h.append("<h2 id=\"curves\">Curves over training</h2>\n");
        if (charts.isEmpty()) {
            h.append("<p>No metric was measured during training.</p>\n");
            return;
        }
        h.append("<div class=\"charts\">\n");
        for (Charts.Chart c : charts) {
            h.append("<figure><img src=\"").append(c.file()).append("\" width=\"").append(Charts.WIDTH).append("\" height=\"")
                    .append(Charts.HEIGHT).append("\" alt=\"").append(c.metric().key()).append(" over training steps, one line per arm\" />")
                    .append("<figcaption>").append(Html.escape(c.metric().description())).append(", mean over seeds</figcaption></figure>\n");
        }
        h.append("</div>\n");
    }

    private static void samples(StringBuilder h, SampleGrid grid, Map<String, GifFile> gifs) {
        h.append("<h2 id=\"samples\">Samples</h2>\n");
        if (grid == null || gifs.isEmpty()) {
            h.append("<p>No samples were given.</p>\n");
            return;
        }
        h.append("<p>Every arm's videos for the same prompts and seeds, left to right and top to bottom:</p>\n<ol class=\"prompts\">\n");
        for (int i = 0; i < grid.captions().size(); i++) {
            h.append("<li>").append(Html.escape(grid.captions().get(i))).append(" (seed ").append(grid.seeds()[i]).append(")</li>\n");
        }
        h.append("</ol>\n<div class=\"grids\">\n");
        gifs.forEach((arm, g) -> h.append("<figure><img src=\"").append(g.file()).append("\" width=\"").append(g.width())
                .append("\" height=\"").append(g.height()).append("\" alt=\"videos of ").append(Html.escape(arm)).append("\" />")
                .append("<figcaption>").append(Html.escape(arm)).append("</figcaption></figure>\n"));
        h.append("</div>\n");
    }

    private static void wallTimes(StringBuilder h, ExperimentResult result) {
        h.append("<h2 id=\"wall\">Wall time</h2>\n<table>\n<thead><tr><th>arm</th><th>seeds</th><th>per seed (s)</th>"
                + "<th>mean (s)</th><th>total (s)</th></tr></thead>\n<tbody>\n");
        for (ArmResult arm : result.arms()) {
            double[] w = arm.wallSeconds();
            List<String> seeds = new ArrayList<>(), per = new ArrayList<>();
            for (long s : arm.seeds()) seeds.add(Long.toString(s));
            for (double v : w) per.add(Html.num(v));
            h.append("<tr><th>").append(Html.escape(arm.arm())).append("</th><td>").append(String.join(", ", seeds)).append("</td><td>")
                    .append(String.join(", ", per)).append("</td><td>").append(Html.num(StatUtils.mean(w))).append("</td><td>")
                    .append(Html.num(StatUtils.sum(w))).append("</td></tr>\n");
        }
        h.append("</tbody>\n</table>\n");
    }

    private static void config(StringBuilder h, ExperimentResult result) throws JsonProcessingException {
        h.append("<h2 id=\"config\">Configuration</h2>\n<pre>").append(Html.escape(ResultsJson.JSON.writeValueAsString(result.config())))
                .append("</pre>\n<table>\n<thead><tr><th>arm</th><th>arm config</th></tr></thead>\n<tbody>\n");
        for (ArmResult arm : result.arms()) {
            h.append("<tr><th>").append(Html.escape(arm.arm())).append("</th><td><code>")
                    .append(Html.escape(ResultsJson.JSON.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(arm.config()))).append("</code></td></tr>\n");
        }
        h.append("</tbody>\n</table>\n");
    }

    private static final String STYLE = """
            body { font-family: sans-serif; margin: 1.5em auto; max-width: 1400px; padding: 0 1em; color: #222; }
            table { border-collapse: collapse; margin: 0.5em 0; }
            th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: right; vertical-align: top; }
            thead th { background: #f3f3f3; text-align: center; }
            tbody th { text-align: left; }
            td.best { font-weight: bold; }
            .dir { font-weight: normal; font-size: 80%; color: #666; }
            .n { font-size: 75%; color: #888; }
            .note { font-size: 85%; color: #555; }
            .charts, .grids { display: flex; flex-wrap: wrap; gap: 1em; }
            figure { margin: 0; }
            figcaption { text-align: center; font-size: 90%; }
            img { image-rendering: pixelated; border: 1px solid #ddd; }
            pre { background: #f7f7f7; padding: 0.6em; overflow-x: auto; }
            ol.prompts { columns: 2; font-size: 90%; }
            """;
}
