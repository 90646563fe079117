package org.ddrl.rl.experiment;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ddrl.diffusion.config.PretrainConfig;
import org.ddrl.diffusion.data.MovingShapesConfig;
import org.ddrl.diffusion.model.TextToVideo;
import org.ddrl.diffusion.text.Vocabulary;
import org.ddrl.diffusion.text.WordTokenizer;
import org.ddrl.diffusion.train.CheckpointException;
import org.ddrl.diffusion.train.Checkpoints;
import org.ddrl.diffusion.train.Models;
import org.ddrl.diffusion.train.Pretrainer;
import org.ddrl.diffusion.train.RunCheckpoint;
import org.ddrl.tensor.Scope;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.io.AtomicFiles;
import org.ddrl.tensor.io.Safetensors;
import org.ddrl.tensor.rng.Generator;

/**
 * The pre-trained model every arm starts from. Only three files of a pre-training checkpoint are needed to sample and
 * fine-tune it: {@value RunCheckpoint#CONFIG} (the architecture), {@value RunCheckpoint#VOCAB} (the tokenizer) and
 * {@value RunCheckpoint#EMA_MODEL} (the EMA weights, F32 or BF16: BF16 halves a shipped file and is widened to the
 * model's F32 on load). The shipped base model is those three files under the resource folder {@value #RESOURCE_DIR};
 * replacing it by another checkpoint is a copy of its three files there.
 *
 * @param source     where the weights came from, for the report
 * @param config     the pre-training config (architecture, video size)
 * @param vocabulary the caption vocabulary
 * @param model      the model with the EMA weights, in eval mode
 */
public record BaseModel(String source, PretrainConfig config, Vocabulary vocabulary, TextToVideo<?> model) {
    /** The resource folder of the shipped checkpoint. */
    public static final String RESOURCE_DIR = "/org/ddrl/rl/demo/base/";
    /** The files a base model needs. */
    public static final List<String> FILES = List.of(RunCheckpoint.CONFIG, RunCheckpoint.VOCAB, RunCheckpoint.EMA_MODEL);

    /** The video size the model generates. */
    public MovingShapesConfig video() {
        return config.video();
    }

    public WordTokenizer tokenizer() {
        return Models.tokenizer(vocabulary, config.model());
    }

    /** A new model of the same architecture holding a copy of the base weights (in eval mode). */
    public TextToVideo<?> copy() {
        TextToVideo<?> m = blank();
        m.loadStateDict(model.stateDict(), true);
        m.eval();
        return m;
    }

    /** A new model of the same architecture with arbitrary weights. */
    public TextToVideo<?> blank() {
        return Models.build(config.model(), vocabulary, new Generator(0));
    }

    /**
     * The shipped checkpoint: its files are copied out of the jar into {@code dir} (the run's cache, so the report's
     * folder shows which model was used) and loaded from there.
     */
    public static BaseModel shipped(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (String f : FILES) {
            try (InputStream in = BaseModel.class.getResourceAsStream(RESOURCE_DIR + f)) {
                if (in == null) throw new CheckpointException("the shipped base checkpoint lacks " + RESOURCE_DIR + f + " (a broken build?)");
                AtomicFiles.copy(in, dir.resolve(f));
            }
        }
        BaseModel m = fromFiles(dir);
        return new BaseModel("the shipped tiny checkpoint (" + RESOURCE_DIR.substring(1) + ")", m.config, m.vocabulary, m.model);
    }

    /**
     * A base model from a directory: a complete pre-training checkpoint (verified against its manifest), a run
     * directory (its newest checkpoint), or a plain directory holding the three {@link #FILES}.
     */
    public static BaseModel load(Path path) throws IOException {
        boolean checkpoint = Files.isRegularFile(path.resolve(Checkpoints.MANIFEST)) || Files.isDirectory(path.resolve(Pretrainer.CHECKPOINTS));
        if (checkpoint) {
            RunCheckpoint.Loaded l = RunCheckpoint.load(path, true);
            return new BaseModel(l.dir() + " (step " + l.state().step() + ")", l.config(), RunCheckpoint.vocabulary(l.dir()), l.model());
        }
        if (!Files.isDirectory(path)) throw new CheckpointException("base checkpoint " + path + " does not exist (or is not a directory)");
        return fromFiles(path);
    }

    private static BaseModel fromFiles(Path dir) throws IOException {
        for (String f : FILES) {
            if (!Files.isRegularFile(dir.resolve(f))) {
                throw new CheckpointException("base checkpoint " + dir + ": " + f + " is missing; a base model needs " + FILES
                        + ", or a complete pre-training checkpoint");
            }
        }
        PretrainConfig config = RunCheckpoint.config(dir);
        Vocabulary vocab = RunCheckpoint.vocabulary(dir);
        TextToVideo<?> model = Models.build(config.model(), vocab, new Generator(0));
        Path weights = dir.resolve(RunCheckpoint.EMA_MODEL);
        try (Scope scope = Scope.open()) {
            Map<String, Tensor> own = model.stateDict();
            Map<String, Tensor> file = new LinkedHashMap<>();
            for (Map.Entry<String, Tensor> e : Safetensors.load(weights).entrySet()) {
                Tensor mine = own.get(e.getKey());
                file.put(e.getKey(), mine == null || mine.dtype() == e.getValue().dtype() ? e.getValue() : e.getValue().to(mine.dtype()));
            }
            model.loadStateDict(file, true);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException("base checkpoint " + dir + ": cannot load " + RunCheckpoint.EMA_MODEL + ": " + e.getMessage(), e);
        }
        model.eval();
        return new BaseModel(dir.toString(), config, vocab, model);
    }
}
