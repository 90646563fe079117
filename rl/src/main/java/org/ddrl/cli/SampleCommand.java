package org.ddrl.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.ddrl.diffusion.config.SampleConfig;
import org.ddrl.diffusion.train.RunCheckpoint;
import org.ddrl.diffusion.train.Samples;
import org.ddrl.kernels.cpu.Parallel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Samples a pre-trained checkpoint and scores the videos with the attribute detector. */
@Command(name = "sample", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Draws videos from a checkpoint's EMA weights with the Euler ODE sampler and classifier-free guidance, writes "
                + "samples.gif, samples.png and accuracy.json, and prints the attribute accuracy of the videos against their prompts.",
                "Options left out take the checkpoint config's sample section."},
        footer = {"", "Examples:", "  ddrl sample --checkpoint runs/tiny --out runs/tiny/eval",
                "  ddrl sample --checkpoint runs/tiny/checkpoints/step_001500 --prompts 'a red circle moving left' held_out --n 4"})
final class SampleCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--checkpoint", required = true, paramLabel = "DIR",
            description = "a checkpoint directory, or a run directory (its newest checkpoint is used)")
    Path checkpoint;

    @Option(names = "--prompts", arity = "1..*", paramLabel = "PROMPT",
            description = "captions ('a red circle moving left') or the sets train, held_out, all")
    List<String> prompts;

    @Option(names = "--n", paramLabel = "N", description = "videos per prompt")
    Integer perPrompt;

    @Option(names = "--steps", paramLabel = "N", description = "Euler steps")
    Integer steps;

    @Option(names = "--cfg", paramLabel = "W", description = "classifier-free guidance scale (1: none)")
    Double cfg;

    @Option(names = "--seed", paramLabel = "N", description = "seed of the initial noise")
    Long seed;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "samples", description = "output directory (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--trained-weights", description = "sample the trained weights instead of their moving average")
    boolean trainedWeights;

    @Option(names = "--threads", paramLabel = "N", description = "CPU threads (default: all cores)")
    Integer threads;

    @Override
    public Integer call() throws IOException {
        return CliErrors.run(spec, () -> {
            if (threads != null) Parallel.setThreads(threads);
            RunCheckpoint.Loaded loaded = RunCheckpoint.load(checkpoint, !trainedWeights);
            SampleConfig base = loaded.config().sample();
            SampleConfig sc = new SampleConfig(prompts != null ? prompts : base.prompts(), perPrompt != null ? perPrompt : base.perPrompt(),
                    steps != null ? steps : base.steps(), cfg != null ? cfg : base.cfg(), base.shift(), base.batchSize(),
                    seed != null ? seed : base.seed());
            sc.validate("given on the command line");
            System.out.printf(Locale.ROOT, "sampling %s (step %d) with %s weights: %d prompts x %d, %d Euler steps, cfg %s%n", loaded.dir(),
                    loaded.state().step(), trainedWeights ? "trained" : "EMA", sc.promptAttributes().size(), sc.perPrompt(), sc.steps(), sc.cfg());
            Samples.Result r = Samples.draw(loaded.model(), loaded.tokenizer(), sc, loaded.config().video());
            Samples.write(out, r, sc, loaded.state().step());
            System.out.printf(Locale.ROOT, "wrote %s, %s and %s in %s (%.1f s)%nattribute accuracy: %s%n", Samples.GIF, Samples.PNG,
                    Samples.ACCURACY, out, r.seconds(), r.accuracy());
            return 0;
        });
    }
}
