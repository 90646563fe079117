package org.ddrl.tensor.io;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.ddrl.tensor.Device;
import org.ddrl.tensor.Tensor;

/**
 * NumPy {@code .npy} files: one array, as {@code numpy.save} writes and {@code numpy.load} reads them.
 *
 * <p>Reading accepts format versions 1.0, 2.0 and 3.0, either byte order, Fortran (column-major) order, 0-d and
 * empty arrays, and any header alignment. Element types f2, f4, f8, i4, i8 and b1 load as F16, F32, F64, I32, I64
 * and BOOL; i1, u1, i2 and u2 widen exactly to I32 and u4 to I64, as tensors have no narrower integers; u8 (whose
 * values may not fit I64), complex, string and structured types are refused. Writing produces the bytes
 * numpy itself would: version 1.0 (2.0 when the header outgrows 64 KiB), a header padded so the data starts at a
 * multiple of 64 bytes, little-endian C-order data.
 */
public final class Npy {
    /**
     * The largest header read. numpy's own reader stops at 10000 characters by default; this is looser so that
     * arrays of very high rank, which need a long shape, can be read back.
     */
    static final int MAX_HEADER_BYTES = 1 << 20;
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int ALIGN = 64;

    private Npy() {}

    /** Reads the array into a new dense CPU tensor. */
    public static Tensor read(Path path) throws IOException {
        String where = ".npy file " + path;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer pre = readAt(ch, 0, (int) Math.min(size, 12)).order(ByteOrder.LITTLE_ENDIAN);
            if (size < MAGIC.length || !Arrays.equals(Arrays.copyOf(pre.array(), MAGIC.length), MAGIC)) {
                throw new TensorFileException(where + ": not a .npy file: it starts with " + hex(pre.array(), MAGIC.length)
                        + " instead of the magic 93 4e 55 4d 50 59 (\\x93NUMPY)");
            }
            if (size < 10) throw new TensorFileException(where + ": the file is " + size + " bytes, too short for a .npy preamble");
            int major = pre.get(6) & 0xff, minor = pre.get(7) & 0xff;
            if (major < 1 || major > 3 || minor != 0) {
                throw new TensorFileException(where + ": unsupported .npy format version " + major + "." + minor + " (known: 1.0, 2.0, 3.0)");
            }
            int prefix = major == 1 ? 10 : 12;
            if (size < prefix) throw new TensorFileException(where + ": the file is " + size + " bytes, too short for a version " + major + " preamble");
            long headerLen = major == 1 ? pre.getShort(8) & 0xffffL : pre.getInt(8) & 0xffffffffL;
            if (prefix + headerLen > size) {
                throw new TensorFileException(where + ": the header length field says " + headerLen + " bytes, but only "
                        + (size - prefix) + " bytes follow it (truncated file?)");
            }
            if (headerLen > MAX_HEADER_BYTES) {
                throw new TensorFileException(where + ": the header length " + headerLen + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
            }
            String text = decode(where, readAt(ch, prefix, (int) headerLen), major);
            NpyHeader header = NpyHeader.parse(where, text);
            NpyDType type = NpyDType.parse(where, header.descr());
            int[] shape = tensorShape(where, header.shape(), header.descr());
            long bytes = dataBytes(where, header.shape(), type);
            long dataStart = prefix + headerLen;
            if (size - dataStart != bytes) {
                throw new TensorFileException(where + ": shape " + Arrays.toString(header.shape()) + " of '" + header.descr() + "' needs "
                        + bytes + " data bytes, but the file holds " + (size - dataStart) + " after the header"
                        + (size - dataStart < bytes ? " (truncated file?)" : ""));
            }
            int r = shape.length;
            if (!header.fortranOrder() || r < 2) return readData(ch, dataStart, bytes, type, shape);
            // Column-major data is the row-major layout of the reversed shape; transposing it back gives the array.
            int[] reversed = new int[r], dims = new int[r];
            for (int i = 0; i < r; i++) {
                reversed[i] = shape[r - 1 - i];
                dims[i] = r - 1 - i;
            }
            Tensor columnMajor = readData(ch, dataStart, bytes, type, reversed);
            Tensor out = columnMajor.permute(dims).contiguous();
            // The column-major copy is garbage now, unless all but one dim are 1 and the permuted view is already dense.
            if (out.storage() != columnMajor.storage()) columnMajor.storage().release();
            return out;
        }
    }

    /**
     * Writes the tensor (any device, any view) to {@code path}, replacing it atomically. BF16 is refused: NumPy has
     * no such type, and silently widening would change the dtype on the way back; convert first with {@code to}.
     */
    public static void write(Path path, Tensor t) throws IOException {
        String descr = NpyDType.descrOf(t.dtype());
        if (descr == null) {
            throw new IllegalArgumentException("Npy.write " + path + ": " + t.dtype() + " has no NumPy dtype; convert first, "
                    + "e.g. t.to(DType.F32), or save it with Safetensors, which keeps BF16");
        }
        t.storage().checkLive("Npy.write " + path);
        byte[] header = preamble(NpyHeader.format(descr, t.shape()));
        AtomicFiles.write(path, ch -> {
            TensorBytes.writeFully(ch, ByteBuffer.wrap(header));
            Tensor dense = TensorBytes.hostDense(t, "Npy.write " + path);
            TensorBytes.writeLittleEndian(ch, dense, TensorBytes.stagingBuffer(dense.numel() * dense.dtype().byteSize()));
        });
    }

