package org.ddrl.cli;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import org.ddrl.diffusion.config.ConfigException;
import org.ddrl.diffusion.train.CheckpointException;
import org.ddrl.tensor.io.TensorFileException;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Turns the errors a user can fix (a bad config, a missing or damaged checkpoint, an unreadable file) into one message
 * on stderr and exit code 2, instead of a stack trace; anything else is a bug and keeps its trace.
 */
final class CliErrors {
    /** Exit code for input the user can fix. */
    static final int USAGE = 2;

    private CliErrors() {}

    @FunctionalInterface
    interface Body {
        int run() throws IOException;
    }

    static int run(CommandSpec spec, Body body) throws IOException {
        try {
            return body.run();
        } catch (ConfigException | org.ddrl.rl.config.ConfigException | CheckpointException | TensorFileException e) {
            return fail(spec, e.getMessage());
        } catch (NoSuchFileException e) {
            return fail(spec, "no such file: " + e.getFile() + (e.getReason() == null ? "" : " (" + e.getReason() + ")"));
        }
    }

    static int fail(CommandSpec spec, String message) {
        spec.commandLine().getErr().println("ddrl " + spec.name() + ": " + message);
        spec.commandLine().getErr().flush();
        return USAGE;
    }
}
