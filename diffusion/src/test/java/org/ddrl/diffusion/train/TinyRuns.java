package org.ddrl.diffusion.train;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ddrl.diffusion.config.PretrainConfig;

/** Configs of a model small enough that a pre-training test runs in seconds. */
final class TinyRuns {
    private TinyRuns() {}

    /**
     * A 1-block DiT as wide as a 2x4x4 patch has values (96) on tiny videos, 4 videos a step, a checkpoint every 2 steps,
     * 2 prompts sampled in 2 steps.
     */
    static Map<String, String> overrides(Path out, int steps) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("model.dit.width", "96");
        m.put("model.dit.depth", "1");
        m.put("model.dit.heads", "2");
        m.put("model.dit.patch", "[2, 4, 4]");
        m.put("model.text.width", "16");
        m.put("model.text.heads", "2");
        m.put("data.videos", "64");
        m.put("train.batch_size", "4");
        m.put("train.steps", String.valueOf(steps));
        m.put("train.warmup_steps", "2");
        m.put("train.checkpoint_every", "2");
        m.put("train.keep_checkpoints", "0");
        m.put("train.log_every", "1");
        m.put("train.out_dir", "'" + out + "'");
        m.put("sample.prompts", "[a red circle moving left, a blue square moving up]");
        m.put("sample.steps", "2");
        m.put("sample.batch_size", "2");
        return m;
    }

    static PretrainConfig config(Path out, int steps) {
        return PretrainConfig.defaults(overrides(out, steps));
    }

    static PretrainConfig config(Path out, int steps, String key, String value) {
        Map<String, String> m = overrides(out, steps);
        m.put(key, value);
        return PretrainConfig.defaults(m);
    }

    /** Runs the training until a step, returning what it printed. */
    static String run(PretrainConfig config, boolean resume, long until) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            Pretrainer.run(config, resume, ps, until);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }
}
