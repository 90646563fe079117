package org.ddrl.diffusion.config;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.ddrl.diffusion.data.MovingShapesConfig;

/**
 * Everything a pre-training run needs: the model, the data, the optimisation and the final samples. Read from YAML or
 * JSON with snake_case field names; fields a file leaves out take the values of the embedded default config
 * ({@link #DEFAULT_RESOURCE}, the tiny experiment, whose comments document every field), unknown fields are errors,
 * and every value is checked, with errors naming the field ("train.lr: must be > 0 and finite, got -1").
 */
public record PretrainConfig(ModelConfig model, DataConfig data, TrainConfig train, SampleConfig sample) {
    /** The default config, a resource next to this class. */
    public static final String DEFAULT_RESOURCE = "pretrain-tiny.yaml";

    /**
     * Fields that a resumed run may change without changing its results: where and how often it writes, its thread
     * count, how it samples at the end, and memory-for-time trades.
     */
    public static final Set<String> RESUMABLE_CHANGES = Set.of("train.out_dir", "train.threads", "train.checkpoint_every",
            "train.keep_checkpoints", "train.sample_every", "train.log_every", "train.gradient_checkpointing", "data.prefetch", "sample");

    /** The embedded default config. */
    public static PretrainConfig defaults() {
        return defaults(Map.of());
    }

    /** The embedded default config with {@code overrides} (see {@link #load(Path, Map)}). */
    public static PretrainConfig defaults(Map<String, String> overrides) {
        return ConfigLoader.load(null, overrides);
    }

    /** A config file (YAML, or JSON for a .json file) over the defaults. */
    public static PretrainConfig load(Path file) throws IOException {
        return load(file, Map.of());
    }

    /**
     * A config file (null for none) over the defaults, then {@code overrides}: values by dotted path
     * ("train.steps" to "100"), each written as a YAML value ("[1, 2, 2]" for a list), as the command line gives them.
     */
    public static PretrainConfig load(Path file, Map<String, String> overrides) throws IOException {
        if (file != null && !java.nio.file.Files.isRegularFile(file)) {
            throw new java.nio.file.NoSuchFileException(file.toString(), null, "config file not found");
        }
        return ConfigLoader.load(file, overrides);
    }

    /** A complete config as written by {@link #toJson()} (a checkpoint's config.json): no field may be missing. */
    public static PretrainConfig fromJson(String json, String source) {
        return ConfigLoader.readComplete(json, source);
    }

    /** The config as indented JSON, every field written (nulls too), so that it reads back exactly. */
    public String toJson() {
        return ConfigLoader.toJson(this);
    }

    /** The video size the data preset gives. */
    public MovingShapesConfig video() {
        return data.videoConfig();
    }

    /** Checks every field; throws a {@link ConfigException} listing every problem, naming {@code source}. */
    public PretrainConfig validate(String source) {
        ConfigErrors e = new ConfigErrors();
        boolean dataOk = e.present("data", data) && data.validate(e);
        if (e.present("model", model)) {
            if (dataOk) model.validate(e, data.videoConfig());
            else if (model.text() != null) model.text().validate(e);
        }
        if (e.present("train", train)) train.validate(e);
        if (e.present("sample", sample)) sample.validate(e);
        e.throwIfAny(source);
        return this;
    }

    /**
     * The fields (dotted paths) whose values differ between this config and {@code other}, leaving out those in
     * {@link #RESUMABLE_CHANGES}, each with both values: "model.dit.width: 64 in the checkpoint, 96 now".
     */
    public List<String> resumeMismatches(PretrainConfig checkpoint) {
        return ConfigLoader.differences(checkpoint, this, RESUMABLE_CHANGES);
    }
}
