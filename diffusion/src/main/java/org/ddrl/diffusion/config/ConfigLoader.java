package org.ddrl.diffusion.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads configs with Jackson: the file's tree is merged over the default config's tree, command-line overrides are
 * set on the result, every field is checked to be there, and only then is the tree bound to the records, with
 * unknown fields and wrong types reported under the field's path.
 */
final class ConfigLoader {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES,
                    DeserializationFeature.FAIL_ON_TRAILING_TOKENS, DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();
    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private ConfigLoader() {}

    static PretrainConfig load(Path file, Map<String, String> overrides) {
        String source = file == null ? "(the defaults)" : file.toString();
        ObjectNode tree = defaultTree();
        if (file != null) merge(tree, readFile(file));
        for (Map.Entry<String, String> o : overrides.entrySet()) set(tree, o.getKey(), o.getValue(), source);
        return bind(tree, source).validate(source);
    }

    static PretrainConfig readComplete(String json, String source) {
        JsonNode tree;
        try {
            tree = JSON.readTree(json);
        } catch (JsonProcessingException x) {
            throw new ConfigException(source, "not valid JSON: " + x.getOriginalMessage() + location(x), x);
        }
        if (tree == null || !tree.isObject()) throw new ConfigException(source, List.of("(root): must be an object of sections"));
        // Configs written before model.dit.pooled_text existed describe DiTs without it: null keeps the presets' false.
        if (tree.path("model").path("dit") instanceof ObjectNode dit && !dit.has("pooled_text")) dit.putNull("pooled_text");
        return bind(tree, source).validate(source);
    }

    static String toJson(PretrainConfig config) {
        try {
            return JSON.writeValueAsString(config);
        } catch (JsonProcessingException x) {
            throw new IllegalStateException("PretrainConfig.toJson: " + x.getOriginalMessage(), x);
        }
    }

    static List<String> differences(PretrainConfig before, PretrainConfig now, Set<String> ignored) {
        Map<String, JsonNode> a = new LinkedHashMap<>(), b = new LinkedHashMap<>();
        flatten("", JSON.valueToTree(before), a);
        flatten("", JSON.valueToTree(now), b);
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : a.entrySet()) {
            String path = e.getKey();
            if (isIgnored(path, ignored)) continue;
            JsonNode other = b.get(path);
            if (!e.getValue().equals(other)) {
                out.add(path + ": " + e.getValue() + " in the checkpoint, " + (other == null ? "absent" : other.toString()) + " now");
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ trees

    private static ObjectNode defaultTree() {
        try (InputStream in = PretrainConfig.class.getResourceAsStream(PretrainConfig.DEFAULT_RESOURCE)) {
            if (in == null) throw new IllegalStateException("the default config resource " + PretrainConfig.DEFAULT_RESOURCE + " is missing");
            return (ObjectNode) YAML.readTree(in);
        } catch (IOException x) {
            throw new UncheckedIOException("reading the default config " + PretrainConfig.DEFAULT_RESOURCE, x);
        }
    }

    /** YAML, or JSON for a .json file (YAML would accept most JSON too, but JSON's own errors are clearer). */
    private static JsonNode readFile(Path file) {
        String source = file.toString();
        boolean json = source.toLowerCase(Locale.ROOT).endsWith(".json");
        JsonNode tree;
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            tree = (json ? JSON : YAML).readTree(text);
        } catch (JsonProcessingException x) {
            throw new ConfigException(source, "not valid " + (json ? "JSON" : "YAML") + ": " + x.getOriginalMessage() + location(x), x);
        } catch (IOException x) {
            throw new UncheckedIOException("reading the config " + source + ": " + x.getMessage(), x);
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) return JSON.createObjectNode();
        if (!tree.isObject()) {
            throw new ConfigException(source, List.of("(root): must be a mapping of the sections model, data, train and sample, got "
                    + describe(tree)));
        }
        return tree;
    }

    private static String location(JsonProcessingException x) {
        var loc = x.getLocation();
        return loc == null ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
    }

    /** Objects merge field by field; anything else in {@code update} replaces what {@code base} had. */
    private static void merge(ObjectNode base, JsonNode update) {
        for (Iterator<Map.Entry<String, JsonNode>> it = update.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            JsonNode old = base.get(f.getKey());
            if (old instanceof ObjectNode o && f.getValue().isObject()) merge(o, f.getValue());
            else base.set(f.getKey(), f.getValue());
        }
    }

    private static void set(ObjectNode tree, String path, String yamlValue, String source) {
        JsonNode value;
        try {
            value = YAML.readTree(yamlValue);
        } catch (JsonProcessingException x) {
            throw new ConfigException(source, path + ": the value '" + yamlValue + "' is not valid YAML: " + x.getOriginalMessage(), x);
        }
        if (value == null || value.isMissingNode()) value = JSON.nullNode();
        String[] parts = path.split("\\.", -1);
        ObjectNode node = tree;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode next = node.get(parts[i]);
            if (!(next instanceof ObjectNode o)) {
                throw new ConfigException(source, List.of(String.join(".", Arrays.copyOf(parts, i + 1)) + ": no such section"));
            }
            node = o;
        }
        node.set(parts[parts.length - 1], value);
    }

