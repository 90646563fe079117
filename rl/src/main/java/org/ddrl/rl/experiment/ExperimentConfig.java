package org.ddrl.rl.experiment;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.ddrl.rl.config.ConfigException;
import org.ddrl.rl.config.ConfigLoader;
import org.ddrl.rl.config.RlConfig;

/**
 * The settings of an experiment run, read from YAML. The embedded {@value #DEFAULT_RESOURCE} documents every field and
 * is the table of defaults: a file only lists what it changes (it is merged over the defaults, section by section), and
 * {@value #DEMO_RESOURCE} is such a file. Unknown fields and invalid values are errors that name the file and the field.
 *
 * <p>The {@code rl} section holds the RL settings every arm shares, in the syntax of an RL run config
 * ({@link ConfigLoader}); each arm's {@link RlConfig} is that section plus the arm's algorithm, the {@code ddrl} or
 * {@code flow_grpo} section where the arm has a regularizer, and the reward. Every arm's config is built, and so
 * checked, when the experiment config is loaded.
 *
 * @param title         the report's title
 * @param baseCheckpoint the base model's directory, or null for the shipped tiny checkpoint ({@link BaseModel})
 * @param seeds         one run per arm and seed; distinct
 * @param threads       CPU threads, 0 = the default
 * @param arms          the arms run, by {@link Arm#key()}, in report order
 * @param referenceArm  the arm the judge vote and the Welch tests compare with
 * @param trainData     the real videos that give the prompts and DDRL's real anchors
 * @param reward        the proxy reward and how its classifier is trained
 * @param rl            the shared RL settings
 * @param ddrl          the DDRL arms' data term (without its anchor, which the arm sets)
 * @param flowGrpo      the FlowGRPO-like arm's reverse-KL term
 * @param eval          what the judge evaluates
 */
