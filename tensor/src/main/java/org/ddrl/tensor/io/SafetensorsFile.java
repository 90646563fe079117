package org.ddrl.tensor.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.ddrl.tensor.DType;
import org.ddrl.tensor.Tensor;

/**
 * A safetensors file opened for reading. The file is memory-mapped and its header parsed and validated on
 * {@link #open}; tensor data is only touched by {@link #get}, which copies that one tensor's bytes into a new CPU
 * tensor. Opening a file of any size therefore costs only its header, and loading a few tensors of a large
 * checkpoint reads only those.
 *
 * <p>Close it to unmap the file; tensors already returned by {@code get} stay valid, as they are copies. The file
 * must not be truncated by someone else while it is open (the operating system then faults the mapped pages).
 * {@code get} may be called from several threads at once. Close the file after every {@code get} has returned: the
 * memory API guarantees that a race between the two throws IllegalStateException rather than reading unmapped memory.
 */
public final class SafetensorsFile implements AutoCloseable {
    private static final ValueLayout.OfLong U64_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final Arena arena;
    private final MemorySegment map;
    private final long dataStart;
    private final SafetensorsHeader header;
    private volatile boolean closed;

    private SafetensorsFile(Path path, Arena arena, MemorySegment map, long dataStart, SafetensorsHeader header) {
        this.path = path;
        this.arena = arena;
        this.map = map;
        this.dataStart = dataStart;
        this.header = header;
    }

    /**
     * Maps and validates the file. Throws {@link TensorFileException} when it is not a well-formed safetensors file:
     * too short, a header length beyond the file or above {@value SafetensorsHeader#MAX_BYTES} bytes, a header
     * that is not a UTF-8 JSON object of well-typed entries, an unknown dtype, a duplicate name, byte ranges that do
     * not match the shapes, or tensors that do not tile the data area exactly. As in the reference implementation,
     * the tensors' byte ranges must cover everything after the header, in any order, with no overlap, no gap and no
     * bytes left over: data no tensor accounts for would go unchecked.
     */
    public static SafetensorsFile open(Path path) throws IOException {
        String where = "safetensors file " + path;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new TensorFileException(where + ": the file is " + size + " bytes, shorter than the 8-byte header length field");
            }
            Arena arena = Arena.ofShared();
            try {
                MemorySegment map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
                long n = map.get(U64_LE, 0);
                // Checked before anything of that size is allocated; negative means a u64 beyond 2^63.
                if (n < 0 || n > size - 8) {
                    throw new TensorFileException(where + ": the header length field says " + Long.toUnsignedString(n)
                            + " bytes, but only " + (size - 8) + " bytes follow it (truncated, or not a safetensors file)");
                }
                if (n > SafetensorsHeader.MAX_BYTES) {
                    throw new TensorFileException(where + ": the header length " + n + " exceeds the limit of "
                            + SafetensorsHeader.MAX_BYTES + " bytes");
                }
                byte[] bytes = map.asSlice(8, n).toArray(ValueLayout.JAVA_BYTE);
                SafetensorsHeader header = SafetensorsHeader.parse(path.toString(), bytes, size - 8 - n);
                return new SafetensorsFile(path, arena, map, 8 + n, header);
            } catch (Throwable e) {
                arena.close();
                throw e;
            }
        }
    }

    public Path path() {
        return path;
    }

    /** Tensor names in header order. */
    public List<String> names() {
        return List.copyOf(header.tensors.keySet());
    }

    /** The string metadata of the {@code __metadata__} entry; empty when the file has none. */
    public Map<String, String> metadata() {
        return header.metadata;
    }

    /** The header entry of a tensor, also for tensors whose dtype cannot be loaded. */
    public TensorInfo info(String name) {
        TensorInfo info = header.tensors.get(name);
        if (info == null) {
            List<String> names = new ArrayList<>(header.tensors.keySet());
            String listed = names.size() <= 20 ? names.toString() : names.subList(0, 20) + " and " + (names.size() - 20) + " more";
            throw new IllegalArgumentException("safetensors file " + path + " has no tensor '" + name + "'; it holds " + listed);
        }
        return info;
    }

    /**
     * Reads one tensor into a new dense CPU tensor (a copy: it does not keep the file mapped). Throws
     * UnsupportedOperationException for a dtype with no {@link DType} (U8, F8_E4M3, ...) or a dim over
     * Integer.MAX_VALUE, and IllegalStateException after {@link #close}.
     */
    public Tensor get(String name) {
        TensorInfo info = info(name);
        DType dtype = info.dtype().dtype();
        if (dtype == null) {
            throw new UnsupportedOperationException("safetensors file " + path + ": tensor '" + name + "' has dtype " + info.dtype()
                    + ", which cannot be loaded (loadable: F32, F64, BF16, F16, I32, I64, BOOL)");
        }
        long[] dims = info.shape();
        int[] shape = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] > Integer.MAX_VALUE) {
                throw new UnsupportedOperationException("safetensors file " + path + ": tensor '" + name + "' has shape "
                        + Arrays.toString(dims) + ", whose dim " + i + " exceeds the largest tensor dim " + Integer.MAX_VALUE);
            }
            shape[i] = (int) dims[i];
        }
        if (closed) throw new IllegalStateException("safetensors file " + path + " was closed; cannot read tensor '" + name + "'");
        return TensorBytes.read(map, dataStart + info.begin(), ByteOrder.LITTLE_ENDIAN, dtype, shape);
    }

    /** Unmaps the file. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        arena.close();
    }
}
