package org.ddrl.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.ddrl.rl.experiment.ExperimentConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** The experiment reduced to DDRL and one baseline, one seed: the project's main job. */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs the experiment of `ddrl experiment` reduced to DDRL (real data) and the DanceGRPO-like baseline next to the "
                + "base model, with one seed, from the tiny pre-trained model shipped inside ddrl: under ten minutes on two quiet CPU cores. "
                + "Writes report.html, results.json and results.md to the output directory and prints where they are.",
                "--print-config shows the demo's settings on top of the experiment's defaults."},
        footer = {"", "Examples:", "  ddrl demo", "  ddrl demo --out /tmp/ddrl-demo --threads 2"})
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs/demo", description = "output directory (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--threads", paramLabel = "N", description = "CPU threads (default: all cores)")
    Integer threads;

    @Option(names = "--print-config", description = "print the demo's settings (YAML, over the experiment's defaults) and exit")
    boolean printConfig;

    @Override
    public Integer call() throws IOException {
        return CliErrors.run(spec, () -> {
            if (printConfig) {
                System.out.print(ExperimentCommand.resource(ExperimentConfig.DEMO_RESOURCE));
                return 0;
            }
            if (threads != null && threads < 1) return CliErrors.fail(spec, "--threads must be >= 1, got " + threads);
            ExperimentConfig c = ExperimentConfig.demo();
            if (threads != null) c = c.withThreads(threads);
            return ExperimentCommand.run(c, out);
        });
    }
}
