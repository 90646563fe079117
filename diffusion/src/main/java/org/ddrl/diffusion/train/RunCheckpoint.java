package org.ddrl.diffusion.train;

import com.fasterxml.jackson.databind.DeserializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.ddrl.autodiff.nn.Module;
import org.ddrl.autodiff.optim.Ema;
import org.ddrl.autodiff.optim.Optimizer;
import org.ddrl.diffusion.config.ConfigException;
import org.ddrl.diffusion.config.PretrainConfig;
import org.ddrl.diffusion.model.TextToVideo;
import org.ddrl.diffusion.text.Vocabulary;
import org.ddrl.diffusion.text.WordTokenizer;
import org.ddrl.tensor.rng.Generator;

/**
 * The files of a pre-training checkpoint (see {@link Checkpoints} for how they are written atomically):
 * <ul>
 *   <li>{@value #MODEL}: the trained weights, text encoder ("text_encoder.*") and backbone ("backbone.*");</li>
 *   <li>{@value #EMA_MODEL}: the same keys holding the EMA weights, the ones to sample with;</li>
 *   <li>{@value #EMA}: the EMA's own state (averages and update count), {@value #OPTIMIZER}: AdamW's;</li>
 *   <li>{@value #CONFIG}: the full config, {@value #VOCAB}: the tokenizer's words, {@value #STATE}: the {@link RunState}.</li>
 * </ul>
 */
public final class RunCheckpoint {
    public static final String MODEL = "model.safetensors";
    public static final String EMA_MODEL = "model_ema.safetensors";
    public static final String EMA = "ema.safetensors";
    public static final String OPTIMIZER = "optimizer.safetensors";
    public static final String CONFIG = "config.json";
    public static final String VOCAB = "vocab.txt";
    public static final String STATE = "state.json";

    private RunCheckpoint() {}

    /** Writes a checkpoint of step {@code state.step()} under root. */
    public static Path save(Path root, RunState state, PretrainConfig config, Module model, Ema ema, Optimizer optimizer, Vocabulary vocab)
            throws IOException {
        return Checkpoints.write(root, state.step(), List.of(
                new Checkpoints.Part(CONFIG, f -> Files.writeString(f, config.toJson(), StandardCharsets.UTF_8)),
                new Checkpoints.Part(VOCAB, vocab::write),
                new Checkpoints.Part(MODEL, model::save),
                new Checkpoints.Part(EMA_MODEL, f -> {
                    try (var swap = ema.swapIn(0)) {
                        model.save(f);
                    }
                }),
                new Checkpoints.Part(EMA, ema::save),
                new Checkpoints.Part(OPTIMIZER, optimizer::save),
                new Checkpoints.Part(STATE, f -> Files.writeString(f, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(state),
                        StandardCharsets.UTF_8))));
    }

    /** The config a checkpoint was written with. */
    public static PretrainConfig config(Path dir) throws IOException {
        Path f = dir.resolve(CONFIG);
        try {
            return PretrainConfig.fromJson(Files.readString(f, StandardCharsets.UTF_8), f.toString());
        } catch (ConfigException e) {
            throw new CheckpointException("checkpoint " + dir + ": " + CONFIG + " is not a usable config: " + e.getMessage(), e);
        }
    }

    public static RunState state(Path dir) throws IOException {
        Path f = dir.resolve(STATE);
        try {
            return Json.MAPPER.readerFor(RunState.class).with(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES,
                    DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES).readValue(Files.readString(f, StandardCharsets.UTF_8));
        } catch (IOException | IllegalArgumentException e) {
            throw new CheckpointException("checkpoint " + dir + ": " + STATE + " is not a valid run state: " + e.getMessage(), e);
        }
    }

    public static Vocabulary vocabulary(Path dir) throws IOException {
        Path f = dir.resolve(VOCAB);
        try {
            return Vocabulary.read(f);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException("checkpoint " + dir + ": " + VOCAB + " is not a vocabulary: " + e.getMessage(), e);
        }
    }

    /** Loads the trained weights, the EMA and the optimizer state of a checkpoint into a run's live objects. */
    public static void restore(Path dir, Module model, Ema ema, Optimizer optimizer) throws IOException {
        load(dir, MODEL, () -> model.load(dir.resolve(MODEL)));
        load(dir, EMA, () -> ema.load(dir.resolve(EMA)));
        load(dir, OPTIMIZER, () -> optimizer.load(dir.resolve(OPTIMIZER)));
    }

    /** A checkpoint's model, ready to sample: its config, tokenizer, and the EMA weights (or the trained ones). */
    public record Loaded(Path dir, PretrainConfig config, RunState state, TextToVideo<?> model, WordTokenizer tokenizer) {}

    /**
     * Verifies a checkpoint and loads its model for sampling. {@code path} is a checkpoint directory, or a run's
     * output directory, whose newest checkpoint is taken.
     */
    public static Loaded load(Path path, boolean emaWeights) throws IOException {
        Path dir = resolve(path);
        Checkpoints.verify(dir);
        PretrainConfig config = config(dir);
        Vocabulary vocab = vocabulary(dir);
        TextToVideo<?> model = Models.build(config.model(), vocab, new Generator(0));
        String file = emaWeights ? EMA_MODEL : MODEL;
        load(dir, file, () -> model.load(dir.resolve(file)));
        model.eval();
        return new Loaded(dir, config, state(dir), model, Models.tokenizer(vocab, config.model()));
    }

    /** A checkpoint directory itself, or the newest checkpoint of a run directory. */
    public static Path resolve(Path path) throws IOException {
        if (Files.isRegularFile(path.resolve(Checkpoints.MANIFEST))) return path;
        Path runCheckpoints = path.resolve(Pretrainer.CHECKPOINTS);
        var latest = Checkpoints.latest(runCheckpoints);
        if (latest.isPresent()) return latest.get();
        if (!Files.exists(path)) throw new CheckpointException("checkpoint " + path + " does not exist");
        throw new CheckpointException(path + " is neither a complete checkpoint (it has no " + Checkpoints.MANIFEST
                + ") nor a run directory with one under " + Pretrainer.CHECKPOINTS + "/");
    }

    private interface Load {
        void run() throws IOException;
    }

    /** Runs a load, naming the checkpoint file in any error. */
    private static void load(Path dir, String file, Load load) throws IOException {
        try {
            load.run();
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException | IllegalArgumentException | UnsupportedOperationException e) {
            throw new CheckpointException("checkpoint " + dir + ": cannot load " + file + ": " + e.getMessage(), e);
        }
    }
}
