package org.ddrl.tensor.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed and validated JSON header of a safetensors file. Validation follows the reference implementation:
 * the tensors must tile the data area exactly, in some order, with no gaps, no overlaps and no bytes left over, so
 * every byte of the file belongs to exactly one tensor (a gap would hide data no reader checks). Fields other than
 * dtype, shape and data_offsets in a tensor entry are ignored, as the reference does.
 */
final class SafetensorsHeader {
    /** The largest header accepted, as in the reference implementation: anything bigger is damage or an attack. */
    static final long MAX_BYTES = 100_000_000;
    static final String METADATA_KEY = "__metadata__";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    final Map<String, String> metadata;
    /** In header order. */
    final Map<String, TensorInfo> tensors;

    private SafetensorsHeader(Map<String, String> metadata, Map<String, TensorInfo> tensors) {
        this.metadata = Collections.unmodifiableMap(metadata);
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    /**
     * Parses {@code header} (the bytes after the length field) of a file whose data area holds {@code dataSize}
     * bytes; {@code file} names the file in messages.
     */
    static SafetensorsHeader parse(String file, byte[] header, long dataSize) throws TensorFileException {
        String where = "safetensors file " + file;
        String text = decodeUtf8(where, header);
        if (text.isEmpty() || text.charAt(0) != '{') {
            throw new TensorFileException(where + ": the header must be a JSON object starting with '{', but it starts with "
                    + (text.isEmpty() ? "nothing" : "'" + abbreviate(text, 20) + "'"));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        boolean sawMetadata = false;
        try (JsonParser p = JSON.createParser(text)) {
            p.nextToken();
            for (JsonToken tok = p.nextToken(); tok != JsonToken.END_OBJECT; tok = p.nextToken()) {
                String name = p.currentName();
                p.nextToken();
                JsonNode value;
                try {
                    value = p.readValueAsTree();
                } catch (JacksonException e) {
                    throw new TensorFileException(where + ": the header entry '" + name + "' is not valid JSON: "
                            + e.getOriginalMessage() + location(e), e);
                }
                if (name.equals(METADATA_KEY)) {
                    if (sawMetadata) throw new TensorFileException(where + ": the header has two \"" + METADATA_KEY + "\" entries");
                    sawMetadata = true;
                    readMetadata(where, value, metadata);
                } else {
                    if (tensors.containsKey(name)) throw new TensorFileException(where + ": tensor '" + name + "' appears twice in the header");
                    tensors.put(name, readTensor(where, name, value));
                }
            }
            JsonToken after = p.nextToken();
            if (after != null) {
                throw new TensorFileException(where + ": unexpected " + after + " after the header object, at "
                        + p.currentTokenLocation().offsetDescription());
            }
        } catch (JacksonException e) {
            throw new TensorFileException(where + ": the header is not valid JSON: " + e.getOriginalMessage() + location(e), e);
        } catch (TensorFileException e) {
            throw e;
        } catch (java.io.IOException e) {
            // Parsing a String never does IO; Jackson declares it for streams.
            throw new TensorFileException(where + ": cannot parse the header: " + e.getMessage(), e);
        }
        checkLayout(where, tensors.values(), dataSize);
        return new SafetensorsHeader(metadata, tensors);
    }

    private static String location(JacksonException e) {
        return e.getLocation() == null ? "" : " (at " + e.getLocation().offsetDescription() + ")";
    }

    private static String decodeUtf8(String where, byte[] bytes) throws TensorFileException {
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = dec.decode(in, out, true);
        if (r.isError()) {
            throw new TensorFileException(where + ": the header is not valid UTF-8 (bad byte 0x"
                    + String.format("%02x", bytes[in.position()] & 0xff) + " at header byte " + in.position() + ")");
        }
        dec.flush(out);
        return out.flip().toString();
    }

    private static void readMetadata(String where, JsonNode value, Map<String, String> out) throws TensorFileException {
        if (!value.isObject()) {
            throw new TensorFileException(where + ": \"" + METADATA_KEY + "\" must be an object of strings, got " + kind(value));
        }
        for (Map.Entry<String, JsonNode> e : value.properties()) {
            if (!e.getValue().isTextual()) {
                throw new TensorFileException(where + ": metadata value of '" + e.getKey() + "' must be a string, got " + kind(e.getValue()));
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
    }

    private static TensorInfo readTensor(String where, String name, JsonNode v) throws TensorFileException {
        String at = where + ": tensor '" + name + "'";
        if (!v.isObject()) throw new TensorFileException(at + " must be an object with dtype, shape and data_offsets, got " + kind(v));
        JsonNode dt = v.get("dtype"), sh = v.get("shape"), off = v.get("data_offsets");
        if (dt == null || sh == null || off == null) {
            throw new TensorFileException(at + " lacks " + (dt == null ? "\"dtype\"" : sh == null ? "\"shape\"" : "\"data_offsets\"")
                    + " (it has " + fieldNames(v) + ")");
        }
        if (!dt.isTextual()) throw new TensorFileException(at + ": dtype must be a string, got " + kind(dt));
        SafetensorsDType dtype = SafetensorsDType.byName(dt.textValue());
        if (dtype == null) {
            throw new TensorFileException(at + " has unknown dtype '" + dt.textValue() + "' (known: "
                    + Arrays.toString(SafetensorsDType.values()) + ")");
        }
        long[] shape = naturals(at, "shape", sh);
        long[] offsets = naturals(at, "data_offsets", off);
        if (offsets.length != 2) {
            throw new TensorFileException(at + ": data_offsets must be [begin, end], got " + offsets.length + (offsets.length == 1 ? " number" : " numbers"));
        }
        long begin = offsets[0], end = offsets[1];
        if (begin > end) throw new TensorFileException(at + ": data_offsets [" + begin + ", " + end + "] has begin after end");
        long bytes = byteSize(at, dtype, shape);
        if (end - begin != bytes) {
            throw new TensorFileException(at + ": data_offsets [" + begin + ", " + end + "] span " + (end - begin) + " bytes, but "
                    + dtype + Arrays.toString(shape) + " needs " + bytes + " bytes");
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    /** An array of non-negative integers that fit a long. */
    private static long[] naturals(String at, String field, JsonNode n) throws TensorFileException {
        if (!n.isArray()) throw new TensorFileException(at + ": " + field + " must be an array of integers, got " + kind(n));
        long[] out = new long[n.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode e = n.get(i);
            if (!e.isIntegralNumber() || !e.canConvertToLong() || e.longValue() < 0) {
                throw new TensorFileException(at + ": " + field + " must hold non-negative 64-bit integers, but element " + i
                        + " is " + abbreviate(e.toString(), 40));
            }
            out[i] = e.longValue();
        }
        return out;
    }

    private static long byteSize(String at, SafetensorsDType dtype, long[] shape) throws TensorFileException {
        try {
            long n = 1;
            for (long d : shape) n = Math.multiplyExact(n, d);
            long bits = Math.multiplyExact(n, (long) dtype.bits());
            if (bits % 8 != 0) {
                throw new TensorFileException(at + ": " + n + " elements of " + dtype + " (" + dtype.bits()
                        + " bits each) do not fill a whole number of bytes");
            }
            return bits / 8;
        } catch (ArithmeticException e) {
            throw new TensorFileException(at + ": shape " + Arrays.toString(shape) + " of " + dtype + " has more bytes than a 64-bit count holds");
        }
    }

    /** Checks that the tensors tile [0, dataSize) exactly. */
    private static void checkLayout(String where, Iterable<TensorInfo> infos, long dataSize) throws TensorFileException {
        List<TensorInfo> sorted = new ArrayList<>();
        for (TensorInfo t : infos) {
            if (t.end() > dataSize) {
                throw new TensorFileException(where + ": tensor '" + t.name() + "' has data_offsets [" + t.begin() + ", " + t.end()
                        + "] but the data area after the header holds only " + dataSize + " bytes (truncated file?)");
            }
            sorted.add(t);
        }
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long covered = 0;
        TensorInfo prev = null;
        for (TensorInfo t : sorted) {
            if (t.begin() < covered) {
                throw new TensorFileException(where + ": tensors '" + prev.name() + "' [" + prev.begin() + ", " + prev.end() + ") and '"
                        + t.name() + "' [" + t.begin() + ", " + t.end() + ") overlap");
            }
            if (t.begin() > covered) {
                throw new TensorFileException(where + ": data bytes [" + covered + ", " + t.begin() + ") before tensor '" + t.name()
                        + "' belong to no tensor (the tensors must cover the data area without gaps)");
            }
            covered = t.end();
            prev = t;
        }
        if (covered != dataSize) {
            throw new TensorFileException(where + ": the tensors cover " + covered + " bytes, but the data area holds " + dataSize
                    + " bytes (" + (dataSize - covered) + " bytes after the last tensor belong to no tensor)");
        }
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String kind(JsonNode n) {
        return n.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " " + abbreviate(n.toString(), 40);
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "...";
    }
}
