package org.ddrl.tensor.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ddrl.tensor.Tensor;

/** Saving tensors to, and loading them from, safetensors files. See {@link SafetensorsFile} for lazy reading. */
public final class Safetensors {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Safetensors() {}

    /** All tensors of the file as new CPU tensors, in header order. */
    public static Map<String, Tensor> load(Path path) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(path)) {
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (String name : f.names()) out.put(name, f.get(name));
            return out;
        }
    }

    public static void save(Path path, Map<String, Tensor> tensors) throws IOException {
        save(path, tensors, null);
    }

    /**
     * Writes the tensors (any device, any view) and the metadata (may be null) to {@code path}, replacing it
     * atomically. The data is laid out by element size, largest first, then by name, so that every tensor starts at
     * a multiple of its element size (the header is padded with spaces to a multiple of 8); the header lists the
     * tensors in that order, after {@code __metadata__}. Each tensor is copied to the host as it is written.
     */
    public static void save(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        List<Map.Entry<String, Tensor>> order = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = e.getKey();
            if (name == null) throw new IllegalArgumentException("Safetensors.save " + path + ": a tensor name is null");
            if (name.equals(SafetensorsHeader.METADATA_KEY)) {
                throw new IllegalArgumentException("Safetensors.save " + path + ": '" + name + "' is reserved for the metadata entry");
            }
            if (e.getValue() == null) throw new IllegalArgumentException("Safetensors.save " + path + ": tensor '" + name + "' is null");
            e.getValue().storage().checkLive("Safetensors.save " + path + ", tensor '" + name + "'");
            order.add(e);
        }
        order.sort(Comparator.<Map.Entry<String, Tensor>>comparingInt(e -> -e.getValue().dtype().byteSize())
                .thenComparing(Map.Entry::getKey));
        byte[] header = header(path, order, metadata);
        AtomicFiles.write(path, ch -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
            TensorBytes.writeFully(ch, len);
            TensorBytes.writeFully(ch, ByteBuffer.wrap(header));
            long largest = 0;
            for (Map.Entry<String, Tensor> e : order) largest = Math.max(largest, e.getValue().numel() * e.getValue().dtype().byteSize());
            ByteBuffer staging = TensorBytes.stagingBuffer(largest);
            for (Map.Entry<String, Tensor> e : order) {
                Tensor dense = TensorBytes.hostDense(e.getValue(), "Safetensors.save " + path + ", tensor '" + e.getKey() + "'");
                TensorBytes.writeLittleEndian(ch, dense, staging);
            }
        });
    }

    /** The JSON header, padded with spaces to a multiple of 8 bytes. */
    private static byte[] header(Path path, List<Map.Entry<String, Tensor>> order, Map<String, String> metadata) throws IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        if (metadata != null && !metadata.isEmpty()) {
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                if (e.getKey() == null || e.getValue() == null) {
                    throw new IllegalArgumentException("Safetensors.save " + path + ": metadata holds a null key or value (key "
                            + e.getKey() + ")");
                }
            }
            json.put(SafetensorsHeader.METADATA_KEY, metadata);
        }
        long at = 0;
        for (Map.Entry<String, Tensor> e : order) {
            Tensor t = e.getValue();
            long bytes = t.numel() * t.dtype().byteSize();
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", SafetensorsDType.of(t.dtype()).name());
            entry.put("shape", t.shape());
            entry.put("data_offsets", new long[] {at, at + bytes});
            json.put(e.getKey(), entry);
            at += bytes;
        }
        byte[] text;
        try {
            text = JSON.writeValueAsBytes(json);
        } catch (JsonProcessingException e) {
            throw new IOException("Safetensors.save " + path + ": cannot encode the header: " + e.getOriginalMessage(), e);
        }
        int padded = (text.length + 7) & ~7;
        if (padded > SafetensorsHeader.MAX_BYTES) {
            throw new IllegalArgumentException("Safetensors.save " + path + ": the header would be " + padded
                    + " bytes, over the " + SafetensorsHeader.MAX_BYTES + "-byte limit readers enforce (" + order.size()
                    + " tensors, " + (metadata == null ? 0 : metadata.size()) + " metadata entries)");
        }
        byte[] out = Arrays.copyOf(text, padded);
        Arrays.fill(out, text.length, padded, (byte) ' ');
        return out;
    }
}
