package org.ddrl.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.ddrl.diffusion.config.PretrainConfig;
import org.ddrl.diffusion.train.Pretrainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Pre-trains a text-to-video model on moving shapes. */
@Command(name = "pretrain", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Pre-trains a text-conditioned video model with flow matching on moving-shapes videos, writing checkpoints, "
                + "metrics.jsonl and sample grids with their attribute accuracy to the output directory.",
                "Without --config it trains the tiny experiment model; a config file (YAML, or JSON for .json) only needs the "
                + "fields it changes. --print-config shows every field with its value."},
        footer = {"", "Examples:", "  ddrl pretrain --out runs/tiny", "  ddrl pretrain --out runs/tiny --resume",
                "  ddrl pretrain --config my.yaml --set train.lr=2e-3 --set model.dit.depth=6"})
final class PretrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "config file, YAML or JSON (default: the embedded tiny experiment)")
    Path config;

    @Option(names = "--out", paramLabel = "DIR", description = "output directory (overrides train.out_dir)")
    Path out;

    @Option(names = "--resume", description = "continue from the newest complete checkpoint in the output directory")
    boolean resume;

    @Option(names = "--steps", paramLabel = "N", description = "optimizer steps (overrides train.steps)")
    Integer steps;

    @Option(names = "--until", paramLabel = "STEP", description = "stop after this step with a checkpoint (a job with a time slot); "
            + "--resume continues the same run")
    Long until;

    @Option(names = "--threads", paramLabel = "N", description = "CPU threads (overrides train.threads)")
    Integer threads;

    @Option(names = "--set", paramLabel = "PATH=VALUE", description = "set any config field, e.g. --set train.lr=2e-3 (repeatable; "
            + "values are YAML, so lists read [1, 4, 4])")
    Map<String, String> set = new LinkedHashMap<>();

    @Option(names = "--print-config", description = "print the resolved config as JSON and exit")
    boolean printConfig;

    @Override
    public Integer call() throws IOException {
        Map<String, String> overrides = new LinkedHashMap<>(set);
        if (out != null) overrides.put("train.out_dir", quote(out.toString()));
        if (steps != null) overrides.put("train.steps", steps.toString());
        if (threads != null) overrides.put("train.threads", threads.toString());
        return CliErrors.run(spec, () -> {
            if (until != null && until < 1) return CliErrors.fail(spec, "--until must be >= 1, got " + until);
            PretrainConfig c = PretrainConfig.load(config, overrides);
            if (printConfig) {
                System.out.println(c.toJson());
                return 0;
            }
            Pretrainer.Result r = Pretrainer.run(c, resume, System.out, until != null ? until : c.train().steps());
            if (r.samples() == null) System.out.printf("stopped after step %d of %d, checkpoint %s%n", r.step(), c.train().steps(), r.checkpoint());
            else System.out.printf("done: step %d, checkpoint %s, samples %s%n", r.step(), r.checkpoint(), r.samplesDir());
            return 0;
        });
    }

    /** A path as a YAML string, whatever characters it holds. */
    static String quote(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}
