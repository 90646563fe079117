package org.ddrl.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ddrl} command line. */
@Command(name = "ddrl", mixinStandardHelpOptions = true, version = "ddrl 0.1.0",
        description = "Tensors, autodiff and CUDA kernels in pure Java, and data-regularized RL for video diffusion.",
        subcommands = {SelfCheckCommand.class, PretrainCommand.class, SampleCommand.class, DemoCommand.class, ExperimentCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