    private static void flatten(String prefix, JsonNode node, Map<String, JsonNode> out) {
        if (node.isObject()) {
            node.fields().forEachRemaining(f -> flatten(prefix.isEmpty() ? f.getKey() : prefix + "." + f.getKey(), f.getValue(), out));
        } else {
            out.put(prefix, node);
        }
    }

    private static boolean isIgnored(String path, Set<String> ignored) {
        for (String i : ignored) if (path.equals(i) || path.startsWith(i + ".")) return true;
        return false;
    }

    // ------------------------------------------------------------------ binding

    private static PretrainConfig bind(JsonNode tree, String source) {
        ConfigErrors e = new ConfigErrors();
        requireFields(tree, PretrainConfig.class, "", e);
        e.throwIfAny(source);
        try {
            return JSON.treeToValue(tree, PretrainConfig.class);
        } catch (UnrecognizedPropertyException x) {
            List<String> known = new ArrayList<>();
            for (Object k : x.getKnownPropertyIds()) known.add(String.valueOf(k));
            known.sort(null);
            throw new ConfigException(source, path(x) + ": unknown field; the fields here are " + known, x);
        } catch (MismatchedInputException x) {
            String path = path(x);
            throw new ConfigException(source, path + ": expected " + typeWord(x.getTargetType()) + ", got " + describe(at(tree, x)), x);
        } catch (JsonProcessingException x) {
            throw new ConfigException(source, pathOrRoot(x) + ": " + x.getOriginalMessage(), x);
        }
    }

    /** Every record component must have a field in the tree (null is allowed here; the records' checks judge it). */
    private static void requireFields(JsonNode node, Class<?> type, String path, ConfigErrors e) {
        if (!type.isRecord() || node == null || !node.isObject()) return;
        for (RecordComponent c : type.getRecordComponents()) {
            String name = snake(c.getName());
            String at = path.isEmpty() ? name : path + "." + name;
            JsonNode child = node.get(name);
            if (child == null) e.add(at, "missing");
            else requireFields(child, c.getType(), at, e);
        }
    }

    private static String snake(String camel) {
        return PropertyNamingStrategies.SnakeCaseStrategy.INSTANCE.translate(camel);
    }

    private static String path(JsonMappingException x) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : x.getPath()) {
            if (r.getFieldName() != null) sb.append(sb.isEmpty() ? "" : ".").append(r.getFieldName());
            else if (r.getIndex() >= 0) sb.append('[').append(r.getIndex()).append(']');
        }
        return sb.toString();
    }

    private static String pathOrRoot(JsonProcessingException x) {
        return x instanceof JsonMappingException m && !m.getPath().isEmpty() ? path(m) : "(root)";
    }

    /** The node a binding error points at. */
    private static JsonNode at(JsonNode tree, JsonMappingException x) {
        JsonNode n = tree;
        for (JsonMappingException.Reference r : x.getPath()) {
            if (n == null) return null;
            n = r.getFieldName() != null ? n.get(r.getFieldName()) : n.get(r.getIndex());
        }
        return n;
    }

    private static String typeWord(Class<?> t) {
        if (t == null) return "another kind of value";
        if (t == int.class || t == Integer.class || t == long.class || t == Long.class) return "a whole number";
        if (t == double.class || t == Double.class) return "a number";
        if (t == boolean.class || t == Boolean.class) return "true or false";
        if (t == String.class) return "a string";
        if (List.class.isAssignableFrom(t)) return "a list";
        if (t.isRecord()) return "a mapping of fields";
        return t.getSimpleName();
    }

    private static String describe(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) return "null";
        if (n.isObject()) return "a mapping";
        if (n.isArray()) return "a list";
        if (n.isTextual()) return "the text \"" + n.textValue() + "\"";
        return n.toString();
    }
}
