package org.ddrl.rl.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ddrl.diffusion.data.Attributes;
import org.ddrl.diffusion.data.MovingShapesConfig;
import org.ddrl.diffusion.model.TextToVideoVelocity;
import org.ddrl.diffusion.sampling.EulerOde;
import org.ddrl.diffusion.train.CheckpointException;
import org.ddrl.diffusion.train.RunCheckpoint;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.GradMode;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.io.Safetensors;
import org.ddrl.tensor.rng.Generator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BaseModelTest {
    @TempDir
    Path dir;

    @Test
    void theShippedCheckpointLoadsWithItsWeightsAndSamples() throws Exception {
        BaseModel b = BaseModel.shipped(dir);
        for (String f : BaseModel.FILES) assertTrue(Files.isRegularFile(dir.resolve(f)), f);
        assertEquals(MovingShapesConfig.TINY, b.video());
        Map<String, Tensor> file = Safetensors.load(dir.resolve(RunCheckpoint.EMA_MODEL));
        Map<String, Tensor> model = b.model().stateDict();
        assertEquals(file.keySet(), model.keySet());
        for (String k : file.keySet()) assertArrayEquals(file.get(k).toFloatArray(), model.get(k).toFloatArray(), k);

        Tensor videos;
        try (var g = GradMode.noGrad()) {
            List<String> captions = List.of(new Attributes(org.ddrl.diffusion.data.Colour.values()[0], org.ddrl.diffusion.data.Shape.values()[0],
                    org.ddrl.diffusion.data.Direction.values()[0]).caption(), "");
            videos = new EulerOde(4, 3).sample(new TextToVideoVelocity(b.model()), Tensor.randn(new Generator(1), 2, 3, 8, 16, 16),
                    TextToVideoVelocity.conditioning(b.tokenizer(), captions), new Generator(2)).sample();
        }
        assertArrayEquals(new int[] {2, 3, 8, 16, 16}, videos.shape());
        float[] v = videos.toFloatArray();
        double sumSq = 0;
        for (float x : v) {
            assertTrue(Float.isFinite(x));
            sumSq += x * x;
        }
        // A trained model's videos sit in [-1, 1] with a spread like the data's, not at 0 and not blown up.
        double rms = Math.sqrt(sumSq / v.length);
        assertTrue(rms > 0.1 && rms < 1.5, "rms " + rms);

        // A copy holds the same weights in tensors of its own: training it leaves the base model as it was.
        var copy = b.copy();
        String key = file.keySet().iterator().next();
        Tensor w = copy.stateDict().get(key);
        assertArrayEquals(file.get(key).toFloatArray(), w.toFloatArray());
        try (var g = GradMode.noGrad()) {
            w.copyFrom(w.add(1));
        }
        assertArrayEquals(file.get(key).toFloatArray(), b.model().stateDict().get(key).toFloatArray());
    }

    @Test
    void bf16WeightsAreWidenedOnLoad() throws Exception {
        BaseModel shipped = BaseModel.shipped(dir.resolve("f32"));
        Path bf16 = dir.resolve("bf16");
        Files.createDirectories(bf16);
        for (String f : List.of(RunCheckpoint.CONFIG, RunCheckpoint.VOCAB)) Files.copy(dir.resolve("f32").resolve(f), bf16.resolve(f));
        Map<String, Tensor> narrow = new LinkedHashMap<>();
        shipped.model().stateDict().forEach((k, t) -> narrow.put(k, t.to(DType.BF16)));
        Safetensors.save(bf16.resolve(RunCheckpoint.EMA_MODEL), narrow);
        BaseModel loaded = BaseModel.load(bf16);
        Map<String, Tensor> got = loaded.model().stateDict();
        for (Map.Entry<String, Tensor> e : narrow.entrySet()) {
            assertEquals(DType.F32, got.get(e.getKey()).dtype());
            assertArrayEquals(e.getValue().to(DType.F32).toFloatArray(), got.get(e.getKey()).toFloatArray(), e.getKey());
        }
    }

    @Test
    void aDirectoryWithoutTheFilesIsRefusedNamingTheMissingOne() throws Exception {
        BaseModel.shipped(dir.resolve("full"));
        Path partial = dir.resolve("partial");
        Files.createDirectories(partial);
        Files.copy(dir.resolve("full").resolve(RunCheckpoint.CONFIG), partial.resolve(RunCheckpoint.CONFIG));
        CheckpointException e = assertThrows(CheckpointException.class, () -> BaseModel.load(partial));
        assertTrue(e.getMessage().contains(RunCheckpoint.VOCAB + " is missing"), e.getMessage());
        CheckpointException none = assertThrows(CheckpointException.class, () -> BaseModel.load(dir.resolve("nowhere")));
        assertTrue(none.getMessage().contains("does not exist"), none.getMessage());
    }
}
