package org.ddrl.diffusion.train;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.ddrl.diffusion.config.SampleConfig;
import org.ddrl.diffusion.data.AttributeDetector;
import org.ddrl.diffusion.data.Attributes;
import org.ddrl.diffusion.data.Detection;
import org.ddrl.diffusion.data.DetectorAccuracy;
import org.ddrl.diffusion.data.MovingShapesConfig;
import org.ddrl.diffusion.media.Gif;
import org.ddrl.diffusion.media.PngGrid;
import org.ddrl.diffusion.media.VideoGrid;
import org.ddrl.diffusion.model.TextToVideo;
import org.ddrl.diffusion.model.TextToVideoVelocity;
import org.ddrl.diffusion.sampling.ClassifierFreeGuidance;
import org.ddrl.diffusion.sampling.EulerOde;
import org.ddrl.diffusion.sampling.Trajectory;
import org.ddrl.diffusion.text.WordTokenizer;
import org.ddrl.tensor.GradMode;
import org.ddrl.tensor.Scope;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.rng.Generator;

/**
 * Videos for a set of prompts, drawn with the Euler ODE sampler and classifier-free guidance, and scored by the
 * {@link AttributeDetector} against the prompts they were drawn for.
 */
public final class Samples {
    /** The animated grid of every video. */
    public static final String GIF = "samples.gif";
    /** Every frame of every video, one row per video. */
    public static final String PNG = "samples.png";
    /** The detector's accuracy and what it saw in each video. */
    public static final String ACCURACY = "accuracy.json";

    private Samples() {}

    /** The videos [N, 3, T, H, W] (each prompt's per_prompt videos together), their prompts and the detector's verdicts. */
    public record Result(Tensor videos, List<Attributes> prompts, List<Detection> detections, DetectorAccuracy accuracy, double seconds) {}

    /** Draws per_prompt videos for each prompt of the config, batch_size at a time, without gradients. */
    public static Result draw(TextToVideo<?> model, WordTokenizer tokenizer, SampleConfig config, MovingShapesConfig video) {
        long t0 = System.nanoTime();
        List<Attributes> prompts = new ArrayList<>();
        for (Attributes a : config.promptAttributes()) for (int i = 0; i < config.perPrompt(); i++) prompts.add(a);
        var guided = new ClassifierFreeGuidance(new TextToVideoVelocity(model), config.cfg(), false);
        var sampler = new EulerOde(config.steps(), config.shift());
        Generator gen = new Generator(config.seed());
        int numel = video.videoNumel();
        float[] all = new float[Math.multiplyExact(prompts.size(), numel)];
        boolean wasTraining = model.isTraining();
        model.eval();
        try (var noGrad = GradMode.noGrad()) {
            for (int from = 0; from < prompts.size(); from += config.batchSize()) {
                int n = Math.min(config.batchSize(), prompts.size() - from);
                try (Scope scope = Scope.open()) {
                    List<String> captions = new ArrayList<>();
                    for (Attributes a : prompts.subList(from, from + n)) captions.add(a.caption());
                    int[] shape = {n, 3, video.frames(), video.height(), video.width()};
                    Trajectory tr = sampler.sample(guided, Tensor.randn(gen, shape), TextToVideoVelocity.conditioning(tokenizer, captions), gen);
                    System.arraycopy(tr.sample().toFloatArray(), 0, all, from * numel, n * numel);
                }
            }
        } finally {
            model.train(wasTraining);
        }
        Tensor videos = Tensor.of(all, prompts.size(), 3, video.frames(), video.height(), video.width());
        List<Detection> detections = AttributeDetector.detectAll(videos);
        DetectorAccuracy accuracy = AttributeDetector.accuracy(detections, prompts);
        return new Result(videos, List.copyOf(prompts), detections, accuracy, (System.nanoTime() - t0) / 1e9);
    }

    /** Writes {@value #GIF}, {@value #PNG} and {@value #ACCURACY} into {@code dir}. */
    public static void write(Path dir, Result r, SampleConfig config, long step) throws IOException {
        Files.createDirectories(dir);
        int columns = VideoGrid.defaultColumns(r.videos().size(0));
        VideoGrid.writeGif(dir.resolve(GIF), r.videos(), columns, Gif.DEFAULT_SCALE, Gif.DEFAULT_DELAY_MS);
        PngGrid.write(dir.resolve(PNG), r.videos(), 2);
        ObjectNode root = MetricsLog.line();
        root.put("step", step);
        DetectorAccuracy a = r.accuracy();
        root.put("count", a.count());
        root.put("all", a.all());
        root.put("colour", a.colour());
        root.put("shape", a.shape());
        root.put("direction", a.direction());
        root.put("not_found", a.notFound());
        root.put("seconds", r.seconds());
        root.set("sample", Json.MAPPER.valueToTree(config));
        ArrayNode videos = root.putArray("videos");
        for (int i = 0; i < r.prompts().size(); i++) {
            Detection d = r.detections().get(i);
            ObjectNode v = videos.addObject();
            v.put("prompt", r.prompts().get(i).caption());
            v.put("detected", d.found() ? d.attributes().caption() : null);
            v.put("confidence", d.confidence());
            v.put("note", d.note());
        }
        Files.writeString(dir.resolve(ACCURACY), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root), StandardCharsets.UTF_8);
    }
}
