package org.ddrl.diffusion.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.ddrl.diffusion.data.MovingShapes;
import org.ddrl.diffusion.data.MovingShapesConfig;
import org.ddrl.diffusion.data.Split;
import org.ddrl.diffusion.model.DiTConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PretrainConfigTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    /** The single error a config with these overrides gives. */
    private static String error(Map<String, String> overrides) {
        ConfigException e = assertThrows(ConfigException.class, () -> PretrainConfig.defaults(overrides));
        assertEquals(1, e.errors().size(), e.getMessage());
        return e.errors().getFirst();
    }

    @Test
    void theDefaultsAreTheTinyExperiment() {
        PretrainConfig c = PretrainConfig.defaults();
        assertEquals("dit", c.model().arch());
        assertEquals(MovingShapesConfig.TINY, c.video());
        DiTConfig dit = c.model().ditConfig();
        assertEquals(c.model().text().width(), dit.textDim(), "the backbone attends to the text encoder's width");
        assertEquals(List.of(8, 2, 2), List.of(dit.patchT(), dit.patchH(), dit.patchW()));
        assertTrue(dit.pooledText(), "the tiny experiment conditions adaLN on the pooled caption");
        assertEquals("uniform", c.train().time().distribution());
        assertEquals(DiTConfig.tiny().mlpRatio(), dit.mlpRatio(), "a null field keeps the preset's value");
        assertEquals(MovingShapes.combinations(Split.TRAIN), c.sample().promptAttributes());
    }

    @Test
    void yamlFileOverridesOnlyWhatItNames() throws IOException {
        Path f = write("c.yaml", """
                # a comment
                train:
                  steps: 10
                  lr: 1e-3
                  time: {distribution: logit_normal}
                model:
                  dit: {width: 96, heads: 2}
                sample:
                  prompts: [a red circle moving left, held_out]
                """);
        PretrainConfig c = PretrainConfig.load(f);
        PretrainConfig d = PretrainConfig.defaults();
        assertEquals(10, c.train().steps());
        assertEquals(1e-3, c.train().lr());
        assertEquals("logit_normal", c.train().time().distribution());
        assertEquals(d.train().time().shift(), c.train().time().shift(), "a section merges field by field");
        assertEquals(96, c.model().ditConfig().width());
        assertEquals(d.model().ditConfig().depth(), c.model().ditConfig().depth());
        assertEquals(d.train().batchSize(), c.train().batchSize());
        assertEquals(1 + MovingShapes.combinations(Split.HELD_OUT).size(), c.sample().promptAttributes().size());
    }

    @Test
    void jsonFileAndCommandLineOverrides() throws IOException {
        Path f = write("c.json", "{\"train\": {\"steps\": 10, \"batch_size\": 4}, \"data\": {\"preset\": \"standard\"}}");
        PretrainConfig c = PretrainConfig.load(f, Map.of("train.steps", "20", "model.dit.patch", "[2, 4, 4]", "model.dit.width", "96"));
        assertEquals(20, c.train().steps(), "the command line wins over the file");
        assertEquals(4, c.train().batchSize());
        assertEquals(MovingShapesConfig.STANDARD, c.video());
        assertEquals(2, c.model().ditConfig().patchT());
    }

    @Test
    void jsonRoundTripIsExact() {
        PretrainConfig c = PretrainConfig.defaults();
        assertEquals(c, PretrainConfig.fromJson(c.toJson(), "round trip"));
        assertTrue(c.toJson().contains("\"batch_size\""), "snake_case names");
    }

    @Test
    void checkpointConfigsFromBeforePooledTextLoadWithoutIt() {
        String json = PretrainConfig.defaults().toJson();
        String old = json.replaceAll(",\\s*\"pooled_text\"\\s*:\\s*(true|false|null)", "");
        assertTrue(!old.contains("pooled_text") && json.contains("pooled_text"), old);
        assertFalse(PretrainConfig.fromJson(old, "old/config.json").model().ditConfig().pooledText());
        String on = json.replaceAll("\"pooled_text\"\\s*:\\s*(true|false|null)", "\"pooled_text\" : true");
        assertTrue(PretrainConfig.fromJson(on, "new/config.json").model().ditConfig().pooledText());
    }

    @Test
    void aCheckpointConfigMustBeComplete() {
        String json = PretrainConfig.defaults().toJson().replace("\"warmup_steps\"", "\"warmup_stepz\"");
        ConfigException e = assertThrows(ConfigException.class, () -> PretrainConfig.fromJson(json, "ckpt/config.json"));
        assertTrue(e.errors().contains("train.warmup_steps: missing"), e.getMessage());
        assertTrue(e.getMessage().startsWith("invalid config ckpt/config.json"), e.getMessage());
    }

    @Test
    void theLogitNormalSpreadIsCheckedWhenItIsUsed() {
        assertEquals("train.time.std: must be >= 0 and finite, got -1",
                error(Map.of("train.time.distribution", "logit_normal", "train.time.std", "-1")));
        // the default draws t uniformly, so mean and std are not read
        assertEquals("uniform", PretrainConfig.defaults(Map.of("train.time.std", "-1")).train().time().distribution());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "train.lr              | -1            | train.lr: must be > 0 and finite, got -1",
        "train.steps           | 0             | train.steps: must be >= 1, got 0",
        "train.batch_size      | -3            | train.batch_size: must be >= 1, got -3",
        "train.warmup_steps    | -1            | train.warmup_steps: must be >= 0, got -1",
        "train.min_lr_factor   | 2             | train.min_lr_factor: must be in [0, 1], got 2",
        "train.weight_decay    | -0.5          | train.weight_decay: must be >= 0 and finite, got -0.5",
        "train.beta2           | 1             | train.beta2: must be in [0, 1), got 1",
        "train.grad_clip       | -1            | train.grad_clip: must be >= 0 and finite, got -1",
        "train.text_dropout    | 1.5           | train.text_dropout: must be in [0, 1], got 1.5",
        "train.ema.profile     | median        | train.ema.profile: must be one of [decay, warmup_decay, power], got \"median\"",
        "train.ema.decay       | 1.1           | train.ema.decay: must be in [0, 1], got 1.1",
        "train.time.distribution | normal      | train.time.distribution: must be one of [uniform, logit_normal], got \"normal\"",
        "train.time.shift      | 0             | train.time.shift: must be > 0 and finite, got 0",
        "train.checkpoint_every | -1           | train.checkpoint_every: must be >= 0, got -1",
        "train.log_every       | 0             | train.log_every: must be >= 1, got 0",
        "train.out_dir         | ''            | train.out_dir: must name a directory",
        "train.threads         | -2            | train.threads: must be >= 0, got -2",
        "data.preset           | huge          | data.preset: must be one of [tiny, standard], got \"huge\"",
        "data.split            | test          | data.split: must be one of [train, validation, held_out], got \"test\"",
        "data.videos           | 0             | data.videos: must be >= 1, got 0",
        "model.arch            | gan           | model.arch: must be one of [dit, unet], got \"gan\"",
        "model.preset          | huge          | model.preset: must be one of [tiny, small, base], got \"huge\"",
        "model.dit.heads       | 3             | model.dit.heads: a width of 128 must split into 3 heads of an even size (rotary embeddings turn channel pairs)",
        "model.dit.patch       | '[1, 3, 4]'   | model.dit.patch[1]: 3 does not divide the videos' height 16 (data.preset)",
        "model.dit.patch       | '[1, 4]'      | model.dit.patch: must be three sizes [frames, rows, columns], got [1, 4]",
        "model.dit.depth       | 0             | model.dit.depth: must be >= 1, got 0",
        "model.dit.width       | 64            | model.dit.width: a width of 64 is less than the 96 values of a patch (3 channels x 8 x 2 x 2), too narrow to predict them",
        "model.dit.frequency_dim | 7           | model.dit.frequency_dim: must be even and >= 2, got 7",
        "model.text.max_length | 4             | model.text.max_length: must be >= 6 to hold <cls> and the five words of a caption, got 4",
        "model.text.heads      | 3             | model.text.heads: 3 heads do not divide the width 64",
        "sample.prompts        | '[a red blob]' | sample.prompts[0]: \"a red blob\" is neither a set name [train, held_out, all] nor a caption of the form 'a <colour> <shape> moving <direction>'",
        "sample.prompts        | '[]'          | sample.prompts: must list at least one caption or set name [train, held_out, all]",
        "sample.cfg            | 1e999         | sample.cfg: must be a finite number, got Infinity",
        "sample.steps          | 0             | sample.steps: must be >= 1, got 0",
    })
    void eachValidationErrorNamesItsField(String field, String value, String message) {
        assertEquals(message, error(Map.of(field, value)));
    }

    @Test
    void unetChecksItsSettings() {
        assertEquals("model.unet.channel_mults[1]: must be >= 1, got 0", error(Map.of("model.arch", "unet", "model.unet.channel_mults", "[1, 0]")));
        String e = error(Map.of("model.arch", "unet", "model.unet.channel_mults", "[1, 2, 2, 2, 2, 2]"));
        assertTrue(e.startsWith("model.unet.channel_mults: 6 levels halve the frames' sides 5 times"), e);
        e = error(Map.of("model.arch", "unet", "model.unet.groups", "5"));
        assertTrue(e.startsWith("model.unet: UNetConfig:"), e);
        assertEquals("unet", PretrainConfig.defaults(Map.of("model.arch", "unet")).model().arch(),
                "the DiT section is not checked against a UNet run");
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> PretrainConfig.defaults(Map.of("train.lr", "0", "train.steps", "0", "sample.steps", "0")));
        assertEquals(3, e.errors().size(), e.getMessage());
    }

    @Test
    void unknownFieldsAreRejectedWithTheKnownOnes() throws IOException {
        Path f = write("c.yaml", "train:\n  lrr: 0.1\n");
        ConfigException e = assertThrows(ConfigException.class, () -> PretrainConfig.load(f));
        String msg = e.errors().getFirst();
        assertTrue(msg.startsWith("train.lrr: unknown field; the fields here are [batch_size, beta1,"), msg);
        assertTrue(e.getMessage().contains(f.toString()), "names the file: " + e.getMessage());
        e = assertThrows(ConfigException.class, () -> PretrainConfig.load(write("d.yaml", "modle: {}\n")));
        assertTrue(e.errors().getFirst().startsWith("modle: unknown field; the fields here are [data, model, sample, train]"), e.getMessage());
    }

    @Test
    void wrongTypesNameTheFieldAndTheValue() throws IOException {
        assertEquals("train.steps: expected a whole number, got the text \"many\"", error(Map.of("train.steps", "many")));
        assertEquals("train.steps: expected a whole number, got 1.5", error(Map.of("train.steps", "1.5")));
        assertEquals("train.lr: expected a number, got a list", error(Map.of("train.lr", "[1]")));
        assertEquals("train.ema: expected a mapping of fields, got 3", error(Map.of("train.ema", "3")));
        assertEquals("train.gradient_checkpointing: expected true or false, got the text \"maybe\"",
                error(Map.of("train.gradient_checkpointing", "maybe")));
        assertEquals("train.batch_size: expected a whole number, got null", error(Map.of("train.batch_size", "null")));
        assertEquals("model.dit.patch[2]: expected a whole number, got the text \"x\"", error(Map.of("model.dit.patch", "[1, 4, x]")));
        assertEquals("train: missing (must be an object)", error(Map.of("train", "null")));
    }

    @Test
    void malformedFilesNameTheFileAndTheLine() throws IOException {
        Path yaml = write("bad.yaml", "train:\n  steps: 10\n   lr: [\n");
        ConfigException e = assertThrows(ConfigException.class, () -> PretrainConfig.load(yaml));
        assertTrue(e.getMessage().contains("bad.yaml") && e.errors().getFirst().startsWith("not valid YAML"), e.getMessage());
        assertTrue(e.errors().getFirst().contains("line "), e.getMessage());
        Path json = write("bad.json", "{\"train\": {\"steps\": 10,}}");
        e = assertThrows(ConfigException.class, () -> PretrainConfig.load(json));
        assertTrue(e.errors().getFirst().startsWith("not valid JSON") && e.errors().getFirst().contains("line 1"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> PretrainConfig.load(write("dup.yaml", "train:\n  steps: 1\n  steps: 2\n")));
        assertTrue(e.errors().getFirst().contains("steps"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> PretrainConfig.load(write("list.yaml", "- 1\n- 2\n")));
        assertEquals("(root): must be a mapping of the sections model, data, train and sample, got a list", e.errors().getFirst());
        assertThrows(NoSuchFileException.class, () -> PretrainConfig.load(dir.resolve("nope.yaml")));
        assertEquals(PretrainConfig.defaults(), PretrainConfig.load(write("empty.yaml", "")), "an empty file changes nothing");
    }

    @Test
    void overridesOfUnknownSectionsAreRejected() {
        ConfigException e = assertThrows(ConfigException.class, () -> PretrainConfig.defaults(Map.of("trian.steps", "3")));
        assertEquals("trian: no such section", e.errors().getFirst());
    }

    @Test
    void resumeMismatchesNameTheFieldsThatChangeTheRun() {
        PretrainConfig a = PretrainConfig.defaults();
        PretrainConfig b = PretrainConfig.defaults(Map.of("model.dit.width", "96", "model.dit.heads", "4", "train.out_dir", "elsewhere",
                "train.threads", "3", "sample.cfg", "5", "train.lr", "0.003"));
        assertEquals(List.of("model.dit.width: 128 in the checkpoint, 96 now", "train.lr: 0.002 in the checkpoint, 0.003 now"),
                b.resumeMismatches(a));
        assertEquals(List.of(), a.resumeMismatches(a));
    }
}
