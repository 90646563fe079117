package org.ddrl.tensor.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.ddrl.tensor.Tensor;
import org.junit.jupiter.api.function.Executable;

/** Checks shared by the file IO tests. */
final class IoAssertions {
    private IoAssertions() {}

    /** Same dtype, shape and exactly the same values. */
    static void assertSameTensor(Tensor expected, Tensor actual) {
        assertEquals(expected.dtype(), actual.dtype(), "dtype");
        assertArrayEquals(expected.shape(), actual.shape(), "shape");
        if (expected.dtype().isFloatingPoint()) {
            assertArrayEquals(expected.toDoubleArray(), actual.toDoubleArray(), 0.0, "values");
        } else {
            assertArrayEquals(expected.toLongArray(), actual.toLongArray(), "values");
        }
    }

    /** Asserts that {@code run} throws {@code type} with a message containing every one of {@code parts}. */
    static <T extends Throwable> T assertFails(Class<T> type, Executable run, String... parts) {
        T e = assertThrows(type, run);
        String m = e.getMessage();
        for (String p : parts) assertTrue(m != null && m.contains(p), "message lacks '" + p + "': " + m);
        return e;
    }

    /** A safetensors file: the length field, the header text as given, then the data. */
    static byte[] safetensorsBytes(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(h.length).put(h).put(data).array();
    }

    static Path write(Path file, byte[] bytes) {
        try {
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The names in a folder, to check that no temporary file was left behind. */
    static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
