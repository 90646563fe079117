package org.ddrl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The experiment and demo commands' options; the runs themselves are tested in ExperimentRunnerTest. */
class ExperimentCommandTest {
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {}

    private static Run ddrl(String... args) {
        StringWriter err = new StringWriter();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        int code;
        try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            System.setOut(ps);
            CommandLine cl = new CommandLine(new Main());
            cl.setOut(new PrintWriter(ps, true));
            cl.setErr(new PrintWriter(err, true));
            code = cl.execute(args);
        } finally {
            System.setOut(saved);
        }
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString());
    }

    @Test
    void helpListsTheCommandsAndOptions() {
        Run main = ddrl("--help");
        assertTrue(main.out().contains("demo") && main.out().contains("experiment"), main.out());
        Run e = ddrl("experiment", "--help");
        assertEquals(0, e.code());
        for (String o : List.of("--config", "--out", "--seeds", "--threads", "--set", "--print-config")) assertTrue(e.out().contains(o), o);
        Run d = ddrl("demo", "--help");
        assertEquals(0, d.code());
        for (String o : List.of("--out", "--threads")) assertTrue(d.out().contains(o), o);
    }

    @Test
    void printConfigShowsTheDocumentedDefaults() {
        Run e = ddrl("experiment", "--print-config");
        assertEquals(0, e.code());
        assertTrue(e.out().contains("data_beta:") && e.out().contains("kl_beta:") && e.out().contains("TUNING KNOB"), e.out());
        Run d = ddrl("demo", "--print-config");
        assertEquals(0, d.code());
        assertTrue(d.out().contains("arms: [no_rl, dance_grpo, ddrl_real]"), d.out());
    }

    @Test
    void badOptionsAreRefusedWithAClearMessage() throws Exception {
        Run seeds = ddrl("experiment", "--seeds", "0", "--out", dir.toString());
        assertEquals(2, seeds.code());
        assertEquals("ddrl experiment: --seeds must be >= 1, got 0", seeds.err().strip());
        Run threads = ddrl("experiment", "--threads", "-1", "--out", dir.toString());
        assertEquals(2, threads.code());
        assertEquals("ddrl experiment: --threads must be >= 1, got -1", threads.err().strip());
        Run demoThreads = ddrl("demo", "--threads", "0", "--out", dir.toString());
        assertEquals(2, demoThreads.code());
        assertEquals("ddrl demo: --threads must be >= 1, got 0", demoThreads.err().strip());

        Run notANumber = ddrl("experiment", "--seeds", "three");
        assertEquals(2, notANumber.code());
        assertTrue(notANumber.err().contains("Invalid value for option '--seeds'"), notANumber.err());
        Run unknown = ddrl("demo", "--sedes", "3");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().startsWith("Unknown options: '--sedes', '3'"), unknown.err());

        Path missing = dir.resolve("missing.yaml");
        Run none = ddrl("experiment", "--config", missing.toString());
        assertEquals(2, none.code());
        assertEquals("ddrl experiment: no such file: " + missing, none.err().strip());

        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "eval:\n  every: 0\n");
        Run invalid = ddrl("experiment", "--config", bad.toString());
        assertEquals(2, invalid.code());
        assertEquals("ddrl experiment: " + bad + ": eval.every: must be >= 1, got 0", invalid.err().strip());
        Run set = ddrl("experiment", "--set", "rl.optimizer.lr=-1", "--out", dir.toString());
        assertEquals(2, set.code());
        assertEquals("ddrl experiment: experiment.yaml with --set [rl.optimizer.lr]: rl section for arm dance_grpo: optimizer.lr: must be finite "
                + "and > 0, got -1.0", set.err().strip());
        assertTrue(Files.notExists(dir.resolve("results.json")), "nothing ran");
    }
}
