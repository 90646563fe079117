package org.ddrl.rl.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads {@link RlConfig} from JSON or YAML (by file extension: .json, .yaml, .yml). Names are snake_case. The file
 * must name its {@code algorithm}; every field it leaves out takes that algorithm's {@link RlConfig#preset}, and the
 * fields of a {@code sampler} or a reward term it leaves out take the defaults of the chosen {@code type} (a sampler
 * of another type than the preset's starts from that type's defaults). Unknown fields, wrong types, fractional
 * numbers for integers, strings for numbers and invalid values are errors whose message names the source and the
 * field's path, e.g. {@code run.yaml: optimizer.lr: must be finite and > 0, got -1.0}.
 */
public final class ConfigLoader {
    private static final Map<String, JsonNode> SAMPLER_DEFAULTS = new LinkedHashMap<>();
    private static final Map<String, JsonNode> TERM_DEFAULTS = new LinkedHashMap<>();
    /** Sections that a preset may leave null (those of another algorithm): a file that gives one starts from these. */
    private static final Map<String, JsonNode> SECTION_DEFAULTS = new LinkedHashMap<>();
    private static final ObjectMapper JSON = configure(JsonMapper.builder()).build();
    private static final ObjectMapper YAML = configure(YAMLMapper.builder(new YAMLFactory())).build();

    static {
        SAMPLER_DEFAULTS.put("edm_churn_2ab", tree(SamplerConfig.EdmChurn2abConfig.DEFAULT));
        SAMPLER_DEFAULTS.put("flow_grpo_sde", tree(SamplerConfig.FlowGrpoSdeConfig.DEFAULT));
        SAMPLER_DEFAULTS.put("dance_grpo_sde", tree(SamplerConfig.DanceGrpoSdeConfig.DEFAULT));
        SAMPLER_DEFAULTS.put("ddim", tree(SamplerConfig.DdimConfig.DEFAULT));
        SECTION_DEFAULTS.put("ddrl", tree(DdrlConfig.DEFAULT));
        SECTION_DEFAULTS.put("flow_grpo", tree(FlowGrpoConfig.DEFAULT));
        TERM_DEFAULTS.put("vividness", tree(RewardConfig.Term.VividnessTerm.DEFAULT));
        TERM_DEFAULTS.put("jpeg_compressibility", tree(RewardConfig.Term.JpegCompressibilityTerm.DEFAULT));
        TERM_DEFAULTS.put("attribute_classifier", object(Map.of("type", "attribute_classifier", "weight", 1.0)));
        TERM_DEFAULTS.put("http", object(Map.of("type", "http", "weight", 1.0, "name", "http", "connect_timeout_s", 10.0,
                "request_timeout_s", 120.0, "max_attempts", 3, "backoff_s", 1.0, "backoff_multiplier", 2.0, "layout", "per_video")));
    }

    private ConfigLoader() {}

    private static <M extends ObjectMapper, B extends com.fasterxml.jackson.databind.cfg.MapperBuilder<M, B>> B configure(B b) {
        return b.propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES,
                        DeserializationFeature.FAIL_ON_TRAILING_TOKENS, DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .enable(SerializationFeature.INDENT_OUTPUT);
    }

    /** The config in a file; .json is read as JSON, .yaml and .yml as YAML. Relative paths inside stay as written. */
    public static RlConfig load(Path path) throws IOException {
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean yaml = name.endsWith(".yaml") || name.endsWith(".yml");
        if (!yaml && !name.endsWith(".json")) {
            throw new ConfigException(path + ": unknown config format; name the file .json, .yaml or .yml");
        }
        return parse(Files.readString(path), yaml, path.toString());
    }

    /** The config in JSON text; {@code source} names it in errors. */
    public static RlConfig parseJson(String text, String source) {
        return parse(text, false, source);
    }

    /** The config in YAML text; {@code source} names it in errors. */
    public static RlConfig parseYaml(String text, String source) {
        return parse(text, true, source);
    }

    /** The resolved config as JSON (every field, defaults included), e.g. to record it next to results. */
    public static String toJson(RlConfig config) {
        try {
            return JSON.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("ConfigLoader.toJson: " + e.getOriginalMessage(), e);
        }
    }

