package org.ddrl.kernels.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * A kernel module as shipped in the jar: {@code cuda/<name>.cu} (the source, always present, for NVRTC and
 * for reading) and {@code cuda/<name>.ptx} (present when nvcc was available at build time). The emulator
 * finds its host build of the same name.
 */
public record ModuleSource(String name) {
    /** The PTX built by nvcc, or null when the build had no nvcc. */
    public String ptx() {
        return resource("cuda/" + name + ".ptx");
    }

    /** The CUDA C++ source. */
    public String source() {
        String s = resource("cuda/" + name + ".cu");
        if (s == null) throw new IllegalStateException("kernel module '" + name + "': cuda/" + name + ".cu is not on the class path");
        return s;
    }

    private static String resource(String path) {
        try (InputStream in = ModuleSource.class.getClassLoader().getResourceAsStream(path)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("kernel module resource " + path + " could not be read", e);
        }
    }
}
