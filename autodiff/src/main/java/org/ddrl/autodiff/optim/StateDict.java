package org.ddrl.autodiff.optim;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ddrl.tensor.Tensor;
import org.ddrl.tensor.io.Safetensors;
import org.ddrl.tensor.io.SafetensorsFile;

/**
 * The state of an optimizer or an EMA: tensors (moments, averaged weights) and scalars (step counts,
 * hyper-parameters) as strings, exactly what a safetensors file holds in its data and its
 * {@code __metadata__}. Numbers are written with {@link Double#toString}/{@link Long#toString}, which read
 * back exactly.
 */
public record StateDict(Map<String, Tensor> tensors, Map<String, String> metadata) {
    public StateDict {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** Writes the state to a safetensors file (replacing it atomically). */
    public void save(Path path) throws IOException {
        Safetensors.save(path, tensors, metadata);
    }

    /** Reads a state written by {@link #save}; the tensors are new CPU tensors in the caller's scope. */
    public static StateDict load(Path path) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(path)) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (String name : f.names()) tensors.put(name, f.get(name));
            return new StateDict(tensors, f.metadata());
        }
    }

    /** The scalar under {@code key}; an error naming the key when it is missing. */
    String require(String key, String what) {
        String v = metadata.get(key);
        if (v == null) throw new IllegalArgumentException(what + ": the state has no '" + key + "' entry; it holds " + metadata.keySet());
        return v;
    }

    long requireLong(String key, String what) {
        String v = require(key, what);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + ": '" + key + "' should be an integer, got '" + v + "'");
        }
    }
}
