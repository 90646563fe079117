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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PretrainAndSampleCommandTest {
    /** A model small enough for a few steps in seconds. */
    private static final List<String> TINY = List.of("--set", "model.dit.width=96", "--set", "model.dit.depth=1", "--set",
            "model.dit.heads=2", "--set", "model.dit.patch=[2, 4, 4]", "--set", "model.text.width=16", "--set", "model.text.heads=2",
            "--set", "train.batch_size=4", "--set", "train.warmup_steps=1", "--set", "train.log_every=1",
            "--set", "sample.prompts=[a red circle moving left]", "--set", "sample.steps=2");

    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {}

    private static Run ddrl(List<String> args) {
        StringWriter err = new StringWriter();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        int code;
        try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            System.setOut(ps);
            CommandLine cl = new CommandLine(new Main());
            cl.setOut(new PrintWriter(ps, true));
            cl.setErr(new PrintWriter(err, true));
            code = cl.execute(args.toArray(String[]::new));
        } finally {
            System.setOut(saved);
        }
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString());
    }

    private static List<String> args(Object... parts) {
        List<String> out = new ArrayList<>();
        for (Object p : parts) {
            if (p instanceof List<?> l) l.forEach(x -> out.add(x.toString()));
            else out.add(p.toString());
        }
        return out;
    }

    @Test
    void helpListsTheOptions() {
        Run p = ddrl(List.of("pretrain", "--help"));
        assertEquals(0, p.code());
        for (String o : List.of("--config", "--out", "--resume", "--steps", "--threads", "--set", "--until", "--print-config")) {
            assertTrue(p.out().contains(o), o + " in\n" + p.out());
        }
        Run s = ddrl(List.of("sample", "--help"));
        assertEquals(0, s.code());
        for (String o : List.of("--checkpoint", "--prompts", "--n", "--steps", "--cfg", "--out")) assertTrue(s.out().contains(o), o);
        assertTrue(ddrl(List.of("--help")).out().contains("pretrain"));
    }

    @Test
    void pretrainThenSample() throws Exception {
        Path run = dir.resolve("run");
        Run p = ddrl(args("pretrain", "--out", run, "--steps", "2", TINY));
        assertEquals(0, p.code(), p.err() + p.out());
        assertTrue(p.out().contains("done: step 2"), p.out());
        assertTrue(Files.isDirectory(run.resolve("checkpoints/step_000002")));

        Path eval = dir.resolve("eval");
        Run s = ddrl(args("sample", "--checkpoint", run, "--out", eval, "--prompts", "a blue square moving up", "held_out", "--n", "2",
                "--steps", "2", "--cfg", "2"));
        assertEquals(0, s.code(), s.err() + s.out());
        assertTrue(s.out().contains("attribute accuracy: 34 videos"), s.out());
        for (String f : List.of("samples.gif", "samples.png", "accuracy.json")) assertTrue(Files.size(eval.resolve(f)) > 0, f);
    }

    @Test
    void untilThenResume() {
        Path run = dir.resolve("run");
        Run a = ddrl(args("pretrain", "--out", run, "--steps", "3", "--until", "1", TINY));
        assertEquals(0, a.code(), a.err());
        assertTrue(a.out().contains("stopped after step 1 of 3"), a.out());
        Run b = ddrl(args("pretrain", "--out", run, "--steps", "3", "--resume", TINY));
        assertEquals(0, b.code(), b.err());
        assertTrue(b.out().contains("resuming from") && b.out().contains("done: step 3"), b.out());
    }

    @Test
    void mistakesTheUserCanFixGiveOneMessageAndExitCode2() throws Exception {
        Run bad = ddrl(List.of("pretrain", "--set", "train.lr=-1", "--set", "train.steps=0"));
        assertEquals(2, bad.code());
        assertTrue(bad.err().startsWith("ddrl pretrain: invalid config (the defaults):"), bad.err());
        assertTrue(bad.err().contains("train.lr: must be > 0 and finite, got -1") && bad.err().contains("train.steps: must be >= 1, got 0"),
                bad.err());

        Path yaml = dir.resolve("c.yaml");
        Files.writeString(yaml, "train:\n  stepz: 3\n");
        Run unknown = ddrl(args("pretrain", "--config", yaml));
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains(yaml + ":") && unknown.err().contains("train.stepz: unknown field"), unknown.err());

        Run missing = ddrl(args("pretrain", "--config", dir.resolve("nope.yaml")));
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("no such file: " + dir.resolve("nope.yaml")), missing.err());

        Run noCkpt = ddrl(args("sample", "--checkpoint", dir.resolve("nothing")));
        assertEquals(2, noCkpt.code());
        assertTrue(noCkpt.err().contains("checkpoint " + dir.resolve("nothing") + " does not exist"), noCkpt.err());

        Run noResume = ddrl(args("pretrain", "--out", dir.resolve("fresh"), "--resume", TINY));
        assertEquals(2, noResume.code());
        assertTrue(noResume.err().contains("holds no complete checkpoint"), noResume.err());
    }

    @Test
    void printConfigShowsTheResolvedValues() {
        Run r = ddrl(List.of("pretrain", "--print-config", "--steps", "7", "--threads", "2"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"steps\" : 7") && r.out().contains("\"threads\" : 2"), r.out());
    }
}
