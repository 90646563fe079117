package org.ddrl.diffusion.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.ddrl.diffusion.config.PretrainConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PretrainerTest {
    @TempDir
    Path dir;

    @Test
    void aRunWritesMetricsCheckpointsAndScoredSamples() throws IOException {
        PretrainConfig cfg = TinyRuns.config(dir, 4);
        String out = TinyRuns.run(cfg, false, 4);
        assertTrue(out.contains("pretrain step 1/4  loss ") && out.contains("pretrain step 4/4"), out);
        assertTrue(out.contains("attribute accuracy of the EMA samples"), out);

        List<JsonNode> lines = MetricsLog.read(dir.resolve(Pretrainer.METRICS));
        assertEquals(4, lines.size());
        for (int i = 0; i < 4; i++) {
            JsonNode n = lines.get(i);
            assertEquals(i + 1, n.get("step").longValue());
            assertEquals(Set.of("step", "loss", "grad_norm", "lr", "videos_per_s", "wall_s", "host_mb"), fields(n));
            assertTrue(n.get("loss").doubleValue() > 0 && n.get("grad_norm").doubleValue() > 0 && n.get("videos_per_s").doubleValue() > 0);
        }
        // warm-up over 2 steps, then a cosine from the peak towards 0.1 x peak, reached as the run ends
        double lr = cfg.train().lr();
        assertEquals(List.of(lr / 2, lr, lr, lr * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI / 2)))),
                lines.stream().map(n -> n.get("lr").doubleValue()).toList());

        assertEquals(List.of(2L, 4L), Checkpoints.list(dir.resolve(Pretrainer.CHECKPOINTS)).stream().map(Checkpoints::step).toList());
        Path last = dir.resolve(Pretrainer.CHECKPOINTS).resolve("step_000004");
        Checkpoints.verify(last);
        assertEquals(cfg, RunCheckpoint.config(last));
        assertEquals(4, RunCheckpoint.state(last).step());

        Path samples = dir.resolve(Pretrainer.SAMPLES).resolve("step_000004");
        for (String f : List.of(Samples.GIF, Samples.PNG, Samples.ACCURACY)) assertTrue(Files.size(samples.resolve(f)) > 0, f);
        JsonNode acc = Json.MAPPER.readTree(Files.readString(samples.resolve(Samples.ACCURACY)));
        assertEquals(2, acc.get("count").intValue());
        assertEquals("a red circle moving left", acc.get("videos").get(0).get("prompt").textValue());

        RunCheckpoint.Loaded loaded = RunCheckpoint.load(dir, true);
        assertEquals(last, loaded.dir(), "a run directory resolves to its newest checkpoint");
    }

    @Test
    void memoryStaysFlat() throws IOException {
        TinyRuns.run(TinyRuns.config(dir, 12, "train.checkpoint_every", "0"), false, 12);
        List<JsonNode> lines = MetricsLog.read(dir.resolve(Pretrainer.METRICS));
        double early = lines.get(2).get("host_mb").doubleValue(), late = lines.get(11).get("host_mb").doubleValue();
        // slack: the prefetcher may hold one more batch of 4 tiny videos (0.1 MB) at one moment than at the other
        assertTrue(late <= early + 0.2, "off-heap memory grew from " + early + " MB at step 3 to " + late + " MB at step 12");
    }

    @Test
    void resumeWithoutACheckpointIsAnError() {
        CheckpointException e = assertThrows(CheckpointException.class, () -> TinyRuns.run(TinyRuns.config(dir, 2), true, 2));
        assertTrue(e.getMessage().startsWith("--resume: ") && e.getMessage().contains("holds no complete checkpoint"), e.getMessage());
    }

    @Test
    void aFreshRunDoesNotOverwriteCheckpoints() throws IOException {
        TinyRuns.run(TinyRuns.config(dir, 2), false, 2);
        CheckpointException e = assertThrows(CheckpointException.class, () -> TinyRuns.run(TinyRuns.config(dir, 2), false, 2));
        assertTrue(e.getMessage().contains("already holds a checkpoint (step_000002); resume it with --resume"), e.getMessage());
    }

    @Test
    void resumingWithAnotherConfigNamesTheField() throws IOException {
        TinyRuns.run(TinyRuns.config(dir, 4), false, 2);
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> TinyRuns.run(TinyRuns.config(dir, 4, "model.dit.width", "128"), true, 4));
        assertTrue(e.getMessage().contains("does not match checkpoint") && e.getMessage().contains("model.dit.width: 96 in the checkpoint, 128 now"),
                e.getMessage());
        // where and how often it writes may change
        TinyRuns.run(TinyRuns.config(dir, 4, "train.log_every", "3"), true, 3);
    }

    @Test
    void aDamagedCheckpointIsNamedNotLoaded() throws IOException {
        TinyRuns.run(TinyRuns.config(dir, 4), false, 2);
        Path model = dir.resolve(Pretrainer.CHECKPOINTS).resolve("step_000002").resolve(RunCheckpoint.MODEL);
        byte[] bytes = Files.readAllBytes(model);
        bytes[bytes.length - 1] ^= 1;
        Files.write(model, bytes);
        CheckpointException e = assertThrows(CheckpointException.class, () -> TinyRuns.run(TinyRuns.config(dir, 4), true, 4));
        assertTrue(e.getMessage().contains("file model.safetensors is corrupt"), e.getMessage());
        e = assertThrows(CheckpointException.class, () -> RunCheckpoint.load(dir, true));
        assertTrue(e.getMessage().contains("file model.safetensors is corrupt"), e.getMessage());
    }

    @Test
    void aCheckpointOfAnotherModelFailsToLoadWithTheFileNamed() throws IOException {
        TinyRuns.run(TinyRuns.config(dir, 2), false, 2);
        Path ckpt = dir.resolve(Pretrainer.CHECKPOINTS).resolve("step_000002");
        // a complete, consistent checkpoint whose weights belong to a bigger model than its config describes
        Path other = dir.resolve("other");
        TinyRuns.run(TinyRuns.config(other, 2, "model.dit.depth", "2"), false, 2);
        Path foreign = other.resolve(Pretrainer.CHECKPOINTS).resolve("step_000002").resolve(RunCheckpoint.MODEL);
        Checkpoints.write(dir.resolve("mixed"), 2, List.of(
                new Checkpoints.Part(RunCheckpoint.CONFIG, f -> Files.copy(ckpt.resolve(RunCheckpoint.CONFIG), f)),
                new Checkpoints.Part(RunCheckpoint.VOCAB, f -> Files.copy(ckpt.resolve(RunCheckpoint.VOCAB), f)),
                new Checkpoints.Part(RunCheckpoint.STATE, f -> Files.copy(ckpt.resolve(RunCheckpoint.STATE), f)),
                new Checkpoints.Part(RunCheckpoint.EMA_MODEL, f -> Files.copy(foreign, f))));
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> RunCheckpoint.load(dir.resolve("mixed").resolve("step_000002"), true));
        assertTrue(e.getMessage().contains("cannot load model_ema.safetensors") && e.getMessage().contains("unexpected keys"), e.getMessage());
    }

    private static Set<String> fields(JsonNode n) {
        Set<String> out = new java.util.HashSet<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