    /**
     * The bytes {@link #write} would put in a file, in memory: for sending an array over a network (for example as
     * base64 in JSON) rather than through a file. Refused for BF16 and for arrays of 2 GiB or more.
     */
    public static byte[] toBytes(Tensor t) {
        String descr = NpyDType.descrOf(t.dtype());
        if (descr == null) {
            throw new IllegalArgumentException("Npy.toBytes: " + t.dtype() + " has no NumPy dtype; convert first, e.g. t.to(DType.F32)");
        }
        t.storage().checkLive("Npy.toBytes");
        byte[] header = preamble(NpyHeader.format(descr, t.shape()));
        long total = header.length + t.numel() * t.dtype().byteSize();
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("Npy.toBytes: the array needs " + total + " bytes, more than a byte[] holds; write it to a file");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) total);
        try {
            WritableByteChannel ch = Channels.newChannel(out);
            TensorBytes.writeFully(ch, ByteBuffer.wrap(header));
            Tensor dense = TensorBytes.hostDense(t, "Npy.toBytes");
            TensorBytes.writeLittleEndian(ch, dense, TensorBytes.stagingBuffer(dense.numel() * dense.dtype().byteSize()));
        } catch (IOException e) {
            throw new UncheckedIOException("Npy.toBytes: writing to memory failed", e); // a ByteArrayOutputStream does not fail
        }
        return out.toByteArray();
    }

    /** Magic, version, length and the dict padded with spaces and a newline to a multiple of 64 bytes, as numpy does. */
    static byte[] preamble(String dict) {
        byte[] text = dict.getBytes(StandardCharsets.US_ASCII);
        int major = 1, lenSize = 2;
        int hlen = text.length + 1;
        // numpy adds 1 to 64 spaces: it never leaves the padding empty.
        int pad = ALIGN - (MAGIC.length + 2 + lenSize + hlen) % ALIGN;
        if (hlen + pad > 0xffff) {
            major = 2;
            lenSize = 4;
            pad = ALIGN - (MAGIC.length + 2 + lenSize + hlen) % ALIGN;
        }
        int prefix = MAGIC.length + 2 + lenSize;
        ByteBuffer b = ByteBuffer.allocate(prefix + hlen + pad).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) major).put((byte) 0);
        if (major == 1) b.putShort((short) (hlen + pad));
        else b.putInt(hlen + pad);
        b.put(text);
        for (int i = 0; i < pad; i++) b.put((byte) ' ');
        b.put((byte) '\n');
        return b.array();
    }

    private static String decode(String where, ByteBuffer bytes, int major) throws TensorFileException {
        if (major < 3) return StandardCharsets.ISO_8859_1.decode(bytes).toString(); // as numpy reads versions 1 and 2
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw new TensorFileException(where + ": the version 3 header is not valid UTF-8", e);
        }
    }

    private static int[] tensorShape(String where, long[] dims, String descr) throws TensorFileException {
        int[] shape = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] > Integer.MAX_VALUE) {
                throw new TensorFileException(where + ": shape " + Arrays.toString(dims) + " of '" + descr + "' has dim " + i
                        + " above the largest tensor dim " + Integer.MAX_VALUE);
            }
            shape[i] = (int) dims[i];
        }
        return shape;
    }

    private static long dataBytes(String where, long[] dims, NpyDType type) throws TensorFileException {
        try {
            long n = type.size();
            for (long d : dims) n = Math.multiplyExact(n, d);
            return n;
        } catch (ArithmeticException e) {
            throw new TensorFileException(where + ": shape " + Arrays.toString(dims) + " holds more bytes than a 64-bit count");
        }
    }

    private static Tensor readData(FileChannel ch, long start, long bytes, NpyDType type, int[] shape) throws IOException {
        if (bytes == 0) return Tensor.empty(type.dtype(), Device.CPU, shape);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = ch.map(FileChannel.MapMode.READ_ONLY, start, bytes, arena);
            return type.read(data, shape);
        }
    }

    private static ByteBuffer readAt(FileChannel ch, long at, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b, at + b.position()) < 0) throw new EOFException("file ended at byte " + (at + b.position()));
        }
        return b.flip();
    }

    private static String hex(byte[] b, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(n, b.length); i++) sb.append(i > 0 ? " " : "").append(String.format("%02x", b[i] & 0xff));
        return sb.isEmpty() ? "nothing (empty file)" : sb.toString();
    }
}