    private static RlConfig parse(String text, boolean yaml, String source) {
        ObjectMapper mapper = yaml ? YAML : JSON;
        JsonNode user;
        try {
            user = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new ConfigException(source + ": not valid " + (yaml ? "YAML" : "JSON") + (at == null ? "" : " at line " + at.getLineNr()
                    + ", column " + at.getColumnNr()) + ": " + e.getOriginalMessage(), e);
        }
        if (user == null || !user.isObject()) throw new ConfigException(source + ": the config must be an object (a mapping of fields)");
        JsonNode algo = user.get("algorithm");
        List<String> names = Arrays.stream(AlgorithmKind.values()).map(AlgorithmKind::wire).toList();
        if (algo == null || !algo.isTextual() || !names.contains(algo.asText())) {
            throw new ConfigException(source + ": algorithm: " + (algo == null ? "is required" : "must be one of " + names + ", got " + algo));
        }
        RlConfig preset = RlConfig.preset(AlgorithmKind.valueOf(algo.asText().toUpperCase(Locale.ROOT)));
        JsonNode merged = merge(tree(preset), user, "");
        try {
            return JSON.treeToValue(merged, RlConfig.class);
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            String msg = cause instanceof IllegalArgumentException ? cause.getMessage() : String.valueOf(cause);
            throw new ConfigException(source + ": " + prefix(e) + msg, e);
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds() == null ? "" : "; known fields: "
                    + e.getKnownPropertyIds().stream().map(String::valueOf).sorted().collect(Collectors.joining(", ", "[", "]"));
            throw new ConfigException(source + ": " + path(e) + ": unknown field" + known, e);
        } catch (InvalidTypeIdException e) {
            throw new ConfigException(source + ": " + path(e) + ": unknown type '" + e.getTypeId() + "'; known types: " + knownTypes(e), e);
        } catch (JsonMappingException e) {
            throw new ConfigException(source + ": " + (e.getPath().isEmpty() ? "" : path(e) + ": ") + e.getOriginalMessage(), e);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source + ": " + e.getOriginalMessage(), e);
        }
    }

    private static String knownTypes(InvalidTypeIdException e) {
        String p = path(e);
        if (p.equals("sampler")) return SAMPLER_DEFAULTS.keySet().toString();
        if (p.startsWith("reward.terms")) return TERM_DEFAULTS.keySet().toString();
        return "see the config documentation";
    }

    /** Fields of {@code user} override {@code base} recursively; typed sections start from their type's defaults. */
    private static JsonNode merge(JsonNode base, JsonNode user, String path) {
        if (path.equals("sampler") && user.isObject()) base = typedBase(base, user, SAMPLER_DEFAULTS);
        if (path.equals("reward.terms[]") && user.isObject()) base = typedBase(null, user, TERM_DEFAULTS);
        if (user.isObject() && (base == null || base.isNull()) && SECTION_DEFAULTS.containsKey(path)) base = SECTION_DEFAULTS.get(path);
        if (user.isObject() && base != null && base.isObject()) {
            ObjectNode out = ((ObjectNode) base).deepCopy();
            for (Iterator<Map.Entry<String, JsonNode>> it = user.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                String child = path.isEmpty() ? f.getKey() : path + "." + f.getKey();
                out.set(f.getKey(), merge(out.get(f.getKey()), f.getValue(), child));
            }
            return out;
        }
        if (user.isArray() && path.equals("reward.terms")) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            for (JsonNode e : user) out.add(merge(null, e, "reward.terms[]"));
            return out;
        }
        return user;
    }

    /** The defaults of the type {@code user} names, unless {@code base} is already of that type. */
    private static JsonNode typedBase(JsonNode base, JsonNode user, Map<String, JsonNode> defaults) {
        JsonNode type = user.get("type");
        if (type == null) return base;
        if (base != null && base.isObject() && type.equals(base.get("type"))) return base;
        JsonNode d = defaults.get(type.asText());
        return d == null ? base : d;
    }

    private static String prefix(JsonMappingException e) {
        String p = path(e);
        return p.isEmpty() ? "" : p + ".";
    }

    private static String path(JsonMappingException e) {
        List<String> parts = new ArrayList<>();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) parts.add((parts.isEmpty() ? "" : ".") + r.getFieldName());
            else if (r.getIndex() >= 0) parts.add("[" + r.getIndex() + "]");
        }
        return String.join("", parts);
    }

    private static JsonNode tree(Object value) {
        return JSON.valueToTree(value);
    }

    private static JsonNode object(Map<String, Object> fields) {
        return JSON.valueToTree(fields);
    }
}