public record ExperimentConfig(String title, String baseCheckpoint, List<Long> seeds, int threads, List<String> arms, String referenceArm,
                               TrainData trainData, RewardSetup reward, ObjectNode rl, ObjectNode ddrl, ObjectNode flowGrpo, Eval eval) {
    public static final String DEFAULT_RESOURCE = "experiment.yaml";
    public static final String DEMO_RESOURCE = "demo.yaml";
    /** Where an arm's reward config points for the classifier; the runner writes the trained classifier there. */
    static final String CLASSIFIER_FILE = "cache/reward_classifier.safetensors";

    private static final ObjectMapper YAML = YAMLMapper.builder(new YAMLFactory())
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES,
                    DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();
    /** Fields of {@code rl} the experiment sets itself. */
    private static final Set<String> RL_RESERVED = Set.of("algorithm", "seed", "reward", "ddrl", "flow_grpo");

    /**
     * @param videos distinct TRAIN videos (their captions are the prompts)
     * @param seed   the video generator's seed
     */
    public record TrainData(int videos, long seed) {
        public TrainData {
            positive("train_data.videos", videos);
        }
    }

    /**
     * The proxy reward: classifierWeight * log p(attributes | video) + vividnessWeight * vividness.
     *
     * @param classifier how the attribute classifier is trained
     */
    public record RewardSetup(double classifierWeight, double vividnessWeight, double saturationWeight, double contrastWeight,
                              ClassifierRecipe classifier) {
        public RewardSetup {
            finite("reward.classifier_weight", classifierWeight);
            finite("reward.vividness_weight", vividnessWeight);
            finite("reward.saturation_weight", saturationWeight);
            finite("reward.contrast_weight", contrastWeight);
            if (classifierWeight == 0 && vividnessWeight == 0) fail("reward", "classifier_weight and vividness_weight are both 0: no reward");
            if (classifier == null) fail("reward.classifier", "is required");
        }
    }

    /** The attribute classifier's width and training (see {@link org.ddrl.rl.reward.AttributeClassifierTraining}). */
    public record ClassifierRecipe(int width, int steps, int batchSize, double lr, int videos, long seed) {
        public ClassifierRecipe {
            if (width < 4 || width % 4 != 0) fail("reward.classifier.width", "must be a positive multiple of 4, got " + width);
            positive("reward.classifier.steps", steps);
            positive("reward.classifier.batch_size", batchSize);
            if (!(lr > 0) || Double.isInfinite(lr)) fail("reward.classifier.lr", "must be finite and > 0, got " + lr);
            positive("reward.classifier.videos", videos);
        }
    }

    /**
     * @param every          iterations between evaluations
     * @param prompts        distinct prompts evaluated
     * @param perPrompt      videos per prompt (at least 2, for diversity)
     * @param realPerPrompt  real videos per prompt on the judge's real side
     * @param heldoutVideos  VALIDATION videos of the held-out diffusion loss
     * @param gridVideos     videos per arm shown in the report
     * @param seed           the evaluation noise's seed (combined with each training seed)
     * @param featureNet     how the judge's feature network is trained
     */
    public record Eval(int every, int prompts, int perPrompt, int realPerPrompt, int heldoutVideos, int gridVideos, long seed,
                       FeatureNetRecipe featureNet) {
        public Eval {
            if (featureNet == null) fail("eval.feature_net", "is required");
            positive("eval.every", every);
            positive("eval.prompts", prompts);
            if (prompts > 112) fail("eval.prompts", "there are 112 training prompts, got " + prompts);
            if (perPrompt < 2) fail("eval.per_prompt", "must be >= 2 (diversity compares videos of one prompt), got " + perPrompt);
            positive("eval.real_per_prompt", realPerPrompt);
            if (prompts * realPerPrompt < 2) fail("eval.real_per_prompt", "the judge needs at least 2 real videos");
            positive("eval.heldout_videos", heldoutVideos);
            positive("eval.grid_videos", gridVideos);
        }

        /** Videos per evaluation. */
        public int videos() {
            return prompts * perPrompt;
        }
    }

    /**
     * The judge's {@link org.ddrl.rl.judge.FeatureNet} training ({@link org.ddrl.rl.judge.FeatureNetTraining.Recipe}, with
     * the judge's own seeds).
     */
    public record FeatureNetRecipe(int steps, int batchSize, double lr, int videos) {
        public FeatureNetRecipe {
            positive("eval.feature_net.steps", steps);
            positive("eval.feature_net.batch_size", batchSize);
            if (!(lr > 0) || Double.isInfinite(lr)) fail("eval.feature_net.lr", "must be finite and > 0, got " + lr);
            if (videos < batchSize) fail("eval.feature_net.videos", "must be at least batch_size (" + batchSize + "), got " + videos);
        }

        public org.ddrl.rl.judge.FeatureNetTraining.Recipe recipe() {
            return new org.ddrl.rl.judge.FeatureNetTraining.Recipe(steps, batchSize, lr, videos, org.ddrl.rl.judge.FeatureNetTraining.WEIGHT_SEED,
                    org.ddrl.rl.judge.FeatureNetTraining.DATA_SEED);
        }
    }

    public ExperimentConfig {
        if (title == null || title.isBlank()) fail("title", "must not be blank");
        if (seeds == null || seeds.isEmpty()) fail("seeds", "must list at least one seed");
        if (new HashSet<>(seeds).size() != seeds.size()) fail("seeds", "lists a seed twice: " + seeds);
        seeds = List.copyOf(seeds);
        if (threads < 0) fail("threads", "must be >= 0 (0 = the default), got " + threads);
        if (arms == null || arms.isEmpty()) fail("arms", "must list at least one arm; known: " + Arm.keys());
        for (String a : arms) Arm.parse("arms", a);
        if (new HashSet<>(arms).size() != arms.size()) fail("arms", "lists an arm twice: " + arms);
        arms = List.copyOf(arms);
        if (referenceArm == null || !arms.contains(referenceArm)) fail("reference_arm", "must be one of the arms " + arms + ", got " + referenceArm);
        if (trainData == null) fail("train_data", "is required");
        if (reward == null) fail("reward", "is required");
        if (rl == null) fail("rl", "is required");
        for (String f : RL_RESERVED) if (rl.has(f)) fail("rl." + f, "is set by the experiment (per arm), not in the shared rl section");
        if (ddrl == null) fail("ddrl", "is required");
        if (ddrl.has("anchor")) fail("ddrl.anchor", "is set by the arm (ddrl_real: real, ddrl_synthetic: synthetic)");
        if (flowGrpo == null) fail("flow_grpo", "is required");
        if (eval == null) fail("eval", "is required");
        if (eval.gridVideos() > eval.videos()) {
            fail("eval.grid_videos", "must be at most the " + eval.videos() + " videos of an evaluation, got " + eval.gridVideos());
        }
    }

    /** The arms, parsed. */
    public List<Arm> armList() {
        return arms.stream().map(a -> Arm.parse("arms", a)).toList();
    }

    public Arm reference() {
        return Arm.parse("reference_arm", referenceArm);
    }

    /**
     * The RL config of a training arm: the shared {@code rl} section, the arm's algorithm and regularizer, the reward
     * (whose classifier file is {@value #CLASSIFIER_FILE}, relative to the output directory) and the seed.
     */
    public RlConfig armConfig(Arm arm, long seed) {
        if (arm.algorithm() == null) throw new IllegalArgumentException("ExperimentConfig.armConfig: arm " + arm.key() + " does not train");
        ObjectNode json = rl.deepCopy();
        json.put("algorithm", arm.algorithm().wire());
        json.put("seed", seed);
        switch (arm) {
            case DDRL_REAL, DDRL_SYNTHETIC -> json.set("ddrl", ddrl.deepCopy().put("anchor", arm == Arm.DDRL_REAL ? "real" : "synthetic"));
            case FLOW_GRPO -> json.set("flow_grpo", flowGrpo.deepCopy());
            default -> { }
        }
        ObjectNode r = json.putObject("reward");
        ArrayNode terms = r.putArray("terms");
        if (reward.classifierWeight() != 0) {
            terms.addObject().put("type", "attribute_classifier").put("weight", reward.classifierWeight()).put("path", CLASSIFIER_FILE);
        }
        if (reward.vividnessWeight() != 0) {
            terms.addObject().put("type", "vividness").put("weight", reward.vividnessWeight()).put("saturation_weight", reward.saturationWeight())
                    .put("contrast_weight", reward.contrastWeight());
        }
        return ConfigLoader.parseJson(json.toString(), "rl section for arm " + arm.key());
    }

    /** This config with seeds 1..n. */
    public ExperimentConfig withSeedCount(int n) {
        if (n < 1) throw new ConfigException("--seeds must be >= 1, got " + n);
        List<Long> s = new ArrayList<>();
        for (long i = 1; i <= n; i++) s.add(i);
        return new ExperimentConfig(title, baseCheckpoint, s, threads, arms, referenceArm, trainData, reward, rl, ddrl, flowGrpo, eval);
    }

    /** This config with another thread count. */
    public ExperimentConfig withThreads(int n) {
        if (n < 1) throw new ConfigException("--threads must be >= 1, got " + n);
        return new ExperimentConfig(title, baseCheckpoint, seeds, n, arms, referenceArm, trainData, reward, rl, ddrl, flowGrpo, eval);
    }

    /** The config as a JSON-ready map (snake_case), for results.json. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> toMap() {
        return YAML.convertValue(this, Map.class);
    }

    /** The embedded defaults. */
    public static ExperimentConfig defaults() {
        return parse(List.of(resource(DEFAULT_RESOURCE)), DEFAULT_RESOURCE);
    }

    /** The demo: the embedded defaults with {@value #DEMO_RESOURCE} merged over them. */
    public static ExperimentConfig demo() {
        return parse(List.of(resource(DEFAULT_RESOURCE), resource(DEMO_RESOURCE)), DEMO_RESOURCE);
    }

    /** A config file (YAML) merged over the embedded defaults. */
    public static ExperimentConfig load(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        return parse(List.of(resource(DEFAULT_RESOURCE), new Source(file.toString(), text)), file.toString());
    }

    /**
     * The embedded defaults, then {@code file} (may be null), then {@code overrides}: field paths such as
     * {@code ddrl.data_beta} with YAML values (so lists read {@code [1, 2]}), e.g. for a tuning sweep.
     */
    public static ExperimentConfig load(Path file, Map<String, String> overrides) throws IOException {
        List<Source> layers = new ArrayList<>();
        layers.add(resource(DEFAULT_RESOURCE));
        if (file != null) layers.add(new Source(file.toString(), Files.readString(file, StandardCharsets.UTF_8)));
        String source = file == null ? DEFAULT_RESOURCE : file.toString();
        if (overrides != null && !overrides.isEmpty()) {
            ObjectNode root = YAML.createObjectNode();
            for (Map.Entry<String, String> e : overrides.entrySet()) {
                String[] path = e.getKey().split("\\.", -1);
                ObjectNode at = root;
                for (int i = 0; i < path.length; i++) {
                    if (path[i].isEmpty()) throw new ConfigException("--set " + e.getKey() + ": empty field name in the path");
                    if (i == path.length - 1) {
                        try {
                            JsonNode v = YAML.readTree(e.getValue());
                            at.set(path[i], v == null || v.isMissingNode() ? YAML.getNodeFactory().nullNode() : v);
                        } catch (JsonProcessingException x) {
                            throw new ConfigException("--set " + e.getKey() + ": the value is not YAML: " + x.getOriginalMessage(), x);
                        }
                    } else {
                        JsonNode next = at.get(path[i]);
                        at = next instanceof ObjectNode o ? o : at.putObject(path[i]);
                    }
                }
            }
            layers.add(new Source("--set", YAML.writeValueAsString(root)));
            source = source + " with --set " + overrides.keySet();
        }
        return parse(layers, source);
    }

    /** YAML text merged over the embedded defaults; {@code source} names it in errors. */
    public static ExperimentConfig parseYaml(String text, String source) {
        return parse(List.of(resource(DEFAULT_RESOURCE), new Source(source, text)), source);
    }

    private record Source(String name, String text) {}

    private static Source resource(String name) {
        try (InputStream in = ExperimentConfig.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("ExperimentConfig: the embedded " + name + " is missing from the build");
            return new Source(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("ExperimentConfig: cannot read the embedded " + name, e);
        }
    }

    private static ExperimentConfig parse(List<Source> layers, String source) {
        JsonNode merged = null;
        for (Source s : layers) {
            JsonNode tree;
            try {
                tree = YAML.readTree(s.text());
            } catch (JsonProcessingException e) {
                JsonLocation at = e.getLocation();
                throw new ConfigException(s.name() + ": not valid YAML" + (at == null ? "" : " at line " + at.getLineNr() + ", column "
                        + at.getColumnNr()) + ": " + e.getOriginalMessage(), e);
            }
            if (tree == null || tree.isMissingNode() || tree.isNull()) continue;
            if (!tree.isObject()) throw new ConfigException(s.name() + ": the config must be a mapping of fields");
            merged = merged == null ? tree : merge(merged, tree);
        }
        ExperimentConfig c;
        try {
            c = YAML.treeToValue(merged, ExperimentConfig.class);
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new ConfigException(source + ": " + (cause instanceof IllegalArgumentException ? cause.getMessage() : String.valueOf(cause)), e);
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds() == null ? "" : "; known fields: "
                    + e.getKnownPropertyIds().stream().map(String::valueOf).sorted().collect(Collectors.joining(", ", "[", "]"));
            throw new ConfigException(source + ": " + path(e) + ": unknown field" + known, e);
        } catch (JsonMappingException e) {
            throw new ConfigException(source + ": " + (e.getPath().isEmpty() ? "" : path(e) + ": ") + e.getOriginalMessage(), e);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source + ": " + e.getOriginalMessage(), e);
        }
        for (Arm arm : c.armList()) {
            if (arm.algorithm() == null) continue;
            try {
                c.armConfig(arm, c.seeds().getFirst());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(source + ": " + e.getMessage(), e);
            }
        }
        return c;
    }

    /** Objects merge field by field, recursively; anything else in {@code over} replaces what {@code base} has. */
    private static JsonNode merge(JsonNode base, JsonNode over) {
        if (!(base instanceof ObjectNode b) || !over.isObject()) return over;
        ObjectNode out = b.deepCopy();
        for (Iterator<Map.Entry<String, JsonNode>> it = over.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            JsonNode old = out.get(f.getKey());
            out.set(f.getKey(), old == null ? f.getValue() : merge(old, f.getValue()));
        }
        return out;
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) sb.append(sb.isEmpty() ? "" : ".").append(r.getFieldName());
            else if (r.getIndex() >= 0) sb.append('[').append(r.getIndex()).append(']');
        }
        return sb.toString();
    }

    private static void positive(String field, long v) {
        if (v < 1) fail(field, "must be >= 1, got " + v);
    }

    private static void finite(String field, double v) {
        if (!Double.isFinite(v)) fail(field, "must be finite, got " + v);
    }

    static void fail(String field, String message) {
        throw new IllegalArgumentException(field + ": " + message);
    }
}
