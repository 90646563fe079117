package org.ddrl.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.ddrl.rl.experiment.ExperimentConfig;
import org.ddrl.rl.experiment.ExperimentRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** The paper's experiment in miniature: every arm, several seeds, the judge, and the report. */
@Command(name = "experiment", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Fine-tunes the same pre-trained tiny text-to-video model with every arm (no RL, DanceGRPO-like, FlowGRPO-like, "
                + "DDRL with real data, DDRL with synthetic data) under the same rollout budget for several seeds, judges every arm "
                + "(attribute accuracy, FVD-mini, diversity, colour drift, held-out diffusion loss, reverse KL, judge vote against DDRL) "
                + "and writes results.json, report.html (tables, curves, GIF grids; works offline) and results.md to the output directory.",
                "Without --config it runs the embedded default (under an hour on two CPU cores); a config file (YAML) only needs the "
                + "fields it changes. --print-config shows the embedded default with every field documented."},
        footer = {"", "Examples:", "  ddrl experiment --out runs/experiment", "  ddrl experiment --seeds 1 --out runs/quick",
                "  ddrl experiment --config my.yaml --threads 2", "  ddrl experiment --set ddrl.data_beta=0.3 --set arms=[no_rl, ddrl_real] --out runs/beta-0.3"})
final class ExperimentCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "experiment config (YAML), merged over the embedded default")
    Path config;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs/experiment", description = "output directory (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--seeds", paramLabel = "N", description = "run seeds 1..N instead of the config's seeds")
    Integer seeds;

    @Option(names = "--threads", paramLabel = "N", description = "CPU threads (overrides the config's threads)")
    Integer threads;

    @Option(names = "--set", paramLabel = "PATH=VALUE", description = "set any config field, e.g. --set ddrl.data_beta=0.3 (repeatable; "
            + "values are YAML, so lists read [1, 2])")
    Map<String, String> set = new LinkedHashMap<>();

    @Option(names = "--print-config", description = "print the embedded default config (YAML, documented) and exit")
    boolean printConfig;

    @Override
    public Integer call() throws IOException {
        return CliErrors.run(spec, () -> {
            if (printConfig) {
                System.out.print(ExperimentCommand.resource(ExperimentConfig.DEFAULT_RESOURCE));
                return 0;
            }
            if (seeds != null && seeds < 1) return CliErrors.fail(spec, "--seeds must be >= 1, got " + seeds);
            if (threads != null && threads < 1) return CliErrors.fail(spec, "--threads must be >= 1, got " + threads);
            ExperimentConfig c = ExperimentConfig.load(config, set);
            if (seeds != null) c = c.withSeedCount(seeds);
            if (threads != null) c = c.withThreads(threads);
            return run(c, out);
        });
    }

    /** Runs a config and prints where its outputs are. */
    static int run(ExperimentConfig c, Path out) throws IOException {
        ExperimentRunner.Outcome o = ExperimentRunner.run(c, out, System.out);
        System.out.println();
        System.out.print(java.nio.file.Files.readString(o.markdown()));
        System.out.println();
        System.out.printf(Locale.ROOT, "done in %.1f s (%.1f min)%n  report:  %s%n  results: %s%n  table:   %s%n", o.seconds(), o.seconds() / 60,
                o.report().toAbsolutePath(), o.results().toAbsolutePath(), o.markdown().toAbsolutePath());
        return 0;
    }

    static String resource(String name) throws IOException {
        try (var in = ExperimentConfig.class.getResourceAsStream(name)) {
            if (in == null) throw new IOException("the embedded " + name + " is missing from the build");
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
